import { describe, it, expect } from '@jest/globals';
import { InvalidArgumentError } from '@mesosgot/common';
import { measure, measurePaired } from '../src/harness/measure.js';

/** A round function returning the given figures in turn, recording how often it ran. */
function scripted(figures: number[]): { round: () => Promise<number>; calls: () => number } {
  let i = 0;
  return {
    round: async () => {
      const v = figures[i++];
      if (v === undefined) throw new Error('round called too often');
      return v;
    },
    calls: () => i,
  };
}

describe('harness/measure', () => {
  it('discards warm-up rounds and reports the median of the recorded ones', async () => {
    // The warm-up figure (1000) would drag any mean; it must not reach the samples.
    const s = scripted([1000, 5, 1, 9, 3, 7]);
    const got = await measure(s.round, { warmup: 1, rounds: 5 });
    expect(got.samples).toEqual([5, 1, 9, 3, 7]);
    expect(got.median).toBe(5);
    expect(s.calls()).toBe(6);
  });

  it('runs rounds one after another, never overlapping', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    await measure(async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setImmediate(r));
      inFlight--;
      return 1;
    }, { warmup: 2, rounds: 3 });
    expect(maxInFlight).toBe(1);
  });

  it('rejects with a round error and refuses a plan without recorded rounds', async () => {
    await expect(measure(() => Promise.reject(new Error('boom')), { warmup: 0, rounds: 1 })).rejects.toThrow('boom');
    await expect(measure(() => 1, { warmup: 0, rounds: 0 })).rejects.toThrow(InvalidArgumentError);
    await expect(measure(() => 1, { warmup: -1, rounds: 1 })).rejects.toThrow(InvalidArgumentError);
  });

  it('pairs baseline and subject rounds, alternating which runs first', async () => {
    const order: string[] = [];
    let b = 0;
    let s = 0;
    const got = await measurePaired(
      () => (order.push('b'), 100 + b++),
      () => (order.push('s'), 10 + s++),
      { warmup: 1, rounds: 4 },
    );
    expect(order.join('')).toBe('bssbbssbbs');
    expect(got.baseline.samples).toEqual([101, 102, 103, 104]);
    expect(got.subject.samples).toEqual([11, 12, 13, 14]);
    expect(got.baseline.median).toBe(102.5);
    expect(got.subject.median).toBe(12.5);
  });
});
