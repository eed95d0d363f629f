import type { Channel } from './channel.js';
import type { WaitNode } from './wait-list.js';
import { DONE, type ReceiveWaiter } from './waiters.js';

const DONE_PROMISE: Promise<IteratorResult<never>> = Promise.resolve(DONE);

/**
 * One consumer's batched `for await` over a channel (`channel.batches(max)`): each step yields
 * 1 … `max` values in order, so a consumer that keeps up pays one promise per batch instead of
 * one per value. `return()` (a `break`) hands back nothing it has not yielded. Concurrent
 * `next()` calls are served one after another, in call order.
 */
export class BatchIterator<T> implements AsyncIterableIterator<T[]> {
  private done = false;
  /** This iterator's place in the channel's receivers while a `next()` waits. */
  private readonly waiter: BatchWaiter<T> = new BatchWaiter<T>(this);
  /** Resolver of the parked `next()`; set while this iterator waits in the channel's receivers. */
  private settle: ((result: IteratorResult<T[]>) => void) | null = null;
  /** The last `next()` handed out, so a concurrent call queues behind it. */
  private last: Promise<IteratorResult<T[]>> = DONE_PROMISE;

  constructor(
    private readonly channel: Channel<T>,
    private readonly max: number,
  ) {}

  [Symbol.asyncIterator](): AsyncIterableIterator<T[]> {
    return this;
  }

  next(): Promise<IteratorResult<T[]>> {
    // A second concurrent call waits for the first: only one waiter per iterator is parked.
    this.last = this.settle === null ? this.take() : this.last.then(() => this.take());
    return this.last;
  }

  return(): Promise<IteratorResult<T[]>> {
    this.done = true;
    const settle = this.settle;
    if (settle !== null) {
      this.settle = null;
      this.channel._cancelReceive(this.waiter);
      settle(DONE);
    }
    return DONE_PROMISE;
  }

  /** Called by the waiter with a value (or the close) once the channel unlinked it. */
  delivered(value: T | undefined, ok: boolean): void {
    const settle = this.settle as (result: IteratorResult<T[]>) => void;
    this.settle = null;
    if (!ok) {
      this.done = true;
      settle(DONE);
      return;
    }
    const batch = [value as T];
    // Collects what the sender buffers in this same turn, before the consumer resumes (see ManyRequest).
    if (this.max > 1) queueMicrotask(() => this.channel._pollMany(batch, this.max));
    settle({ value: batch, done: false });
  }

  private take(): Promise<IteratorResult<T[]>> {
    if (this.done) return DONE_PROMISE;
    const batch = this.channel._pollMany([], this.max);
    if (batch.length > 0) return Promise.resolve({ value: batch, done: false });
    if (this.channel.closed) {
      this.done = true;
      return DONE_PROMISE;
    }
    const promise = new Promise<IteratorResult<T[]>>((resolve) => (this.settle = resolve));
    this.channel._waitReceive(this.waiter);
    return promise;
  }
}

class BatchWaiter<T> implements ReceiveWaiter<T> {
  prev: WaitNode | null = null;
  next: WaitNode | null = null;
  linked = false;
  constructor(private readonly iterator: BatchIterator<T>) {}
  deliver(value: T | undefined, ok: boolean): void {
    this.iterator.delivered(value, ok);
  }
}
