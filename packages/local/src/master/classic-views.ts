/**
 * The master's state as its classic JSON endpoints write it (Mesos 1.12 `/master/state`,
 * `/master/state-summary`, `/master/frameworks`, `/master/slaves`, `/master/tasks`): flat ids,
 * resources summarized per name (`{cpus, mem, disk, gpus, ports}`), seconds as doubles.
 * Shapes follow a real master's answers (test/fixtures/real-mesos/operator/master-*.json).
 */
import type { Resource, TaskState } from '@mesosgot/common/internal';
import type { AgentEntry } from './agent-registry.js';
import type { Framework } from './frameworks.js';
import type { MasterState } from './master-state.js';
import { MESOS_VERSION } from './master-state.js';
import { AGENT_CAPABILITIES, agentPid, allocated, withRole } from './operator-views.js';
import { resourcesSummary } from './resource-text.js';
import type { MasterTask } from './task-registry.js';

/** The per-state task counts state-summary gives each framework and agent. */
const SUMMARY_STATES: readonly TaskState[] = [
  'TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING', 'TASK_FINISHED', 'TASK_KILLED',
  'TASK_FAILED', 'TASK_LOST', 'TASK_ERROR', 'TASK_UNREACHABLE',
];

/** `/master/tasks` defaults (Mesos: limit 100, offset 0, order desc). */
export const DEFAULT_TASKS_LIMIT = 100;

function countStates(tasks: readonly MasterTask[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of SUMMARY_STATES) counts[s] = 0;
  for (const t of tasks) if (t.state in counts) counts[t.state]! += 1;
  return counts;
}

/** One task as the classic endpoints list it; `role` is its framework's. */
export function classicTask(task: MasterTask, role: string): Record<string, unknown> {
  return {
    id: task.taskId,
    name: task.info.name,
    framework_id: task.frameworkId,
    executor_id: task.executorId ?? '',
    slave_id: task.agentId,
    state: task.state,
    resources: resourcesSummary(task.resources),
    role,
    // The TaskInfo's labels, as the list of {key, value} a real master writes.
    ...(task.info.labels?.labels?.length ? { labels: task.info.labels.labels } : {}),
    // A real master lists the updates it received; the launch (STAGING) is not one of them.
    statuses: task.statuses
      .filter((s) => s.status !== undefined || s.state !== 'TASK_STAGING')
      .map((s) => ({ state: s.state, timestamp: s.timestamp, ...(s.status?.container_status ? { container_status: s.status.container_status } : {}) })),
  };
}

function roleOf(state: MasterState, frameworkId: string): string {
  return state.frameworks.get(frameworkId)?.roles[0] ?? '*';
}

/** An agent as `/master/slaves` and `/master/state` list it. */
export function agentSummary(state: MasterState, agent: AgentEntry): Record<string, unknown> {
  return {
    id: agent.id,
    pid: agentPid(agent),
    hostname: agent.info.hostname,
    port: agent.info.port ?? 5051,
    registered_time: agent.registeredAt,
    resources: resourcesSummary(agent.total),
    used_resources: resourcesSummary(agent.used),
    offered_resources: resourcesSummary(state.offers.offeredOn(agent.id)),
    reserved_resources: Object.fromEntries(
      [...reservedByRole(agent.total)].map(([role, rs]) => [role, resourcesSummary(rs)]),
    ),
    unreserved_resources: resourcesSummary(agent.total.filter((r) => !isReserved(r))),
    attributes: {},
    active: true,
    deactivated: false,
    version: MESOS_VERSION,
    capabilities: [...AGENT_CAPABILITIES],
  };
}

/** A framework as `/master/frameworks` and `/master/state` list it, with its tasks. */
export function frameworkSummary(state: MasterState, fw: Framework): Record<string, unknown> {
  const tasks = state.tasks.forFramework(fw.id);
  const role = fw.roles[0] ?? '*';
  const used = resourcesSummary(tasks.flatMap((t) => (t.resourcesReleased ? [] : t.resources)));
  return {
    id: fw.id,
    name: fw.info.name,
    user: fw.info.user,
    principal: fw.info.principal,
    hostname: fw.info.hostname ?? '',
    webui_url: fw.info.webui_url ?? '',
    failover_timeout: fw.info.failover_timeout ?? 0,
    checkpoint: fw.info.checkpoint ?? false,
    role,
    roles: fw.roles,
    capabilities: (fw.info.capabilities ?? []).map((c) => c.type),
    active: fw.isConnected,
    connected: fw.isConnected,
    recovered: false,
    registered_time: fw.registeredAt,
    unregistered_time: 0,
    resources: used,
    used_resources: used,
    offered_resources: resourcesSummary(state.offers.all().filter((o) => o.frameworkId === fw.id).flatMap((o) => o.resources)),
    offer_constraints: {},
    tasks: tasks.filter((t) => t.state !== 'TASK_STAGING').map((t) => classicTask(t, role)),
    // Mesos lists STAGING tasks separately as pending.
    pending_tasks: tasks.filter((t) => t.state === 'TASK_STAGING').map((t) => classicTask(t, role)),
    unreachable_tasks: [],
    completed_tasks: state.tasks.completedFor(fw.id).map((t) => classicTask(t, role)),
    offers: state.offers.all().filter((o) => o.frameworkId === fw.id).map((o) => o.offer),
    executors: state.agents.all().flatMap((a) =>
      [...(a.executors.get(fw.id)?.values() ?? [])].map((e) => ({ ...e, framework_id: fw.id, executor_id: e.executor_id.value, slave_id: a.id, role, resources: resourcesSummary(e.resources ?? []) })),
    ),
  };
}

