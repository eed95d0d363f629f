/**
 * Bookkeeping of what the agent has not yet taken responsibility for (docs/protocol.md,
 * "Executor rules", rules 5 and 7): every update until its ACKNOWLEDGED (matching task_id + uuid), every launched
 * task until some update of it is acknowledged. A re-SUBSCRIBE replays both lists, which is
 * how updates survive an agent restart.
 *
 * Bound: one entry per update sent and not yet acknowledged, one per task launched and never
 * acknowledged; the agent acknowledges as soon as it has accepted an update, so both lists stay
 * as small as the updates in flight.
 */
import type { Base64, TaskInfo, TaskStatus } from '@mesosgot/common/internal';

export class Unacknowledged {
  /** Keyed by uuid, in send order (Map keeps insertion order) so replay preserves order. */
  readonly #updates = new Map<Base64, TaskStatus>();
  /** Keyed by task id, in launch order. */
  readonly #tasks = new Map<string, TaskInfo>();

  /** A LAUNCH was received: keep the task until one of its updates is acknowledged. */
  addTask(task: TaskInfo): void {
    this.#tasks.set(task.task_id.value, task);
  }

  /** An update is about to be sent (or queued while disconnected). It must carry a uuid. */
  addUpdate(status: TaskStatus & { uuid: Base64 }): void {
    this.#updates.set(status.uuid, status);
  }

  /**
   * ACKNOWLEDGED arrived. Returns true when it matched an update of ours (same uuid and same
   * task id); then that update and the task's TaskInfo are forgotten. A mismatch changes nothing.
   */
  acknowledge(taskId: string, uuid: Base64): boolean {
    const status = this.#updates.get(uuid);
    if (!status || status.task_id.value !== taskId) return false;
    this.#updates.delete(uuid);
    this.#tasks.delete(taskId);
    return true;
  }

  /** Forget an update the agent refused (it will never be acknowledged). */
  discardUpdate(uuid: Base64): void {
    this.#updates.delete(uuid);
  }

  hasUpdate(uuid: Base64): boolean {
    return this.#updates.has(uuid);
  }

  /** Unacknowledged updates, oldest first. */
  updates(): TaskStatus[] {
    return [...this.#updates.values()];
  }

  /** Launched tasks without an acknowledged update, in launch order. */
  tasks(): TaskInfo[] {
    return [...this.#tasks.values()];
  }

  /** True while some update still waits for its ACKNOWLEDGED. */
  get hasPendingUpdates(): boolean {
    return this.#updates.size > 0;
  }
}
