import type { Channel } from './channel.js';
import type { WaitNode } from './wait-list.js';
import { DONE, EMPTY, type ReceiveWaiter } from './waiters.js';

/** One consumer's `for await` over a channel; `return()` (a `break`) hands back nothing it has not yielded. */
export class ChannelIterator<T> implements AsyncIterableIterator<T> {
  private done = false;
  /** `next()` calls still waiting; unlinked from the channel when the iterator returns. */
  private readonly pending = new Set<IteratorWaiter<T>>();

  constructor(private readonly channel: Channel<T>) {}

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.done) return Promise.resolve(DONE);
    const value = this.channel._poll();
    if (value !== EMPTY) return Promise.resolve({ value, done: false });
    if (this.channel.closed) {
      this.done = true;
      return Promise.resolve(DONE);
    }
    return new Promise<IteratorResult<T>>((resolve) => {
      const waiter = new IteratorWaiter<T>(this, resolve);
      this.pending.add(waiter);
      this.channel._waitReceive(waiter);
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.done = true;
    for (const waiter of this.pending) {
      this.channel._cancelReceive(waiter);
      waiter.resolve(DONE);
    }
    this.pending.clear();
    return Promise.resolve(DONE);
  }

  /** Called by a waiter as it is served. */
  settled(waiter: IteratorWaiter<T>, ok: boolean): void {
    this.pending.delete(waiter);
    if (!ok) this.done = true;
  }
}

class IteratorWaiter<T> implements ReceiveWaiter<T> {
  prev: WaitNode | null = null;
  next: WaitNode | null = null;
  linked = false;
  constructor(
    private readonly iterator: ChannelIterator<T>,
    readonly resolve: (result: IteratorResult<T>) => void,
  ) {}
  deliver(value: T | undefined, ok: boolean): void {
    this.iterator.settled(this, ok);
    this.resolve(ok ? { value: value as T, done: false } : DONE);
  }
}
