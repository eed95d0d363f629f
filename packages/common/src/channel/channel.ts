import { ChannelClosedError, InvalidArgumentError } from '../errors.js';
import { RingBuffer } from './ring-buffer.js';
import { ChannelIterator } from './channel-iterator.js';
import { BatchIterator } from './batch-iterator.js';
import { CLOSED_RESULT, ManyRequest, ManySendRequest, ReceiveRequest, SendRequest } from './requests.js';
import { WaitList } from './wait-list.js';
import { EMPTY, type ReceiveWaiter, type SendWaiter } from './waiters.js';

/** Slots a channel's ring starts with; it grows by doubling up to the capacity. */
const INITIAL_RING_SLOTS = 16;

/** Buffer size of a channel created without one, as in mesosgot (docs/design.md, "Channels"). */
export const DEFAULT_CHANNEL_CAPACITY = 256;

/** What `receive` yields: a value, or `ok: false` once the channel is closed and drained (Go's `v, ok := <-ch`). */
export type ReceiveResult<T> =
  | {
      /** The value received. */
      value: T;
      /** True: a value was received. */
      ok: true;
    }
  | {
      /** No value: the channel is closed and drained. */
      value: undefined;
      /** False: the channel is closed and drained. */
      ok: false;
    };

/** The sending end of a channel (a task's `output`, the scheduler's `schedOut`). */
export interface SendChannel<T> {
  /**
   * Resolves once the value is buffered or handed to a waiting receiver; waits while the buffer
   * is full (backpressure). Rejects with ChannelClosedError if the channel is closed or closes
   * while waiting, and with `signal.reason` on abort; a rejected send never enqueues its value.
   */
  send(value: T, options?: { signal?: AbortSignal }): Promise<void>;
  /** Sends without waiting: false when it would block. Throws ChannelClosedError on a closed channel. */
  trySend(value: T): boolean;
  /**
   * Sends `values` in order, as one `send` each would but paying for at most one promise: what
   * does not fit waits as one sender, taken value by value as room appears, and the promise
   * resolves once the last one is buffered or handed to a receiver.
   * Values of other senders may come between two of ours (as between two `send`s). Rejects with
   * ChannelClosedError if the channel is or becomes closed, and with `signal.reason` on abort;
   * then the values before the first one not taken were sent (in order) and none after it.
   */
  sendMany(values: readonly T[], options?: { signal?: AbortSignal }): Promise<void>;
  /** Sends the longest prefix of `values` that fits without waiting; returns its length. Throws ChannelClosedError on a closed channel. */
  trySendMany(values: readonly T[]): number;
  /** Closes the channel (idempotent): buffered values still drain, waiting senders are rejected. */
  close(): void;
  /** Whether `close()` has been called. */
  readonly closed: boolean;
}

/** The receiving end of a channel (a task's `input`, the scheduler's `schedIn`). */
export interface ReceiveChannel<T> extends AsyncIterable<T> {
  /**
   * Resolves with the oldest value, waiting for one if the buffer is empty; resolves
   * `{ ok: false }` once the channel is closed and drained. Rejects with `signal.reason` on abort
   * (no value is consumed by an aborted receive). Any number of receivers may wait at once.
   */
  receive(options?: { signal?: AbortSignal }): Promise<ReceiveResult<T>>;
  /** Receives without waiting: undefined when it would block, `{ ok: false }` when closed and drained. */
  tryReceive(): ReceiveResult<T> | undefined;
  /**
   * Resolves with the oldest 1 … `max` values in order, waiting for the first if the buffer is
   * empty (what arrives in the same turn as the first joins it); resolves `[]` once the channel
   * is closed and drained. Rejects with `signal.reason` on abort, taking nothing. Throws
   * InvalidArgumentError unless `max` is a positive integer.
   */
  receiveMany(max: number, options?: { signal?: AbortSignal }): Promise<T[]>;
  /**
   * Yields arrays of 1 … `max` values (default: the capacity, at least 1) in order until the
   * channel is closed and drained: the batched `for await`. `break` loses no value.
   * Throws InvalidArgumentError unless `max` is a positive integer.
   */
  batches(max?: number): AsyncIterableIterator<T[]>;
  /**
   * Yields values in order until the channel is closed and drained. `break` ends the iteration
   * without closing the channel or losing a value. Each iterator is one consumer; several
   * iterators on one channel share the values (each value goes to one of them).
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<T>;
  /** Resolves once the channel is closed and its buffer is empty. */
  drained(): Promise<void>;
  /** Whether `close()` has been called (values may still be buffered). */
  readonly closed: boolean;
  /** Values buffered now. */
  readonly length: number;
  /** Most values the buffer holds; 0 for an unbuffered channel. */
  readonly capacity: number;
}

const RESOLVED: Promise<void> = Promise.resolve();
const NOTHING: Promise<never[]> = Promise.resolve([]);

/*
 * The settle functions of the promise being built: `new Promise(capture)` hands them over without
 * allocating a closure per blocked `send`/`receive`. Read (and cleared) right after the constructor.
 */
