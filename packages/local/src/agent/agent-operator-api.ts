/**
 * The agent's read-only operator surface, as a Mesos 1.12 agent serves it: `POST /api/v1`
 * (also `/slave(1)/api/v1`) with GET_HEALTH, GET_VERSION, GET_FLAGS, GET_METRICS, GET_STATE,
 * GET_AGENT, GET_FRAMEWORKS, GET_EXECUTORS, GET_TASKS, GET_CONTAINERS, LIST_FILES and READ_FILE (other `agent::Call`
 * types answer 501: nested containers, resource providers and images do not exist here), and
 * the GET endpoints `/version`, `/flags`, `/metrics/snapshot` and `/state` (agent-state-document.ts). Shapes follow a real agent's
 * answers (test/fixtures/real-mesos/operator/agent-*.json).
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type AgentInfo, type ExecutorInfo, type TaskStatus } from '@mesosgot/common/internal';
import { AGENT_CALL_CODEC, AGENT_RESPONSE_CODEC } from '@mesosgot/common/protobuf';
import type { AgentSnapshot } from '../links.js';
import { allocated } from '../master/operator-views.js';
import { systemMetrics } from '../master/master-metrics.js';
import { sendText } from '../master/scheduler-api.js';
import { answerFileCall } from '../operator/file-calls.js';
import { answerSelfCall, readOperatorCall, sendNotImplemented, type OperatorCodecs } from '../operator/operator-call.js';
import { versionInfo } from '../operator/version-info.js';
import { agentStateDocument } from './agent-state-document.js';
import type { ExecutorSnapshot } from './local-agent-options.js';

/** Every `agent::Call::Type` of Mesos 1.12. */
export const AGENT_CALL_TYPES: ReadonlySet<string> = new Set([
  'UNKNOWN', 'GET_HEALTH', 'GET_FLAGS', 'GET_VERSION', 'GET_METRICS', 'GET_LOGGING_LEVEL', 'SET_LOGGING_LEVEL',
  'LIST_FILES', 'READ_FILE', 'GET_STATE', 'GET_CONTAINERS', 'GET_FRAMEWORKS', 'GET_EXECUTORS', 'GET_OPERATIONS',
  'GET_TASKS', 'GET_AGENT', 'GET_RESOURCE_PROVIDERS', 'LAUNCH_NESTED_CONTAINER', 'WAIT_NESTED_CONTAINER',
  'KILL_NESTED_CONTAINER', 'REMOVE_NESTED_CONTAINER', 'LAUNCH_NESTED_CONTAINER_SESSION', 'ATTACH_CONTAINER_INPUT',
  'ATTACH_CONTAINER_OUTPUT', 'LAUNCH_CONTAINER', 'WAIT_CONTAINER', 'KILL_CONTAINER', 'REMOVE_CONTAINER',
  'ADD_RESOURCE_PROVIDER_CONFIG', 'UPDATE_RESOURCE_PROVIDER_CONFIG', 'REMOVE_RESOURCE_PROVIDER_CONFIG',
  'MARK_RESOURCE_PROVIDER_GONE', 'PRUNE_IMAGES',
]);

/** The agent's operator messages, in either encoding. */
const AGENT_OPERATOR_CODECS: OperatorCodecs = {
  validator: 'agent::Call',
  knownTypes: AGENT_CALL_TYPES,
  call: AGENT_CALL_CODEC,
  response: AGENT_RESPONSE_CODEC,
};

const OPERATOR_PATHS = new Set(['/api/v1', '/slave(1)/api/v1']);
const DOCUMENT_PATHS = new Set(['/version', '/flags', '/slave(1)/flags', '/metrics/snapshot', '/state', '/slave(1)/state']);

/** What the surface reads from its agent. */
export interface AgentOperatorHost {
  info(): AgentInfo;
  snapshot(): AgentSnapshot;
  containers(): ExecutorSnapshot[];
  flags(): Record<string, string>;
  /** Seconds since the epoch when the agent started. */
  startedAt: number;
  /** The directory holding this agent's sandboxes (`<work_dir>/slaves/<agent id>`), what the files calls serve. */
  sandboxRoot(): string;
}

/** True when `path` is served here. */
export function isAgentOperatorPath(path: string): boolean {
  return OPERATOR_PATHS.has(path) || DOCUMENT_PATHS.has(path);
}

