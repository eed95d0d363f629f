import type { ExecutorCall, TaskInfo, TaskStatus } from '@mesosgot/common/internal';
import type { ExecutorIds } from './executor-ids.js';

/** What a re-SUBSCRIBE must replay: launched tasks and updates the agent has not acknowledged. */
export interface UnacknowledgedLists {
  tasks?: readonly TaskInfo[];
  updates?: readonly TaskStatus[];
}

/**
 * SUBSCRIBE. `"subscribe":{}` is the valid empty payload (docs/protocol.md, "JSON encoding": an empty message counts as
 * present); the lists are sent only when non-empty, as Mesos omits empty repeated fields.
 * Field names are `unacknowledged_tasks` and `unacknowledged_updates[].status` (docs/protocol.md, "Executor calls").
 */
export function subscribe(ids: ExecutorIds, unacknowledged: UnacknowledgedLists = {}): ExecutorCall {
  const { tasks = [], updates = [] } = unacknowledged;
  return {
    type: 'SUBSCRIBE',
    framework_id: { value: ids.frameworkId },
    executor_id: { value: ids.executorId },
    subscribe: {
      ...(tasks.length > 0 ? { unacknowledged_tasks: [...tasks] } : {}),
      ...(updates.length > 0 ? { unacknowledged_updates: updates.map((status) => ({ status })) } : {}),
    },
  };
}
