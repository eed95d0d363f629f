/**
 * Delivers Scheduler callbacks one at a time, in stream order (libmesos semantics): the next
 * waits until the previous one's promise settles. The reader of the event stream only waits when
 * MAX_PENDING_CALLBACKS are queued, so heartbeats keep being read while a callback is slow.
 */
import type { SchedulerCallback } from '../events/scheduler-callback.js';

/** Callbacks queued before the stream reader waits (backpressure on the event stream). */
export const MAX_PENDING_CALLBACKS = 256;

export class CallbackQueue {
  /** Queued, not started yet: what MAX_PENDING_CALLBACKS bounds. */
  #waiting = 0;
  /** Queued or running. */
  #pending = 0;
  /** The run of the last callback queued; the next one starts when it settled. */
  #tail: Promise<void> = Promise.resolve();
  /** push() callers waiting for room, woken one per started callback. */
  readonly #roomWaiters: (() => void)[] = [];
  readonly #idleWaiters: (() => void)[] = [];

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
    while (this.#waiting >= MAX_PENDING_CALLBACKS) await new Promise<void>((resolve) => this.#roomWaiters.push(resolve));
    this.#waiting++;
    this.#pending++;
    const run = (): Promise<void> => this.#run(callback, after);
    this.#tail = this.#tail.then(run, run);
  }

  /** Resolves when every queued callback has run. Do not await it from inside a callback. */
  onIdle(): Promise<void> {
    if (this.#pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  async #run(callback: SchedulerCallback, after: (() => void) | undefined): Promise<void> {
    this.#waiting--;
    this.#roomWaiters.shift()?.();
    try {
      if (!this.mayRun(callback)) return;
      await this.invoke(callback);
      after?.();
    } catch (error) {
      this.onFailure(error, callback);
    } finally {
      if (--this.#pending === 0) for (const resolve of this.#idleWaiters.splice(0)) resolve();
    }
  }
}
