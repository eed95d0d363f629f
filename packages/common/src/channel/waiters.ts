import type { WaitNode } from './wait-list.js';

/** @internal A waiting receiver (a `receive`, an iterator's `next`, or a `select` case). */
export interface ReceiveWaiter<T> extends WaitNode {
  /** Called once, after the waiter was unlinked: a value, or `ok=false` on close. */
  deliver(value: T | undefined, ok: boolean): void;
}

/**
 * @internal A waiting sender; its value is taken only when `complete` is called. A sender of
 * several values (a blocked `sendMany`) says `hasMore` while `value` is not its last: the
 * channel then takes it with `advance` and leaves the sender first in line.
 */
export interface SendWaiter<T> extends WaitNode {
  /** The value to take next. */
  readonly value: T;
  /** More values follow `value`; `advance` then stands for taking it. */
  readonly hasMore?: boolean;
  /** `value` was taken and the next one is up (only while `hasMore`). */
  advance?(): void;
  /** The value was taken (buffered or handed to a receiver). */
  complete(): void;
  /** The channel closed before the value was taken. */
  fail(error: Error): void;
}

/** @internal Returned by `_poll` when nothing can be received without waiting. */
export const EMPTY: unique symbol = Symbol('empty');

/** @internal The end of an iteration, shared so finishing allocates nothing. */
export const DONE: IteratorResult<never> = Object.freeze({ value: undefined, done: true });
