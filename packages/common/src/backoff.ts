import { InvalidArgumentError } from './errors.js';

/**
 * Retry delays for re-subscribing and retrying calls (mesos-go `backoff`,
 * docs/protocol.md, "Subscribing": a scheduler re-subscribes "with backoff" after a
 * disconnection, so a failed-over master is not stampeded).
 */
export interface ExponentialBackoffOptions {
  /** Un-jittered first delay, ms (≥ 0). */
  initialMs: number;
  /** Cap on the un-jittered delay, ms (≥ initialMs). */
  maxMs: number;
  /** Growth per attempt (≥ 1). Default 2. */
  factor?: number;
  /**
   * Share of each delay that is random, in [0, 1]: the delay is drawn uniformly
   * from [base·(1 − jitter), base]. 0 = no jitter, 1 = "full jitter". Default 0.5.
   */
  jitter?: number;
  /** Source of uniform numbers in [0, 1); injectable for tests. Default Math.random. */
  random?: () => number;
}

/** An endless sequence of delays; `reset()` after a success starts again from `initialMs`. */
export interface Backoff extends IterableIterator<number> {
  next(): IteratorResult<number, never>;
  /** Starts over at attempt 0 (call it once the retried operation succeeded). */
  reset(): void;
  /** Delays handed out since the last reset. */
  readonly attempt: number;
}

export const DEFAULT_BACKOFF_FACTOR = 2;
export const DEFAULT_BACKOFF_JITTER = 0.5;

/**
 * Exponential backoff with a cap and partial-to-full jitter: attempt n's base is
 * `min(maxMs, initialMs · factor^n)`, and the delay is that base minus a random
 * share of up to `jitter` of it. Throws InvalidArgumentError on bad options.
 * Holds no timer: pair it with `delay`.
 */
export function exponentialBackoff(options: ExponentialBackoffOptions): Backoff {
  const { initialMs, maxMs } = options;
  const factor = options.factor ?? DEFAULT_BACKOFF_FACTOR;
  const jitter = options.jitter ?? DEFAULT_BACKOFF_JITTER;
  const random = options.random ?? Math.random;
  if (!Number.isFinite(initialMs) || initialMs < 0) {
    throw new InvalidArgumentError('initialMs', initialMs, 'must be a finite number ≥ 0');
  }
  if (!Number.isFinite(maxMs) || maxMs < initialMs) {
    throw new InvalidArgumentError('maxMs', maxMs, `must be finite and ≥ initialMs (${initialMs})`);
  }
  if (!Number.isFinite(factor) || factor < 1) throw new InvalidArgumentError('factor', factor, 'must be ≥ 1');
  if (!(jitter >= 0 && jitter <= 1)) throw new InvalidArgumentError('jitter', jitter, 'must be within [0, 1]');

  /** Un-jittered delay of the next attempt; stops growing at maxMs (so it never overflows). */
  let base = initialMs;
  let attempt = 0;
  const backoff: Backoff = {
    next() {
      const value = base * (1 - jitter * random());
      attempt += 1;
      base = Math.min(maxMs, base * factor);
      return { done: false, value };
    },
    reset() {
      base = initialMs;
      attempt = 0;
    },
    get attempt() {
      return attempt;
    },
    [Symbol.iterator]() {
      return backoff;
    },
  };
  return backoff;
}

/**
 * Resolves after `ms` milliseconds; for retry loops, not for synchronising tests.
 * Rejects with `signal.reason` unchanged if the signal aborts first (or already
 * has), and then leaves no timer behind. Throws InvalidArgumentError for a
 * negative or non-finite `ms`.
 */
export function delay(ms: number, options: { signal?: AbortSignal } = {}): Promise<void> {
  if (!Number.isFinite(ms) || ms < 0) throw new InvalidArgumentError('ms', ms, 'must be a finite number ≥ 0');
  const { signal } = options;
  if (signal?.aborted === true) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
