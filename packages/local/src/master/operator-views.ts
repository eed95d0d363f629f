/**
 * The master's state as the v1 operator API writes it (Mesos 1.12 `master::Response`
 * messages: GET_AGENTS, GET_FRAMEWORKS, GET_EXECUTORS, GET_TASKS, GET_STATE, GET_MASTER),
 * shaped after a real master's answers (test/fixtures/real-mesos/operator/master-get-*.json).
 * These objects are also the payloads of the operator event stream's events.
 */
import type { Resource, TaskStatus } from '@mesosgot/common/internal';
import type { AgentEntry } from './agent-registry.js';
import type { Framework } from './frameworks.js';
import { MESOS_VERSION, type MasterState } from './master-state.js';
import type { MasterTask } from './task-registry.js';

/** What a Mesos 1.12 agent announces; the local agents behave as such an agent. */
export const AGENT_CAPABILITIES = [
  'MULTI_ROLE',
  'HIERARCHICAL_ROLE',
  'RESERVATION_REFINEMENT',
  'RESOURCE_PROVIDER',
  'RESIZE_VOLUME',
  'AGENT_OPERATION_FEEDBACK',
  'AGENT_DRAINING',
  'TASK_RESOURCE_LIMITS',
] as const;

/** Every resource here is unreserved and allocated to one role at a time. */
const DEFAULT_ROLE = '*';

/** `TimeInfo`: nanoseconds since the epoch, from seconds. */
export function timeInfo(seconds: number): { nanoseconds: number } {
  return { nanoseconds: Math.round(seconds * 1e9) };
}

/** Resources as an agent's totals are listed (pre-refinement `role: "*"`). */
export function withRole(resources: readonly Resource[]): Resource[] {
  // Mesos' endpoints write both formats: `reservations` as kept, and `role` as the innermost reservation's.
  return resources.map((r) => ({ ...r, role: r.reservations?.at(-1)?.role ?? DEFAULT_ROLE }));
}

/** Resources as allocated to a role (`allocation_info`; `role` too where Mesos writes it). */
export function allocated(resources: readonly Resource[], role: string, withRoleField = true): Resource[] {
  return resources.map((r) => ({ ...r, allocation_info: { role }, ...(withRoleField ? { role: DEFAULT_ROLE } : {}) }));
}

export function agentView(state: MasterState, agent: AgentEntry): Record<string, unknown> {
  const offered = state.offers.offeredOn(agent.id);
  return {
    agent_info: { ...agent.info, port: agent.info.port ?? 5051, checkpoint: true },
    active: true,
    deactivated: false,
    pid: agentPid(agent),
    registered_time: timeInfo(agent.registeredAt),
    total_resources: withRole(agent.total),
    allocated_resources: allocated(agent.used, DEFAULT_ROLE),
    ...(offered.length > 0 ? { offered_resources: allocated(offered, DEFAULT_ROLE) } : {}),
    capabilities: AGENT_CAPABILITIES.map((type) => ({ type })),
    version: MESOS_VERSION,
  };
}

export function agentPid(agent: AgentEntry): string {
  return `slave(1)@${agent.info.hostname}:${agent.info.port ?? 5051}`;
}

export function frameworkView(state: MasterState, framework: Framework): Record<string, unknown> {
  const role = framework.roles[0] ?? DEFAULT_ROLE;
  const used = state.tasks.forFramework(framework.id).flatMap((t) => (t.resourcesReleased ? [] : t.resources));
  const offered = state.offers.all().filter((o) => o.frameworkId === framework.id).flatMap((o) => o.resources);
  return {
    framework_info: framework.info,
    active: framework.isConnected,
    connected: framework.isConnected,
    recovered: false,
    registered_time: timeInfo(framework.registeredAt),
    reregistered_time: timeInfo(framework.registeredAt),
    allocated_resources: allocated(used, role),
    ...(offered.length > 0 ? { offered_resources: allocated(offered, role) } : {}),
    offer_constraints: {},
  };
}

export function executorViews(state: MasterState): Record<string, unknown>[] {
  return state.agents.all().flatMap((agent) =>
    [...agent.executors].flatMap(([frameworkId, byId]) =>
      [...byId.values()].map((info) => ({
        executor_info: { ...info, framework_id: { value: frameworkId }, resources: allocated(info.resources ?? [], DEFAULT_ROLE, false) },
        agent_id: { value: agent.id },
      })),
    ),
  );
}

export function taskView(task: MasterTask): Record<string, unknown> {
  const statuses = task.statuses.flatMap((s) => (s.status ? [s.status] : []));
  const latest: TaskStatus | undefined = task.latest;
  return {
    name: task.info.name,
    task_id: { value: task.taskId },
    framework_id: { value: task.frameworkId },
    ...(task.executorId !== undefined ? { executor_id: { value: task.executorId } } : {}),
    agent_id: { value: task.agentId },
    state: task.state,
    resources: allocated(task.resources, DEFAULT_ROLE, false),
    statuses,
    // Mesos copies the TaskInfo's labels into the Task it keeps (docs/protocol.md, "Operator endpoints").
    ...(task.info.labels?.labels?.length ? { labels: task.info.labels } : {}),
    ...(latest ? { status_update_state: latest.state } : {}),
    ...(latest?.uuid !== undefined ? { status_update_uuid: latest.uuid } : {}),
  };
}

export function getAgents(state: MasterState): Record<string, unknown> {
  return { agents: state.agents.all().map((a) => agentView(state, a)), recovered_agents: [] };
}

export function getFrameworks(state: MasterState): Record<string, unknown> {
  return {
    frameworks: state.frameworks.all().map((f) => frameworkView(state, f)),
    completed_frameworks: state.frameworks.completed().map((c) => ({
      framework_info: c.info,
      active: false,
      connected: false,
      recovered: false,
      unregistered_time: timeInfo(c.unregisteredAt),
    })),
  };
}

export function getExecutors(state: MasterState): Record<string, unknown> {
  return { executors: executorViews(state) };
}

export function getTasks(state: MasterState): Record<string, unknown> {
  return {
    tasks: state.tasks.all().map(taskView),
    unreachable_tasks: [],
    completed_tasks: state.tasks.allCompleted().map(taskView),
  };
}

export function getState(state: MasterState): Record<string, unknown> {
  return {
    get_tasks: getTasks(state),
    get_executors: getExecutors(state),
    get_frameworks: getFrameworks(state),
    get_agents: getAgents(state),
  };
}

export function getMaster(state: MasterState): Record<string, unknown> {
  return { master_info: state.masterInfo(), start_time: state.startedAt, elected_time: state.startedAt };
}
