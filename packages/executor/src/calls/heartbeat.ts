import type { ExecutorCall } from '@mesosgot/common/internal';
import type { ExecutorIds } from './executor-ids.js';

/** HEARTBEAT: keeps an idle call connection alive; the agent answers 202 at once (docs/protocol.md, "Executor rules", rule 9). */
export function heartbeat(ids: ExecutorIds): ExecutorCall {
  return { type: 'HEARTBEAT', framework_id: { value: ids.frameworkId }, executor_id: { value: ids.executorId } };
}