let capturedResolve: ((value: never) => void) | null = null;
let capturedReject: ((reason: unknown) => void) | null = null;
function capture(resolve: (value: never) => void, reject: (reason: unknown) => void): void {
  capturedResolve = resolve;
  capturedReject = reject;
}
function takeResolve(): (value: never) => void {
  const resolve = capturedResolve as (value: never) => void;
  capturedResolve = null;
  return resolve;
}
function takeReject(): (reason: unknown) => void {
  const reject = capturedReject as (reason: unknown) => void;
  capturedReject = null;
  return reject;
}

/**
 * A Go-style channel: a FIFO of at most `capacity` values between any number of senders and
 * receivers. Capacity 0 is an unbuffered rendezvous: `send` resolves when a receiver takes the value.
 * Memory is bounded by `capacity` plus the senders that are waiting. Holds no timers or handles,
 * so an abandoned channel is simply garbage-collected.
 */
export class Channel<T> implements SendChannel<T>, ReceiveChannel<T> {
  /** Most values the buffer holds; 0 for an unbuffered channel. */
  readonly capacity: number;
  /** Buffered values; never more than `capacity`. Written by `_offer` and `_poll` only. */
  private readonly buffer: RingBuffer<T>;
  /** Receivers waiting for a value; non-empty only while the buffer is empty. */
  private readonly receivers = new WaitList<ReceiveWaiter<T>>();
  /** Senders waiting for room; non-empty only while the buffer is full. */
  private readonly senders = new WaitList<SendWaiter<T>>();
  private isClosed = false;
  /** Resolver of the promise handed out by `drained()`, created on first call. */
  private drainedResolve: (() => void) | null = null;
  private drainedPromise: Promise<void> | null = null;

  /** Throws InvalidArgumentError unless `capacity` is a non-negative safe integer. */
  constructor(capacity: number = DEFAULT_CHANNEL_CAPACITY) {
    if (!Number.isSafeInteger(capacity) || capacity < 0) {
      throw new InvalidArgumentError('capacity', capacity, 'must be a non-negative integer');
    }
    this.capacity = capacity;
    // Start small: the ring doubles on demand up to `capacity` items (callers check the bound).
    this.buffer = new RingBuffer<T>(Math.min(Math.max(capacity, 1), INITIAL_RING_SLOTS));
  }

  /** Whether `close()` has been called (values may still be buffered). */
  get closed(): boolean {
    return this.isClosed;
  }

  get length(): number {
    return this.buffer.size;
  }

