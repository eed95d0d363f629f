import { InvalidArgumentError } from '../errors.js';

/**
 * What a receiver needs from its link: take what is queued, park until something arrives, let
 * go. `T` is one message, or a batch of them (never an empty one).
 */
export interface ReceiverSource<T> {
  /** The next message (or batch) for this receiver, or undefined if none is queued. */
  take(): T | undefined;
  /** True once no message can arrive any more (stream or link closed, queue empty). */
  readonly ended: boolean;
  /** Registers the one wake-up call for the next arrival or end. */
  park(wake: () => void): void;
  /** The consumer is gone (break, return, abort). */
  release(): void;
}

const DONE: IteratorReturnResult<undefined> = { value: undefined, done: true };

/**
 * The async iterator a ReliableLink hands out (`link.receive()`, or `link.receiveBatches()`
 * yielding arrays of what is queued): yields messages in order,
 * ends when its stream or the link closes, and rejects a pending `next()` with `signal.reason`
 * on abort. Taking a message is what grants the peer more credit, so a consumer that stops
 * pulling stops the sender (backpressure). Hand-written rather than an async generator so a
 * queued message costs one resolved promise and no generator frame.
 */
export class LinkReceiver<T> implements AsyncIterableIterator<T> {
  /** Set once the iterator finished (end, return, abort); later next() calls are done. */
  private finished = false;
  private pending: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | undefined;
  private readonly onAbort: (() => void) | undefined;
  /** Handed to the source on every park: one closure for the receiver's life. */
  private readonly wake = (): void => this.onWake();

  constructor(
    private readonly source: ReceiverSource<T>,
    private readonly signal?: AbortSignal,
  ) {
    if (signal) {
      this.onAbort = () => this.abort(signal.reason);
      signal.addEventListener('abort', this.onAbort, { once: true });
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.finished) return Promise.resolve(DONE);
    if (this.signal?.aborted) {
      this.finish();
      return Promise.reject(this.signal.reason);
    }
    if (this.pending) return Promise.reject(new InvalidArgumentError('next', undefined, 'called while a previous next() is pending (one consumer per iterator)'));
    const msg = this.source.take();
    if (msg !== undefined) return Promise.resolve({ value: msg, done: false });
    if (this.source.ended) {
      this.finish();
      return Promise.resolve(DONE);
    }
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.source.park(this.wake);
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.settle(DONE);
    this.finish();
    return Promise.resolve(DONE);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  private onWake(): void {
    const pending = this.pending;
    if (!pending) return;
    const msg = this.source.take();
    if (msg !== undefined) {
      this.pending = undefined;
      pending.resolve({ value: msg, done: false });
    } else if (this.source.ended) {
      this.settle(DONE);
      this.finish();
    } else {
      this.source.park(this.wake);
    }
  }

  private abort(reason: unknown): void {
    const pending = this.pending;
    this.pending = undefined;
    this.finish();
    pending?.reject(reason);
  }

  private settle(result: IteratorResult<T>): void {
    const pending = this.pending;
    this.pending = undefined;
    pending?.resolve(result);
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.onAbort) this.signal?.removeEventListener('abort', this.onAbort);
    this.source.release();
  }
}
