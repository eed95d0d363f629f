import { ChannelClosedError, InvalidArgumentError } from '../errors.js';
import { Channel, type ReceiveChannel, type ReceiveResult, type SendChannel } from './channel.js';
import type { WaitNode } from './wait-list.js';
import type { ReceiveWaiter, SendWaiter } from './waiters.js';

/** A `select` case that fires when a value (or the close) can be received from `channel`. */
export interface ReceiveCase<T> {
  readonly kind: 'receive';
  /** The channel to receive from. */
  readonly channel: ReceiveChannel<T>;
}

/** A `select` case that fires when `value` has been put into `channel`. */
export interface SendCase<T> {
  readonly kind: 'send';
  /** The channel to send on. */
  readonly channel: SendChannel<T>;
  /** The value to send. */
  readonly value: T;
}

/** One case of `select`, made with `onReceive` or `onSend`. */
export type SelectCase = ReceiveCase<unknown> | SendCase<unknown>;

/** A receive case fired: `ok: false` means its channel is closed and drained. */
export type ReceiveFired<T, I extends number = number> =
  | {
      kind: 'receive';
      /** Position of the case in the array given to `select`. */
      index: I;
      /** The value received. */
      value: T;
      /** True: a value was received. */
      ok: true;
    }
  | {
      kind: 'receive';
      /** Position of the case in the array given to `select`. */
      index: I;
      /** No value: the channel is closed and drained. */
      value: undefined;
      /** False: the channel is closed and drained. */
      ok: false;
    };

/** A send case fired: its value is now in the channel (or with a receiver). */
export interface SendFired<I extends number = number> {
  kind: 'send';
  /** Position of the case in the array given to `select`. */
  index: I;
}

/** No case fired within `timeoutMs`. */
export interface SelectTimeout {
  kind: 'timeout';
}

type IndexOf<K> = K extends `${infer N extends number}` ? N : number;
type CaseResult<C, I extends number> =
  C extends ReceiveCase<infer T> ? ReceiveFired<T, I> : C extends SendCase<unknown> ? SendFired<I> : never;

/**
 * The outcome of `select(cases)`: a union with one member per case, discriminated by `kind`
 * and `index` (for a tuple of cases, `index` is the literal position, so narrowing on it types
 * `value`), plus SelectTimeout.
 */
export type SelectResult<C extends readonly SelectCase[]> =
  | { [K in keyof C]: CaseResult<C[K], IndexOf<K>> }[number]
  | SelectTimeout;

/** Options of `select`. */
export interface SelectOptions {
  /** Resolve `{ kind: 'timeout' }` if no case fires within this many ms; 0 = don't wait (Go's `default`). */
  timeoutMs?: number;
  /** Aborting rejects the pending `select` with `signal.reason`; no case fires after that. */
  signal?: AbortSignal;
}

/** A receive case for `select`. */
export function onReceive<T>(channel: ReceiveChannel<T>): ReceiveCase<T> {
  return { kind: 'receive', channel };
}

/** A send case for `select`. */
export function onSend<T>(channel: SendChannel<T>, value: T): SendCase<T> {
  return { kind: 'send', channel, value };
}

/**
 * Waits on several channel operations at once, like Go's `select`. Exactly one case fires:
 * the others consume and send nothing, and leave no waiter behind. When several are ready
 * at once one is picked at random, so no channel starves.
 * Resolves with the case that fired, or `{ kind: 'timeout' }` after `timeoutMs`.
 * Rejects with ChannelClosedError if a send case's channel is or becomes closed (Go panics),
 * and with `signal.reason` on abort. Throws InvalidArgumentError (synchronously) for a bad
 * `timeoutMs`, a channel not made by `new Channel`, or no cases with no timeout and no signal.
 * Leaves no timer or listener running once settled.
 */