  send(value: T, options?: { signal?: AbortSignal }): Promise<void> {
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.isClosed) return Promise.reject(new ChannelClosedError());
    if (this._offer(value)) return RESOLVED;
    const promise = new Promise<void>(capture);
    const waiter = new SendRequest(value, takeResolve() as () => void, takeReject());
    this.senders.push(waiter);
    if (signal) waiter.watch(signal, this.senders);
    return promise;
  }

  trySend(value: T): boolean {
    if (this.isClosed) throw new ChannelClosedError();
    return this._offer(value);
  }

  sendMany(values: readonly T[], options?: { signal?: AbortSignal }): Promise<void> {
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.isClosed) return Promise.reject(new ChannelClosedError());
    const taken = this._offerMany(values, 0);
    return taken === values.length ? RESOLVED : this.sendRest(values, taken, options);
  }

  trySendMany(values: readonly T[]): number {
    if (this.isClosed) throw new ChannelClosedError();
    return this._offerMany(values, 0);
  }

  receive(options?: { signal?: AbortSignal }): Promise<ReceiveResult<T>> {
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const value = this._poll();
    if (value !== EMPTY) return Promise.resolve({ value, ok: true });
    if (this.isClosed) return Promise.resolve(CLOSED_RESULT);
    const promise = new Promise<ReceiveResult<T>>(capture);
    const waiter = new ReceiveRequest<T>(takeResolve() as (result: ReceiveResult<T>) => void, takeReject());
    this.receivers.push(waiter);
    if (signal) waiter.watch(signal, this.receivers);
    return promise;
  }

  tryReceive(): ReceiveResult<T> | undefined {
    const value = this._poll();
    if (value !== EMPTY) return { value, ok: true };
    return this.isClosed ? CLOSED_RESULT : undefined;
  }

  receiveMany(max: number, options?: { signal?: AbortSignal }): Promise<T[]> {
    checkMax(max);
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const batch = this._pollMany([], max);
    if (batch.length > 0) return Promise.resolve(batch);
    if (this.isClosed) return NOTHING;
    const promise = new Promise<T[]>(capture);
    const waiter = new ManyRequest<T>(this, max, takeResolve() as (batch: T[]) => void, takeReject());
    this.receivers.push(waiter);
    if (signal) waiter.watch(signal, this.receivers);
    return promise;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return new ChannelIterator(this);
  }

  batches(max: number = Math.max(this.capacity, 1)): AsyncIterableIterator<T[]> {
    checkMax(max);
    return new BatchIterator(this, max);
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    // Receivers wait only on an empty buffer, so they learn of the close now.
    for (let r = this.receivers.shift(); r !== null; r = this.receivers.shift()) r.deliver(undefined, false);
    // Go drops the values of blocked senders on close; ours are told, and their values never enter.
    for (let s = this.senders.shift(); s !== null; s = this.senders.shift()) s.fail(new ChannelClosedError());
    this.checkDrained();
  }

  drained(): Promise<void> {
    if (this.isClosed && this.buffer.size === 0) return RESOLVED;
    if (this.drainedPromise === null) {
      this.drainedPromise = new Promise<void>((resolve) => (this.drainedResolve = resolve));
    }
    return this.drainedPromise;
  }

  /** @internal Puts a value in without waiting; false if that would block. Assumes not closed. */
  _offer(value: T): boolean {
    const receiver = this.receivers.shift();
    if (receiver !== null) {
      receiver.deliver(value, true);
      return true;
    }
    if (this.buffer.size < this.capacity) {
      this.buffer.push(value);
      return true;
    }
    return false;
  }

  /**
   * @internal Puts `values[from…]` in without waiting, in order, until one would block; returns
   * the index of the first value not taken. Assumes not closed.
   */
  _offerMany(values: readonly T[], from: number): number {
    const n = values.length;
    let i = from;
    // Receivers wait only on an empty buffer, so handing to them first keeps the order.
    while (i < n) {
      const receiver = this.receivers.shift();
      if (receiver === null) break;
      receiver.deliver(values[i++], true);
    }
    const end = Math.min(n, i + this.capacity - this.buffer.size);
    while (i < end) this.buffer.push(values[i++] as T);
    return i;
  }

  /**
   * @internal Appends up to `max - out.length` values to `out` without waiting: the buffer's,
   * then those of waiting senders (in their order), refilling the buffer from the senders left.
   */
  _pollMany(out: T[], max: number): T[] {
    const buffer = this.buffer;
    for (let n = Math.min(buffer.size, max - out.length); n > 0; n--) out.push(buffer.shift());
    // The buffer is empty while `out` has room, so a sender's value goes straight to `out`.
    while (!this.senders.isEmpty && (out.length < max || buffer.size < this.capacity)) {
      const value = this.takeSent();
      if (out.length < max) out.push(value);
      else buffer.push(value);
    }
    if (this.isClosed && buffer.size === 0) this.checkDrained();
    return out;
  }

  /** @internal Takes a value without waiting, or EMPTY. Refills the buffer from a waiting sender. */
  _poll(): T | typeof EMPTY {
    if (this.buffer.size > 0) {
      const value = this.buffer.shift();
      if (!this.senders.isEmpty) this.buffer.push(this.takeSent());
      else if (this.isClosed && this.buffer.size === 0) this.checkDrained();
      return value;
    }
    // Unbuffered (or capacity-0) rendezvous: take straight from a waiting sender.
    return this.senders.isEmpty ? EMPTY : this.takeSent();
  }

  /**
   * Takes the next value of the oldest waiting sender (there must be one): a sender with more
   * values stays first in line, any other leaves the line before it is told.
   */
  private takeSent(): T {
    const sender = this.senders.first as SendWaiter<T>;
    const value = sender.value;
    if (sender.hasMore === true) {
      sender.advance!();
    } else {
      this.senders.shift();
      sender.complete();
    }
    return value;
  }

  /** @internal Parks a receiver; the caller has checked that `_poll` is EMPTY and the channel open. */
  _waitReceive(waiter: ReceiveWaiter<T>): void {
    this.receivers.push(waiter);
  }

  /** @internal */
  _cancelReceive(waiter: ReceiveWaiter<T>): void {
    this.receivers.remove(waiter);
  }

  /** @internal Parks a sender; the caller has checked that `_offer` failed and the channel is open. */
  _waitSend(waiter: SendWaiter<T>): void {
    this.senders.push(waiter);
  }

  /** @internal */
  _cancelSend(waiter: SendWaiter<T>): void {
    this.senders.remove(waiter);
  }

  /** The slow path of sendMany: `values[from…]` wait in line as one sender. */
  private sendRest(values: readonly T[], from: number, options?: { signal?: AbortSignal }): Promise<void> {
    const promise = new Promise<void>(capture);
    const waiter = new ManySendRequest<T>(values, from, takeResolve() as () => void, takeReject());
    this.senders.push(waiter);
    if (options?.signal) waiter.watch(options.signal, this.senders);
    return promise;
  }

  private checkDrained(): void {
    if (this.drainedResolve !== null && this.isClosed && this.buffer.size === 0) {
      this.drainedResolve();
      this.drainedResolve = null;
    }
  }
}

/** Throws InvalidArgumentError unless a batch bound is a positive safe integer. */
function checkMax(max: number): void {
  if (!Number.isSafeInteger(max) || max < 1) throw new InvalidArgumentError('max', max, 'must be a positive integer');
}
