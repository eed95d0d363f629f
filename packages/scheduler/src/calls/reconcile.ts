import { InvalidArgumentError, type AgentID, type SchedulerCall, type TaskID } from '@mesosgot/common/internal';
import { copyId, validateId } from './validate-id.js';

/** What reconciliation needs of a task: its id and, strongly recommended, its agent (docs/protocol.md, "Reconciliation"). */
export interface ReconcileTask {
  /** The task to ask about. */
  task_id: TaskID;
  /** The agent the task was launched on, when known. */
  agent_id?: AgentID;
}

/**
 * RECONCILE (docs/protocol.md, "Reconciliation"). An empty list is implicit reconciliation (one UPDATE per task the master
 * knows); otherwise explicit, for the listed tasks. Accepts TaskStatus objects (libmesos takes
 * statuses) and keeps only task_id/agent_id. No I/O.
 */
export function reconcile(tasks: readonly ReconcileTask[] = []): SchedulerCall {
  if (!Array.isArray(tasks)) throw new InvalidArgumentError('tasks', tasks, 'expected an array');
  const list = tasks.map((task, i) => {
    validateId(`tasks[${i}].task_id`, task?.task_id);
    const entry: ReconcileTask = { task_id: copyId(task.task_id) };
    if (task.agent_id !== undefined) {
      validateId(`tasks[${i}].agent_id`, task.agent_id);
      entry.agent_id = copyId(task.agent_id);
    }
    return entry;
  });
  return { type: 'RECONCILE', reconcile: list.length > 0 ? { tasks: list } : {} };
}
