/**
 * The limits every HTTP server of the local cluster (master and agents) applies before a
 * request reaches its route, so an endpoint added later gets them without asking. The
 * defaults are sized for one machine shared with the scheduler: a framework's calls are small
 * (a 256 KiB message batch is large), and a stream is one connection per framework or executor.
 */

export interface HttpLimits {
  /** Open connections; beyond it the oldest idle or unfinished request is dropped, else the newcomer gets 503. */
  maxConnections: number;
  /** One request body; above it, 413 (before reading it when Content-Length says so). */
  maxBodyBytes: number;
  /** All request bodies being received at once; past it, 503 until some complete. */
  maxInFlightBodyBytes: number;
  /** From connection (or the previous response) to the end of the request headers; then 408. */
  headersTimeoutMs: number;
  /** From the request's start to the last byte of its body; then 408. Answers (streams) are not limited. */
  bodyTimeoutMs: number;
  /** An idle keep-alive connection is closed after this long. */
  idleTimeoutMs: number;
}

/** The limits a LocalCluster's servers apply unless its options override them. */
export const DEFAULT_HTTP_LIMITS: Readonly<HttpLimits> = {
  maxConnections: 512,
  maxBodyBytes: 64 * 1024 * 1024,
  maxInFlightBodyBytes: 128 * 1024 * 1024,
  headersTimeoutMs: 10_000,
  bodyTimeoutMs: 30_000,
  idleTimeoutMs: 5_000,
};

/** The defaults with `overrides` applied; throws RangeError for a limit that is not positive. */
export function resolveHttpLimits(overrides: Partial<HttpLimits> = {}): HttpLimits {
  const limits = { ...DEFAULT_HTTP_LIMITS, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`http limit ${name} must be a positive number, got ${String(value)}`);
  }
  return limits;
}
