/**
 * The statistics the harness reports. Kept apart from timing so a unit test can check them on
 * fixed numbers (bench/test/stats.test.ts).
 */
import { InvalidArgumentError } from '@mesosgot/common';

function sortedCopy(samples: readonly number[], field: string): number[] {
  if (samples.length === 0) throw new InvalidArgumentError(field, samples, 'needs at least one sample');
  for (const x of samples) {
    if (!Number.isFinite(x)) throw new InvalidArgumentError(field, x, 'samples must be finite numbers');
  }
  return [...samples].sort((a, b) => a - b);
}

/**
 * The middle sample; the mean of the two middle ones for an even count. Throws
 * InvalidArgumentError on an empty list or a non-finite sample.
 */
export function median(samples: readonly number[]): number {
  const xs = sortedCopy(samples, 'samples');
  const mid = xs.length >> 1;
  return xs.length % 2 === 1 ? xs[mid]! : (xs[mid - 1]! + xs[mid]!) / 2;
}

/**
 * The p-th percentile (0 ≤ p ≤ 100) with linear interpolation between closest ranks (the
 * "type 7" estimator of R and NumPy's default): rank = p/100 × (n − 1). percentile(xs, 50)
 * equals median(xs). Throws InvalidArgumentError on an empty list or p outside [0, 100].
 */
export function percentile(samples: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 100)) throw new InvalidArgumentError('p', p, 'must be within [0, 100]');
  const xs = sortedCopy(samples, 'samples');
  const rank = (p / 100) * (xs.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return xs[lo]! + (xs[hi]! - xs[lo]!) * (rank - lo);
}

/**
 * value / baseline, or undefined when the baseline is missing, zero or not finite (a ratio
 * against nothing would print as Infinity or NaN and pass any goal).
 */
export function ratio(value: number, baseline: number | undefined): number | undefined {
  if (baseline === undefined || !Number.isFinite(baseline) || baseline === 0 || !Number.isFinite(value)) {
    return undefined;
  }
  return value / baseline;
}

/** Operations per second from a count and an elapsed time in milliseconds. */
export function perSecond(count: number, elapsedMs: number): number {
  if (!(elapsedMs > 0)) throw new InvalidArgumentError('elapsedMs', elapsedMs, 'must be > 0');
  return (count * 1000) / elapsedMs;
}
