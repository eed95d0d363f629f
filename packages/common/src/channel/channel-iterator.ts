import type { Channel } from './channel.js';
import type { WaitNode } from './wait-list.js';
import { DONE, EMPTY, type ReceiveWaiter } from './waiters.js';

type Settle<T> = (result: IteratorResult<T>) => void;

/** A settled end of iteration, shared: a finished iterator answers every `next()` without allocating. */
const DONE_PROMISE: Promise<IteratorResult<never>> = Promise.resolve(DONE);

/**
 * The resolver of the promise being built; `new Promise(captureSettle)` takes it without a closure
 * per `next()`, which is the hot path of a `for await` consumer that keeps up with its producer.
 */
let captured: ((result: never) => void) | null = null;
function captureSettle(resolve: (result: never) => void): void {
  captured = resolve;
}

/**
 * One consumer's `for await` over a channel; `return()` (a `break`) hands back nothing it has not yielded.
 * A `for await` has at most one `next()` waiting, served by one reused waiter; more concurrent
 * `next()` calls (allowed by the protocol) get waiters of their own, queued behind it in call order.
 */
export class ChannelIterator<T> implements AsyncIterableIterator<T> {
  private done = false;
  /** The reused waiter; busy while its `settle` is set. */
  private readonly slot: IteratorWaiter<T>;
  /** Waiters of further concurrent `next()` calls, unlinked from the channel when the iterator returns. */
  private extra: Set<IteratorWaiter<T>> | null = null;

  constructor(private readonly channel: Channel<T>) {
    this.slot = new IteratorWaiter<T>(this);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.done) return DONE_PROMISE;
    const value = this.channel._poll();
    if (value !== EMPTY) return Promise.resolve({ value, done: false });
    if (this.channel.closed) {
      this.done = true;
      return DONE_PROMISE;
    }
    const promise = new Promise<IteratorResult<T>>(captureSettle);
    let waiter = this.slot;
    if (waiter.settle !== null) {
      waiter = new IteratorWaiter<T>(this);
      (this.extra ??= new Set()).add(waiter);
    }
    waiter.settle = captured as Settle<T>;
    captured = null;
    // Queued behind any earlier waiter of this iterator, so results come back in call order.
    this.channel._waitReceive(waiter);
    return promise;
  }

  return(): Promise<IteratorResult<T>> {
    this.done = true;
    if (this.slot.settle !== null) this.cancel(this.slot);
    if (this.extra !== null) {
      for (const waiter of this.extra) this.cancel(waiter);
      this.extra = null;
    }
    return DONE_PROMISE;
  }

  /** Called by a waiter as it is served, before it settles its promise. */
  settled(waiter: IteratorWaiter<T>, ok: boolean): void {
    if (!ok) this.done = true;
    if (waiter !== this.slot) this.extra?.delete(waiter);
  }

  private cancel(waiter: IteratorWaiter<T>): void {
    this.channel._cancelReceive(waiter);
    const settle = waiter.settle;
    waiter.settle = null;
    settle?.(DONE);
  }
}

class IteratorWaiter<T> implements ReceiveWaiter<T> {
  prev: WaitNode | null = null;
  next: WaitNode | null = null;
  linked = false;
  /** Resolver of the `next()` this waiter stands for; null while idle. */
  settle: Settle<T> | null = null;
  constructor(private readonly iterator: ChannelIterator<T>) {}
  deliver(value: T | undefined, ok: boolean): void {
    const settle = this.settle as Settle<T>;
    this.settle = null;
    this.iterator.settled(this, ok);
    if (!ok) {
      settle(DONE);
      return;
    }
    // The value is ours already; settling one microtask later lets the sender's loop buffer its
    // next value first, so the consumer's next `next()` finds one ready instead of parking
    // again (docs/design.md, "Channels", the lag of a parked receiver).
    const result: IteratorResult<T> = { value: value as T, done: false };
    queueMicrotask(() => settle(result));
  }
}
