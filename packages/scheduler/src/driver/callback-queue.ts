/**
 * Delivers Scheduler callbacks one at a time, in stream order (libmesos semantics): the next
 * waits until the previous one's promise settles. The reader of the event stream only waits when
 * MAX_PENDING_CALLBACKS are queued, so heartbeats keep being read while a callback is slow.
 */
import PQueue from 'p-queue';
import type { SchedulerCallback } from '../events/scheduler-callback.js';

/** Callbacks queued before the stream reader waits (backpressure on the event stream). */
export const MAX_PENDING_CALLBACKS = 256;

export class CallbackQueue {
  readonly #queue = new PQueue({ concurrency: 1 });

  constructor(
    /** Runs one callback; rejects with what it threw. */
    private readonly invoke: (callback: SchedulerCallback) => Promise<void>,
    /** Whether a queued callback may still run (false after stop/abort, except `error`). */
    private readonly mayRun: (callback: SchedulerCallback) => boolean,
    /** A callback threw: the driver aborts with it (never logged and dropped). */
    private readonly onFailure: (error: unknown, callback: SchedulerCallback) => void,
  ) {}

  /**
   * Queues `callback` and, once it settled successfully, `after` (e.g. the implicit ACK).
   * Resolves when queued, waiting while the queue is full.
   */
  async push(callback: SchedulerCallback, after?: () => void): Promise<void> {
    if (this.#queue.size >= MAX_PENDING_CALLBACKS) await this.#queue.onSizeLessThan(MAX_PENDING_CALLBACKS);
    void this.#queue.add(async () => {
      if (!this.mayRun(callback)) return;
      try {
        await this.invoke(callback);
      } catch (error) {
        return this.onFailure(error, callback);
      }
      after?.();
    });
  }

  /** Resolves when every queued callback has run. Do not await it from inside a callback. */
  onIdle(): Promise<void> {
    return this.#queue.onIdle();
  }
}
