import type { Channel, ReceiveResult } from './channel.js';
import type { WaitList, WaitNode } from './wait-list.js';
import type { ReceiveWaiter, SendWaiter } from './waiters.js';

/** What a receive resolves with once the channel is closed and drained; shared, never mutated. */
export const CLOSED_RESULT: ReceiveResult<never> = Object.freeze({ value: undefined, ok: false });

/** Shared by the promise-backed waiters: abort handling that removes the waiter from its list. */
abstract class AbortableWaiter {
  prev: WaitNode | null = null;
  next: WaitNode | null = null;
  linked = false;
  private signal: AbortSignal | null = null;
  private onAbort: (() => void) | null = null;

  constructor(protected readonly rejectPromise: (reason: unknown) => void) {}

  /**
   * Rejects with `signal.reason` on abort after removing the waiter from `list` (so nothing is taken).
   * Only a send or receive given a signal pays for the listener.
   */
  watch(signal: AbortSignal, list: WaitList<WaitNode>): void {
    this.signal = signal;
    this.onAbort = () => {
      list.remove(this);
      this.rejectPromise(signal.reason);
    };
    signal.addEventListener('abort', this.onAbort, { once: true });
  }

  protected unwatch(): void {
    if (this.signal !== null && this.onAbort !== null) this.signal.removeEventListener('abort', this.onAbort);
  }
}

export class SendRequest<T> extends AbortableWaiter implements SendWaiter<T> {
  constructor(
    readonly value: T,
    private readonly resolve: () => void,
    reject: (reason: unknown) => void,
  ) {
    super(reject);
  }
  complete(): void {
    this.unwatch();
    this.resolve();
  }
  fail(error: Error): void {
    this.unwatch();
    this.rejectPromise(error);
  }
}

/**
 * A blocked `sendMany`: the values from `next` on, taken one at a time as room appears (the
 * channel refills its buffer from the sender first in line), settled once the last one is
 * taken: one promise for the whole rest, however slowly the receiver takes.
 */
export class ManySendRequest<T> extends AbortableWaiter implements SendWaiter<T> {
  constructor(
    private readonly values: readonly T[],
    /** Index of the value to take next. */
    private at: number,
    private readonly resolve: () => void,
    reject: (reason: unknown) => void,
  ) {
    super(reject);
  }
  get value(): T {
    return this.values[this.at] as T;
  }
  get hasMore(): boolean {
    return this.at + 1 < this.values.length;
  }
  advance(): void {
    this.at++;
  }
  complete(): void {
    this.at++;
    this.unwatch();
    this.resolve();
  }
  fail(error: Error): void {
    this.unwatch();
    this.rejectPromise(error);
  }
}

export class ReceiveRequest<T> extends AbortableWaiter implements ReceiveWaiter<T> {
  constructor(
    private readonly resolve: (result: ReceiveResult<T>) => void,
    reject: (reason: unknown) => void,
  ) {
    super(reject);
  }
  deliver(value: T | undefined, ok: boolean): void {
    this.unwatch();
    if (!ok) {
      this.resolve(CLOSED_RESULT);
      return;
    }
    // Settled a microtask late, as an iterator's waiter is (docs/design.md, "Channels"): the
    // value is already ours, and the sender gets to buffer its next one before we look again.
    const result: ReceiveResult<T> = { value: value as T, ok: true };
    const resolve = this.resolve;
    queueMicrotask(() => resolve(result));
  }
}

/**
 * A waiting `receiveMany`. It is handed one value (the channel hands values to waiters one at a
 * time); the batch then collects what else is buffered in a microtask queued before the promise
 * settles, which runs after the sender's synchronous work (a `sendMany` fills the buffer first)
 * and before the receiver's continuation, so the receiver sees the whole batch.
 */
export class ManyRequest<T> extends AbortableWaiter implements ReceiveWaiter<T> {
  constructor(
    private readonly channel: Channel<T>,
    private readonly max: number,
    private readonly resolve: (batch: T[]) => void,
    reject: (reason: unknown) => void,
  ) {
    super(reject);
  }
  deliver(value: T | undefined, ok: boolean): void {
    this.unwatch();
    if (!ok) {
      this.resolve([]);
      return;
    }
    const batch = [value as T];
    if (this.max > 1) queueMicrotask(() => this.channel._pollMany(batch, this.max));
    this.resolve(batch);
  }
}
