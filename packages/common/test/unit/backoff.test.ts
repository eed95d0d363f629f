import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { InvalidArgumentError } from '@mesosgot/common';
import { delay, exponentialBackoff } from '@mesosgot/common/internal';

const take = (it: Iterator<number>, n: number): number[] => Array.from({ length: n }, () => it.next().value as number);

describe('backoff exponentialBackoff', () => {
  it.each([
    { n: 1, options: { initialMs: 100, maxMs: 1_000, jitter: 0 }, expected: [100, 200, 400, 800, 1_000, 1_000, 1_000] },
    { n: 2, options: { initialMs: 50, maxMs: 10_000, factor: 3, jitter: 0 }, expected: [50, 150, 450, 1_350, 4_050, 10_000] },
    { n: 3, options: { initialMs: 0, maxMs: 10, jitter: 0 }, expected: [0, 0, 0] },
    { n: 4, options: { initialMs: 10, maxMs: 10, jitter: 0 }, expected: [10, 10, 10] },
    { n: 5, options: { initialMs: 10, maxMs: 100, factor: 1, jitter: 0 }, expected: [10, 10, 10] },
    // random() = 1 - ε would be the shortest; 0 gives the un-jittered base.
    { n: 6, options: { initialMs: 100, maxMs: 1_000, jitter: 1, random: () => 0.5 }, expected: [50, 100, 200, 400, 500] },
    { n: 7, options: { initialMs: 100, maxMs: 1_000, random: () => 0.5 }, expected: [75, 150, 300, 600, 750] },
  ])('case $n: grows by factor up to the cap', ({ options, expected }) => {
    expect(take(exponentialBackoff(options), expected.length)).toEqual(expected);
  });

  it('never leaves [base·(1−jitter), base] and never exceeds maxMs', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.double({ min: 1, max: 4, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (initialMs, extra, factor, jitter) => {
          const maxMs = initialMs + extra;
          const delays = take(exponentialBackoff({ initialMs, maxMs, factor, jitter }), 40);
          let base = initialMs;
          for (const d of delays) {
            expect(d).toBeLessThanOrEqual(base + 1e-9);
            expect(d).toBeGreaterThanOrEqual(base * (1 - jitter) - 1e-9);
            expect(d).toBeLessThanOrEqual(maxMs + 1e-9);
            base = Math.min(maxMs, base * factor);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('jitter spreads the delays (not all equal) with the default random', () => {
    const backoff = exponentialBackoff({ initialMs: 1_000, maxMs: 1_000, jitter: 1 });
    expect(new Set(take(backoff, 20)).size).toBeGreaterThan(1);
  });

  it('reset() starts again from initialMs and counts attempts from 0', () => {
    const backoff = exponentialBackoff({ initialMs: 10, maxMs: 1_000, jitter: 0 });
    expect(take(backoff, 4)).toEqual([10, 20, 40, 80]);
    expect(backoff.attempt).toBe(4);
    backoff.reset();
    expect(backoff.attempt).toBe(0);
    expect(take(backoff, 2)).toEqual([10, 20]);
  });

  it('is an endless iterator usable in for-of', () => {
    const seen: number[] = [];
    for (const d of exponentialBackoff({ initialMs: 1, maxMs: 4, jitter: 0 })) {
      seen.push(d);
      if (seen.length === 5) break;
    }
    expect(seen).toEqual([1, 2, 4, 4, 4]);
  });

  it('stays at maxMs after thousands of attempts (no overflow to Infinity or NaN)', () => {
    const backoff = exponentialBackoff({ initialMs: 1, maxMs: 30_000, factor: 10, jitter: 0 });
    expect(take(backoff, 5_000).at(-1)).toBe(30_000);
  });

  it.each([
    { n: 1, options: { initialMs: -1, maxMs: 10 }, field: 'initialMs' },
    { n: 2, options: { initialMs: 10, maxMs: 5 }, field: 'maxMs' },
    { n: 3, options: { initialMs: 10, maxMs: Infinity }, field: 'maxMs' },
    { n: 4, options: { initialMs: 10, maxMs: 50, factor: 0.5 }, field: 'factor' },
    { n: 5, options: { initialMs: 10, maxMs: 50, jitter: 1.5 }, field: 'jitter' },
    { n: 6, options: { initialMs: 10, maxMs: 50, jitter: Number.NaN }, field: 'jitter' },
  ])('case $n: rejects bad $field with InvalidArgumentError', ({ options, field }) => {
    expect(() => exponentialBackoff(options)).toThrow(InvalidArgumentError);
    expect(() => exponentialBackoff(options)).toThrow(new RegExp(`invalid ${field}`));
  });
});

describe('backoff delay', () => {
  it('resolves after the delay', async () => {
    const started = performance.now();
    await delay(20);
    expect(performance.now() - started).toBeGreaterThanOrEqual(15);
  });

  it('rejects with signal.reason unchanged when aborted while waiting', async () => {
    const controller = new AbortController();
    const reason = new Error('shutting down');
    const pending = delay(60_000, { signal: controller.signal });
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const reason = new Error('already');
    await expect(delay(60_000, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });

  it('leaves no abort listener behind once it resolves', async () => {
    const controller = new AbortController();
    await delay(1, { signal: controller.signal });
    // An abort after resolution must not surface as an unhandled rejection.
    controller.abort(new Error('late'));
    await expect(delay(1, { signal: new AbortController().signal })).resolves.toBeUndefined();
  });

  it('rejects a negative delay with InvalidArgumentError', () => {
    expect(() => delay(-1)).toThrow(InvalidArgumentError);
  });
});
