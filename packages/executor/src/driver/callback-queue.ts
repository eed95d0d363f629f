/**
 * Runs executor callbacks one at a time, in the order the events arrived on the stream, as
 * libmesos does: a callback that returns a promise holds back the next one until it settles.
 * Event bookkeeping (acknowledgements, connection state) happens before a callback is queued,
 * so a slow callback never delays an ACKNOWLEDGED.
 */

import { deferred } from './deferred.js';

/** Callbacks queued and not yet finished before `enqueue` callers are asked to wait. */
export const MAX_QUEUED_CALLBACKS = 1024;

export type CallbackFailureHandler = (error: unknown, what: string) => void;

export class CallbackQueue {
  /** Tail of the chain: settles when every callback queued so far has finished. */
  #tail: Promise<void> = Promise.resolve();
  #queued = 0;
  /** Set by `close()`: callbacks queued after, or not yet started, are dropped. */
  #isClosed = false;
  /** Resolves on close(): releases a stream reader waiting on backpressure. */
  readonly #closed = deferred<void>();
  readonly #onFailure: CallbackFailureHandler;

  /** `onFailure` hears about a callback that threw or rejected; the queue goes on with the next. */
  constructor(onFailure: CallbackFailureHandler) {
    this.#onFailure = onFailure;
  }

  /**
   * Queues `callback` after every earlier one. Resolves when it is queued; waits (backpressure on
   * the stream reader) while MAX_QUEUED_CALLBACKS are pending. Never rejects.
   */
  async enqueue(what: string, callback: () => unknown): Promise<void> {
    if (this.#isClosed) return;
    this.#queued += 1;
    const previous = this.#tail;
    this.#tail = previous.then(async () => {
      try {
        if (!this.#isClosed) await callback();
      } catch (error) {
        this.#onFailure(error, what);
      } finally {
        this.#queued -= 1;
      }
    });
    if (this.#queued > MAX_QUEUED_CALLBACKS) await Promise.race([previous, this.#closed.promise]);
  }

  /** Resolves once every callback queued so far has finished (or been dropped). */
  idle(): Promise<void> {
    return this.#tail;
  }

  /** Drops the callbacks not yet started; the one running (if any) is not interrupted. */
  close(): void {
    this.#isClosed = true;
    this.#closed.resolve();
  }

  get isClosed(): boolean {
    return this.#isClosed;
  }
}
