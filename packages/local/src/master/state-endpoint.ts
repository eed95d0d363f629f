/**
 * Read-only operator endpoints: GET /master/state (a subset of Mesos' shape: frameworks with
 * their tasks, agents, completed frameworks), GET /health, and GET /master/redirect (or
 * /redirect) → 307 to this master, the only (so leading) one (docs/protocol.md, "Master detection").
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MasterState } from './master-state.js';
import { MESOS_VERSION } from './master-state.js';
import { resourcesSummary } from './resource-text.js';
import type { MasterTask } from './task-registry.js';
import { sendText } from './scheduler-api.js';

/** Answers a GET on one of the endpoints; false if the path is not one of them. */
export function handleStateEndpoints(state: MasterState, req: IncomingMessage, res: ServerResponse, path: string): boolean {
  switch (path) {
    case '/health':
    case '/master/health':
      sendText(res, 200, '');
      return true;
    case '/redirect':
    case '/master/redirect':
      // Protocol-relative, like a real master's (docs/protocol.md, "Master detection").
      res.writeHead(307, { Location: `//${state.hostname}:${state.port}`, 'Content-Length': '0' });
      res.end();
      return true;
    case '/state':
    case '/master/state':
    case '/state.json':
    case '/master/state.json': {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        sendText(res, 405, `405 Method Not Allowed. Expecting one of { 'GET', 'HEAD' }, but received '${req.method ?? ''}'.`, {
          Allow: 'GET, HEAD',
        });
        return true;
      }
      const body = Buffer.from(JSON.stringify(masterStateJson(state)), 'utf8');
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(body.length) });
      res.end(req.method === 'HEAD' ? undefined : body);
      return true;
    }
    default:
      return false;
  }
}

/** The /master/state document (field names as Mesos' operator JSON). */
export function masterStateJson(state: MasterState): Record<string, unknown> {
  const info = state.masterInfo();
  return {
    version: MESOS_VERSION,
    id: info.id,
    pid: info.pid,
    hostname: info.hostname,
    activated_slaves: state.agents.all().length,
    deactivated_slaves: 0,
    leader: info.pid,
    leader_info: info,
    flags: {
      allocation_interval: `${state.settings.allocationIntervalMs}ms`,
      hostname: info.hostname,
      port: String(info.port),
    },
    slaves: state.agents.all().map((a) => ({
      id: a.id,
      pid: `slave(1)@${a.info.hostname}:${a.info.port ?? 5051}`,
      hostname: a.info.hostname,
      port: a.info.port ?? 5051,
      registered_time: a.registeredAt,
      resources: resourcesSummary(a.total),
      used_resources: resourcesSummary(a.used),
      offered_resources: resourcesSummary(state.offers.offeredOn(a.id)),
      active: true,
      version: MESOS_VERSION,
    })),
    frameworks: state.frameworks.all().map((fw) => {
      const tasks = state.tasks.forFramework(fw.id);
      return {
        id: fw.id,
        name: fw.info.name,
        user: fw.info.user,
        principal: fw.info.principal,
        failover_timeout: fw.info.failover_timeout ?? 0,
        checkpoint: fw.info.checkpoint ?? false,
        role: fw.roles[0],
        roles: fw.roles,
        capabilities: (fw.info.capabilities ?? []).map((c) => c.type),
        active: fw.isConnected,
        connected: fw.isConnected,
        recovered: false,
        registered_time: fw.registeredAt,
        unregistered_time: 0,
        tasks: tasks.filter((t) => t.state !== 'TASK_STAGING').map(taskJson),
        unreachable_tasks: [],
        completed_tasks: [],
        offers: state.offers.all().filter((o) => o.frameworkId === fw.id).map((o) => o.offer),
        executors: state.agents.all().flatMap((a) =>
          [...(a.executors.get(fw.id)?.values() ?? [])].map((e) => ({ ...e, slave_id: a.id })),
        ),
        // Mesos lists STAGING tasks separately as pending.
        pending_tasks: tasks.filter((t) => t.state === 'TASK_STAGING').map(taskJson),
        used_resources: resourcesSummary(tasks.flatMap((t) => (t.resourcesReleased ? [] : t.resources))),
      };
    }),
    completed_frameworks: state.frameworks.completed().map((c) => ({
      id: c.id,
      name: c.info.name,
      user: c.info.user,
      active: false,
      connected: false,
      unregistered_time: c.unregisteredAt,
      tasks: [],
    })),
    orphan_tasks: [],
    unregistered_frameworks: [],
    start_time: state.startedAt,
  };
}

function taskJson(t: MasterTask): Record<string, unknown> {
  return {
    id: t.taskId,
    name: t.info.name,
    framework_id: t.frameworkId,
    executor_id: t.executorId ?? '',
    slave_id: t.agentId,
    state: t.state,
    resources: resourcesSummary(t.resources),
    statuses: t.statuses.map((s) => ({ state: s.state, timestamp: s.timestamp })),
  };
}
