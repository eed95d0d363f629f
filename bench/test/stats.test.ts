import { describe, it, expect } from '@jest/globals';
import { InvalidArgumentError } from '@mesosgot/common';
import { median, percentile, perSecond, ratio } from '../src/harness/stats.js';

describe('harness/stats median', () => {
  const cases: [number, number[], number][] = [
    [1, [5], 5],
    [2, [3, 1, 2], 2],
    [3, [4, 1, 3, 2], 2.5],
    [4, [10, -10], 0],
    [5, [7, 7, 7, 100], 7],
    [6, [1, 100, 2, 99, 3], 3],
  ];
  it.each(cases)('case %i: median of %j is %d', (_n, xs, want) => {
    expect(median(xs)).toBe(want);
  });

  it('does not reorder its input', () => {
    const xs = [3, 1, 2];
    median(xs);
    expect(xs).toEqual([3, 1, 2]);
  });

  it('rejects an empty list and non-finite samples with InvalidArgumentError', () => {
    expect(() => median([])).toThrow(InvalidArgumentError);
    expect(() => median([1, Number.NaN])).toThrow(InvalidArgumentError);
    expect(() => median([Number.POSITIVE_INFINITY])).toThrow(InvalidArgumentError);
  });
});

describe('harness/stats percentile', () => {
  const oneToHundred = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted
  const cases: [number, number[], number, number][] = [
    [1, [1, 2, 3, 4, 5], 0, 1],
    [2, [1, 2, 3, 4, 5], 100, 5],
    [3, [1, 2, 3, 4, 5], 50, 3],
    [4, [1, 2, 3, 4, 5], 25, 2],
    [5, [1, 2, 3, 4], 50, 2.5],
    [6, [10, 20], 90, 19],
    [7, oneToHundred, 99, 99.01],
    [8, oneToHundred, 50, 50.5],
    [9, [42], 99, 42],
  ];
  it.each(cases)('case %i: p(%j, %d) = %d (linear between closest ranks)', (_n, xs, p, want) => {
    expect(percentile(xs, p)).toBeCloseTo(want, 10);
  });

  it('agrees with median at p50 on odd and even counts', () => {
    for (const xs of [[9, 1, 5], [8, 2, 6, 4], [3.5, 1.25, 2, 9, 7, 6]]) {
      expect(percentile(xs, 50)).toBe(median(xs));
    }
  });

  it('rejects p outside [0, 100] and an empty list', () => {
    expect(() => percentile([1], -1)).toThrow(InvalidArgumentError);
    expect(() => percentile([1], 101)).toThrow(InvalidArgumentError);
    expect(() => percentile([1], Number.NaN)).toThrow(InvalidArgumentError);
    expect(() => percentile([], 50)).toThrow(InvalidArgumentError);
  });
});

describe('harness/stats ratio', () => {
  const cases: [number, number, number | undefined, number | undefined][] = [
    [1, 80, 100, 0.8],
    [2, 250, 100, 2.5],
    [3, 1.5, 0.5, 3],
    [4, 5, 0, undefined],
    [5, 5, undefined, undefined],
    [6, 5, Number.NaN, undefined],
    [7, Number.POSITIVE_INFINITY, 1, undefined],
  ];
  it.each(cases)('case %i: ratio(%d, %d) = %s', (_n, value, baseline, want) => {
    if (want === undefined) expect(ratio(value, baseline)).toBeUndefined();
    else expect(ratio(value, baseline)).toBeCloseTo(want, 12);
  });

  it('perSecond turns a count and milliseconds into a rate, and refuses zero time', () => {
    expect(perSecond(500, 250)).toBe(2000);
    expect(() => perSecond(1, 0)).toThrow(InvalidArgumentError);
  });
});