export function select<const C extends readonly SelectCase[]>(
  cases: C,
  options: SelectOptions = {},
): Promise<SelectResult<C>> {
  const { timeoutMs, signal } = options;
  if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs >= 0)) {
    throw new InvalidArgumentError('timeoutMs', timeoutMs, 'must be a finite number >= 0');
  }
  cases.forEach((c, i) => {
    if (!(c.channel instanceof Channel)) {
      throw new InvalidArgumentError(`cases[${i}].channel`, typeof c.channel, 'must be a Channel');
    }
  });
  if (cases.length === 0 && timeoutMs === undefined && signal === undefined) {
    throw new InvalidArgumentError('cases', cases, 'an empty select with no timeoutMs or signal waits forever');
  }
  if (signal?.aborted) return Promise.reject(signal.reason);
  type Out = Promise<SelectResult<C>>;

  // Ready cases first, from a random start (Go picks uniformly among ready cases).
  const n = cases.length;
  const start = n > 1 ? Math.floor(Math.random() * n) : 0;
  for (let k = 0; k < n; k++) {
    const index = (start + k) % n;
    const c = cases[index] as SelectCase;
    const channel = c.channel as Channel<unknown>;
    if (c.kind === 'receive') {
      const r = channel.tryReceive();
      if (r !== undefined) return Promise.resolve(received(index, r)) as Out;
    } else {
      if (channel.closed) return Promise.reject(new ChannelClosedError());
      if (channel._offer(c.value)) return Promise.resolve({ kind: 'send', index }) as Out;
    }
  }
  if (timeoutMs === 0) return Promise.resolve({ kind: 'timeout' }) as Out;
  return new Promise((resolve, reject) => {
    new SelectOperation(cases, resolve as (r: Fired) => void, reject, timeoutMs, signal);
  }) as Out;
}

type Fired = ReceiveFired<unknown> | SendFired | SelectTimeout;

function received(index: number, r: ReceiveResult<unknown>): ReceiveFired<unknown> {
  return r.ok ? { kind: 'receive', index, value: r.value, ok: true } : { kind: 'receive', index, value: undefined, ok: false };
}

/** One pending select: a waiter parked on every case's channel; the first to be served wins. */
class SelectOperation {
  /** Set by the first settle; guards against a second case or the timer firing too. */
  private settled = false;
  private readonly waiters: (SelectReceiver | SelectSender)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly onAbort: (() => void) | undefined;

  constructor(
    cases: readonly SelectCase[],
    private readonly resolve: (result: Fired) => void,
    private readonly reject: (reason: unknown) => void,
    timeoutMs: number | undefined,
    private readonly signal: AbortSignal | undefined,
  ) {
    // The ready pass found nothing and nothing ran since, so parking cannot match another waiter now.
    cases.forEach((c, index) => {
      const channel = c.channel as Channel<unknown>;
      if (c.kind === 'receive') {
        const w = new SelectReceiver(this, index, channel);
        this.waiters.push(w);
        channel._waitReceive(w);
      } else {
        const w = new SelectSender(this, index, channel, c.value);
        this.waiters.push(w);
        channel._waitSend(w);
      }
    });
    if (timeoutMs !== undefined) this.timer = setTimeout(() => this.settle(() => this.resolve({ kind: 'timeout' })), timeoutMs);
    if (signal !== undefined) {
      this.onAbort = () => this.settle(() => this.reject(signal.reason));
      signal.addEventListener('abort', this.onAbort, { once: true });
    }
  }

  /** Runs `outcome` for the first settler only, after unparking every other case. */
  settle(outcome: () => void): void {
    if (this.settled) return;
    this.settled = true;
    for (const w of this.waiters) w.cancel();
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.signal !== undefined && this.onAbort !== undefined) this.signal.removeEventListener('abort', this.onAbort);
    outcome();
  }

  fire(result: Fired): void {
    this.settle(() => this.resolve(result));
  }

  fail(error: Error): void {
    this.settle(() => this.reject(error));
  }
}

class SelectReceiver implements ReceiveWaiter<unknown> {
  prev: WaitNode | null = null;
  next: WaitNode | null = null;
  linked = false;
  constructor(
    private readonly op: SelectOperation,
    private readonly index: number,
    private readonly channel: Channel<unknown>,
  ) {}
  deliver(value: unknown, ok: boolean): void {
    this.op.fire(ok ? { kind: 'receive', index: this.index, value, ok: true } : { kind: 'receive', index: this.index, value: undefined, ok: false });
  }
  cancel(): void {
    this.channel._cancelReceive(this);
  }
}

class SelectSender implements SendWaiter<unknown> {
  prev: WaitNode | null = null;
  next: WaitNode | null = null;
  linked = false;
  constructor(
    private readonly op: SelectOperation,
    private readonly index: number,
    private readonly channel: Channel<unknown>,
    readonly value: unknown,
  ) {}
  complete(): void {
    this.op.fire({ kind: 'send', index: this.index });
  }
  fail(error: Error): void {
    this.op.fail(error);
  }
  cancel(): void {
    this.channel._cancelSend(this);
  }
}
