/**
 * Task reconciliation answers (docs/protocol.md, "Reconciliation"): implicit (every task the master
 * knows for the framework) and explicit (the listed tasks; unknown ones are TASK_LOST).
 * All answers come from SOURCE_MASTER with REASON_RECONCILIATION, no uuid, no data.
 */
import type { AgentID, TaskID, TaskStatus } from '@mesosgot/common/internal';
import type { MasterTask } from './task-registry.js';

export interface ReconcileView {
  tasksOf(frameworkId: string): MasterTask[];
  task(frameworkId: string, taskId: string): MasterTask | undefined;
  isAgentRegistered(agentId: string): boolean;
}

/** The UPDATE statuses answering one RECONCILE call (an empty list = implicit). */
export function reconcile(
  frameworkId: string,
  requested: readonly { task_id: TaskID; agent_id?: AgentID }[] | undefined,
  view: ReconcileView,
  partitionAware: boolean,
): TaskStatus[] {
  if (!requested || requested.length === 0) return view.tasksOf(frameworkId).map(latestState);
  return requested.map(({ task_id, agent_id }) => {
    const task = view.task(frameworkId, task_id.value);
    if (task) return latestState(task);
    return unknownTask(task_id, agent_id, view, partitionAware);
  });
}

/** A known task's latest state, as a real master words it. */
export function latestState(task: MasterTask): TaskStatus {
  const latest = task.latest;
  return {
    task_id: { value: task.taskId },
    state: task.state,
    message: 'Reconciliation: Latest task state',
    source: 'SOURCE_MASTER',
    reason: 'REASON_RECONCILIATION',
    agent_id: { value: task.agentId },
    ...(task.executorId !== undefined ? { executor_id: { value: task.executorId } } : {}),
    timestamp: Date.now() / 1000,
    ...(latest?.healthy !== undefined ? { healthy: latest.healthy } : {}),
    ...(latest?.labels ? { labels: latest.labels } : {}),
    ...(latest?.container_status ? { container_status: latest.container_status } : {}),
  };
}

function unknownTask(taskId: TaskID, agentId: AgentID | undefined, view: ReconcileView, partitionAware: boolean): TaskStatus {
  // Agent known and registered: the agent would have reported the task (docs/protocol.md, "Reconciliation").
  const onRegisteredAgent = agentId !== undefined && view.isAgentRegistered(agentId.value);
  const state = partitionAware ? (onRegisteredAgent ? 'TASK_GONE' : 'TASK_UNKNOWN') : 'TASK_LOST';
  return {
    task_id: { value: taskId.value },
    state,
    message: onRegisteredAgent ? 'Reconciliation: Task is unknown to the agent' : 'Reconciliation: Task is unknown',
    source: 'SOURCE_MASTER',
    reason: 'REASON_RECONCILIATION',
    ...(agentId ? { agent_id: { value: agentId.value } } : {}),
    timestamp: Date.now() / 1000,
  };
}