export function completedFrameworks(state: MasterState): Record<string, unknown>[] {
  return state.frameworks.completed().map((c) => ({
    id: c.id,
    name: c.info.name,
    user: c.info.user,
    active: false,
    connected: false,
    unregistered_time: c.unregisteredAt,
    tasks: [],
    completed_tasks: [],
  }));
}

export function stateSummary(state: MasterState): Record<string, unknown> {
  const tasks = [...state.tasks.all(), ...state.tasks.allCompleted()];
  return {
    hostname: state.hostname,
    frameworks: state.frameworks.all().map((fw) => {
      const own = tasks.filter((t) => t.frameworkId === fw.id);
      const summary = frameworkSummary(state, fw);
      return {
        id: fw.id,
        name: fw.info.name,
        hostname: summary.hostname,
        webui_url: summary.webui_url,
        active: fw.isConnected,
        connected: fw.isConnected,
        recovered: false,
        capabilities: summary.capabilities,
        used_resources: summary.used_resources,
        offered_resources: summary.offered_resources,
        slave_ids: [...new Set(own.filter((t) => !t.resourcesReleased).map((t) => t.agentId))],
        ...countStates(own),
      };
    }),
    slaves: state.agents.all().map((agent) => {
      const own = tasks.filter((t) => t.agentId === agent.id);
      const { pid, registered_time, resources, used_resources, offered_resources, reserved_resources, unreserved_resources, attributes, active, deactivated, version, capabilities } =
        agentSummary(state, agent);
      return {
        id: agent.id, pid, hostname: agent.info.hostname, port: agent.info.port ?? 5051, registered_time, resources, used_resources,
        offered_resources, reserved_resources, unreserved_resources, attributes, active, deactivated, version, capabilities,
        framework_ids: [...new Set(own.filter((t) => !t.resourcesReleased).map((t) => t.frameworkId))],
        ...countStates(own),
      };
    }),
  };
}

export function slavesDocument(state: MasterState): Record<string, unknown> {
  return {
    slaves: state.agents.all().map((agent) => ({
      ...agentSummary(state, agent),
      offered_resources_full: allocated(state.offers.offeredOn(agent.id), '*'),
      reserved_resources_full: Object.fromEntries([...reservedByRole(agent.total)].map(([role, rs]) => [role, withRole(rs)])),
      unreserved_resources_full: withRole(agent.total.filter((r) => !isReserved(r))),
      used_resources_full: allocated(agent.used, '*'),
    })),
    recovered_slaves: [],
  };
}

export function frameworksDocument(state: MasterState): Record<string, unknown> {
  return {
    frameworks: state.frameworks.all().map((fw) => frameworkSummary(state, fw)),
    completed_frameworks: completedFrameworks(state),
    unregistered_frameworks: [],
  };
}

export interface TasksQuery {
  limit: number;
  offset: number;
  order: 'asc' | 'desc';
}

/** Reads `limit`, `offset`, `order` as Mesos does; a malformed value is an error text (400). */
export function parseTasksQuery(params: URLSearchParams): TasksQuery | string {
  const int = (name: string, fallback: number): number | string => {
    const raw = params.get(name);
    if (raw === null) return fallback;
    const n = Number(raw);
    return /^\d+$/.test(raw) && Number.isSafeInteger(n) ? n : `Failed to parse ${name}: '${raw}'`;
  };
  const limit = int('limit', DEFAULT_TASKS_LIMIT);
  if (typeof limit === 'string') return limit;
  const offset = int('offset', 0);
  if (typeof offset === 'string') return offset;
  const order = params.get('order') ?? 'desc';
  // Mesos takes anything but "asc" as descending.
  return { limit, offset, order: order === 'asc' ? 'asc' : 'desc' };
}

/** `/master/tasks`: live and completed tasks of every framework, by launch time. */
export function tasksDocument(state: MasterState, query: TasksQuery): Record<string, unknown> {
  const tasks = [...state.tasks.all(), ...state.tasks.allCompleted()];
  const launched = (t: MasterTask): number => t.statuses[0]?.timestamp ?? 0;
  // Stable: tasks launched in the same millisecond keep launch order (reversed for desc).
  tasks.sort((a, b) => launched(a) - launched(b));
  if (query.order === 'desc') tasks.reverse();
  return {
    tasks: tasks.slice(query.offset, query.offset + query.limit).map((t) => classicTask(t, roleOf(state, t.frameworkId))),
  };
}

function isReserved(r: Resource): boolean {
  return (r.reservations?.length ?? 0) > 0;
}

/** Reserved resources by the role of their innermost reservation (Mesos' `reserved()` by role). */
function reservedByRole(resources: readonly Resource[]): Map<string, Resource[]> {
  const byRole = new Map<string, Resource[]>();
  for (const r of resources) {
    const role = r.reservations?.at(-1)?.role;
    if (role !== undefined) byRole.set(role, [...(byRole.get(role) ?? []), r]);
  }
  return byRole;
}
