import { TimeoutError } from '@mesosgot/common/internal';

/** Options of waitFor. */
export interface WaitForOptions {
  /** Deadline for the condition; the wait rejects with TimeoutError after it. */
  timeoutMs?: number;
  /** How often the condition is polled, in ms. */
  intervalMs?: number;
  /** Shown in the TimeoutError so a failing test says what it waited for. */
  what?: string;
  /** Aborting rejects the wait with `signal.reason`. */
  signal?: AbortSignal;
}

const DEFAULT_WAIT_TIMEOUT_MS = 5_000;
const DEFAULT_POLL_INTERVAL_MS = 5;

/**
 * Resolves with the condition's first truthy value; rejects with TimeoutError at the deadline
 * (never a bare sleep: tests wait on state, with a deadline). Rejects with `signal.reason` on abort.
 */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  { timeoutMs = DEFAULT_WAIT_TIMEOUT_MS, intervalMs = DEFAULT_POLL_INTERVAL_MS, what, signal }: WaitForOptions = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    signal?.throwIfAborted();
    const value = await condition();
    if (value) return value as NonNullable<T>;
    if (Date.now() >= deadline) {
      throw new TimeoutError(`waitFor: ${what ?? condition.toString().slice(0, 120)}`, timeoutMs);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
