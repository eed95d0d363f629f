import { InvalidArgumentError, type Base64, type ExecutorCall, type TaskStatus } from '@mesosgot/common/internal';
import type { ExecutorIds } from './executor-ids.js';

/**
 * The status exactly as the agent must receive it (docs/protocol.md, "Executor calls", "Executor rules", rule 4): the given `uuid`,
 * `source: SOURCE_EXECUTOR` (unset counts as SOURCE_MASTER and is refused), `executor_id` set
 * (else the scheduler's UPDATE lacks it) and a timestamp. Throws InvalidArgumentError for
 * TASK_STAGING (master-only state), a missing task id, or an `executor_id`/`source` that
 * contradicts this executor.
 */
export function stampStatus(ids: ExecutorIds, status: TaskStatus, uuid: Base64, timestamp = Date.now() / 1000): TaskStatus {
  if (!status || typeof status.task_id?.value !== 'string' || status.task_id.value === '') {
    throw new InvalidArgumentError('status.task_id', status?.task_id, 'a status update needs a task id');
  }
  if (status.state === 'TASK_STAGING') {
    throw new InvalidArgumentError('status.state', status.state, 'executors must never send TASK_STAGING (the master sets it)');
  }
  if (status.executor_id !== undefined && status.executor_id.value !== ids.executorId) {
    throw new InvalidArgumentError('status.executor_id', status.executor_id, `must be this executor (${ids.executorId})`);
  }
  if (status.source !== undefined && status.source !== 'SOURCE_EXECUTOR') {
    throw new InvalidArgumentError('status.source', status.source, 'an executor sends only SOURCE_EXECUTOR updates');
  }
  return {
    ...status,
    source: 'SOURCE_EXECUTOR',
    executor_id: { value: ids.executorId },
    timestamp: status.timestamp ?? timestamp,
    uuid,
  };
}

/** UPDATE carrying a status already stamped by `stampStatus` (no I/O, no randomness here). */
export function update(ids: ExecutorIds, status: TaskStatus): ExecutorCall {
  return {
    type: 'UPDATE',
    framework_id: { value: ids.frameworkId },
    executor_id: { value: ids.executorId },
    update: { status },
  };
}