/** Answers one request on an operator path; rejects only if reading the body fails. */
export async function handleAgentOperatorRequest(host: AgentOperatorHost, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  if (DOCUMENT_PATHS.has(path)) {
    req.resume();
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendText(res, 405, `405 Method Not Allowed. Expecting one of { 'GET', 'HEAD' }, but received '${req.method ?? ''}'.`, { Allow: 'GET, HEAD' });
    }
    const document = path === '/version' ? versionInfo()
      : path === '/metrics/snapshot' ? agentMetrics(host)
      : path.endsWith('/state') ? agentStateDocument({ info: host.info(), snapshot: host.snapshot(), containers: host.containers(), flags: host.flags(), startedAt: host.startedAt })
      : { flags: host.flags() };
    const body = Buffer.from(JSON.stringify(document), 'utf8');
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(body.length) });
    return void res.end(req.method === 'HEAD' ? undefined : body);
  }
  const request = await readOperatorCall(req, res, AGENT_OPERATOR_CODECS);
  if (!request) return;
  const { type } = request.call;
  if (answerSelfCall(request, { flags: () => host.flags(), metrics: () => agentMetrics(host) })) return;
  if (await answerFileCall(request, res, [host.sandboxRoot()], AGENT_OPERATOR_CODECS.validator)) return;
  switch (type) {
    case 'GET_AGENT':
      return request.reply(type, { agent_info: host.info() });
    case 'GET_STATE':
      return request.reply(type, agentState(host));
    case 'GET_FRAMEWORKS':
      return request.reply(type, agentState(host).get_frameworks);
    case 'GET_EXECUTORS':
      return request.reply(type, agentState(host).get_executors);
    case 'GET_TASKS':
      return request.reply(type, agentState(host).get_tasks);
    case 'GET_CONTAINERS':
      return request.reply(type, { containers: host.containers().map((c) => containerView(host, c)) });
    default:
      return sendNotImplemented(res, type);
  }
}

/** GET_STATE: the agent's frameworks, executors and tasks (the ones it runs; history is not kept). */
function agentState(host: AgentOperatorHost): { get_tasks: unknown; get_executors: unknown; get_frameworks: unknown } {
  const snapshot = host.snapshot();
  const agentId = host.info().id;
  const tasks = snapshot.tasks.map(({ frameworkId, task, state, pendingHead }) => ({
    name: task.name,
    task_id: task.task_id,
    framework_id: frameworkId,
    ...(task.executor ? { executor_id: task.executor.executor_id } : {}),
    agent_id: agentId,
    state,
    resources: allocated(task.resources ?? [], '*', false),
    statuses: pendingHead ? [pendingHead] : ([] as TaskStatus[]),
  }));
  const executor = (e: ExecutorInfo): Record<string, unknown> => ({ executor_info: { ...e, resources: allocated(e.resources ?? [], '*', false) } });
  return {
    get_tasks: { pending_tasks: [], queued_tasks: [], launched_tasks: tasks, terminated_tasks: [], completed_tasks: [] },
    get_executors: { executors: snapshot.executors.map((e) => executor(e.executor)), completed_executors: [] },
    get_frameworks: { frameworks: snapshot.frameworks.map((framework_info) => ({ framework_info })), completed_frameworks: [] },
  };
}

/** A container as GET_CONTAINERS lists it, with what /proc says of its process. */
function containerView(host: AgentOperatorHost, c: ExecutorSnapshot): Record<string, unknown> {
  const framework = host.snapshot().frameworks.find((f) => f.id.value === c.frameworkId);
  return {
    framework_id: { value: c.frameworkId },
    executor_id: { value: c.executorId },
    executor_name: framework?.name ?? c.executorId,
    container_id: { value: c.containerId },
    container_status: { container_id: { value: c.containerId }, ...(c.pid !== undefined ? { executor_pid: c.pid } : {}) },
    resource_statistics: { timestamp: Date.now() / 1000, ...(c.pid !== undefined ? processStatistics(c.pid) : {}) },
  };
}

/** CPU times and RSS of one process from /proc (Linux); {} where /proc cannot tell. */
function processStatistics(pid: number): Record<string, number> {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesized command name; utime, stime are 14th/15th, rss the 24th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = 100; // USER_HZ on Linux
    return {
      cpus_user_time_secs: Number(fields[11]) / ticks,
      cpus_system_time_secs: Number(fields[12]) / ticks,
      mem_rss_bytes: Number(fields[21]) * 4096,
    };
  } catch {
    return {}; // not Linux, or the process just exited: statistics are optional
  }
}

/** The `slave/*` and `system/*` keys of a real agent's /metrics/snapshot that describe what runs. */
function agentMetrics(host: AgentOperatorHost): Record<string, number> {
  const snapshot = host.snapshot();
  const containers = host.containers();
  const count = (state: string): number => snapshot.tasks.filter((t) => t.state === state).length;
  const m: Record<string, number> = {
    'slave/registered': 1,
    'slave/uptime_secs': Date.now() / 1000 - host.startedAt,
    'slave/frameworks_active': snapshot.frameworks.length,
    'slave/executors_registering': containers.filter((c) => c.state === 'launching' || c.state === 'registering').length,
    'slave/executors_running': containers.filter((c) => c.state === 'subscribed' || c.state === 'command').length,
    'slave/executors_terminating': containers.filter((c) => c.state === 'terminating').length,
    'slave/tasks_staging': count('TASK_STAGING'),
    'slave/tasks_starting': count('TASK_STARTING'),
    'slave/tasks_running': count('TASK_RUNNING'),
    'slave/tasks_killing': count('TASK_KILLING'),
  };
  return { ...m, ...systemMetrics() };
}
