/**
 * The agent's classic `/state` document (also `/slave(1)/state`), as a Mesos 1.12 agent writes
 * it (test/fixtures/real-mesos/operator/agent-state.json): the agent's identity, flags and
 * resources summarized per name, then each framework with its executors and their tasks, flat
 * ids and seconds as doubles. Like GET_STATE here it lists what the agent runs: no completed
 * frameworks, executors or tasks (the local agent keeps no history), and a task's `statuses`
 * hold only the update the agent still has (the unacknowledged head).
 */
import type { AgentInfo, Resource, TaskStatus } from '@mesosgot/common/internal';
import type { AgentSnapshot, AgentTaskSnapshot } from '../links.js';
import { AGENT_CAPABILITIES, withRole } from '../master/operator-views.js';
import { resourcesSummary } from '../master/resource-text.js';
import { versionInfo } from '../operator/version-info.js';
import type { ExecutorSnapshot } from './local-agent-options.js';

/** What the document is made of (the agent's operator host supplies each). */
export interface AgentStateInputs {
  info: AgentInfo;
  snapshot: AgentSnapshot;
  containers: readonly ExecutorSnapshot[];
  flags: Record<string, string>;
  /** Seconds since the epoch when the agent started. */
  startedAt: number;
}

/** The `/state` document of one agent. */
export function agentStateDocument({ info, snapshot, containers, flags, startedAt }: AgentStateInputs): Record<string, unknown> {
  const agentId = info.id?.value ?? '';
  const resources = info.resources ?? [];
  const inUse: Resource[] = [
    ...snapshot.executors.flatMap((e) => e.executor.resources ?? []),
    ...snapshot.tasks.flatMap((t) => t.task.resources ?? []),
  ];
  return {
    ...versionInfo(),
    attributes: Object.fromEntries((info.attributes ?? []).map((a) => [a.name, a.text?.value ?? a.scalar?.value ?? a.ranges ?? a.set ?? ''])),
    capabilities: [...AGENT_CAPABILITIES],
    completed_frameworks: [],
    flags,
    frameworks: snapshot.frameworks.map((framework) => {
      const role = framework.roles?.[0] ?? framework.role ?? '*';
      const tasksOf = (executorId: string): AgentTaskSnapshot[] =>
        snapshot.tasks.filter((t) => t.frameworkId.value === framework.id.value && (t.task.executor?.executor_id.value ?? t.task.task_id.value) === executorId);
      const runs = containers.filter((c) => c.frameworkId === framework.id.value);
      return {
        checkpoint: framework.checkpoint ?? false,
        completed_executors: [],
        executors: runs.map((run) => {
          const executor = snapshot.executors.find((e) => e.frameworkId.value === run.frameworkId && e.executor.executor_id.value === run.executorId)?.executor;
          const tasks = tasksOf(run.executorId);
          const command = run.state === 'command' ? tasks[0]?.task.command : undefined;
          return {
            completed_tasks: [],
            container: run.containerId,
            directory: run.sandbox,
            id: run.executorId,
            // A command task's executor is named as Mesos names its command executor.
            name: executor?.name ?? (command ? `Command Executor (Task: ${run.executorId}) (Command: sh -c '${command.value ?? ''}')` : run.executorId),
            queued_tasks: [],
            resources: resourcesSummary(executor?.resources ?? tasks.flatMap((t) => t.task.resources ?? [])),
            role,
            source: executor?.source ?? (run.state === 'command' ? run.executorId : ''),
            tasks: tasks.map((t) => classicAgentTask(t, agentId, role)),
          };
        }),
        failover_timeout: framework.failover_timeout ?? 0,
        hostname: framework.hostname ?? '',
        id: framework.id.value,
        name: framework.name,
        role,
        user: framework.user,
      };
    }),
    hostname: info.hostname,
    id: agentId,
    // The masters run on the same host as the agent.
    master_hostname: info.hostname,
    pid: `slave(1)@${info.hostname}:${info.port ?? 5051}`,
    reserved_resources: {},
    reserved_resources_allocated: {},
    reserved_resources_full: {},
    resource_providers: [],
    resources: resourcesSummary(resources),
    start_time: startedAt,
    unreserved_resources: resourcesSummary(resources),
    unreserved_resources_allocated: resourcesSummary(inUse),
    unreserved_resources_full: withRole(resources),
  };
}

/** A task as an agent's `/state` lists it. */
function classicAgentTask({ frameworkId, task, state, pendingHead }: AgentTaskSnapshot, agentId: string, role: string): Record<string, unknown> {
  const status = (s: TaskStatus): Record<string, unknown> => ({
    state: s.state,
    timestamp: s.timestamp ?? 0,
    ...(s.container_status ? { container_status: s.container_status } : {}),
  });
  return {
    executor_id: task.executor?.executor_id.value ?? '',
    framework_id: frameworkId.value,
    id: task.task_id.value,
    name: task.name,
    resources: resourcesSummary(task.resources ?? []),
    role,
    slave_id: agentId,
    state,
    statuses: pendingHead ? [status(pendingHead)] : [],
  };
}
