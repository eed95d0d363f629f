import { describe, it, expect } from '@jest/globals';
import { runBenchmark } from '../src/harness/run-benchmark.js';
import { requireExport, type Benchmark } from '../src/harness/benchmark.js';
import { pendingBenchmark } from '../src/harness/pending.js';
import { judge } from '../src/harness/row.js';

const PLAN = { warmup: 0, rounds: 1 };
const METRICS = [
  { metric: 'a', unit: 'ms', goals: [{ kind: 'max' as const, value: 1 }] },
  { metric: 'b', unit: 'msg/s' },
];

describe('harness/run-benchmark', () => {
  it('returns the rows of a benchmark that resolves', async () => {
    const rows = [judge({ metric: 'a', unit: 'ms', value: 0.5, goals: [{ kind: 'max', value: 1 }] })];
    const bench: Benchmark = { name: 'ok', metrics: METRICS, run: async () => rows };
    expect(await runBenchmark(bench, true, PLAN, 1_000)).toBe(rows);
  });

  it('turns a rejection into one error row per declared metric, with the message', async () => {
    const bench: Benchmark = { name: 'boom', metrics: METRICS, run: () => Promise.reject(new TypeError('no agents')) };
    const rows = await runBenchmark(bench, true, PLAN, 1_000);
    expect(rows.map((r) => [r.metric, r.status, r.note])).toEqual([
      ['a', 'error', 'TypeError: no agents'],
      ['b', 'error', 'TypeError: no agents'],
    ]);
  });

  it('aborts an overrunning benchmark through its signal and reports the overrun', async () => {
    let sawAbort = false;
    const bench: Benchmark = {
      name: 'slow',
      metrics: METRICS,
      run: ({ signal }) =>
        new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () => {
            sawAbort = true;
            reject(signal.reason);
          });
        }),
    };
    const rows = await runBenchmark(bench, true, PLAN, 50);
    expect(sawAbort).toBe(true);
    expect(rows.every((r) => r.status === 'error' && /overran 50 ms budget$/.test(r.note ?? ''))).toBe(true);
  });
});

describe('harness/benchmark requireExport', () => {
  it('finds a landed export and checks its methods', async () => {
    const found = await requireExport('@mesosgot/common', 'InvalidArgumentError');
    expect(found.ok).toBe(true);
    const lacking = await requireExport('@mesosgot/common', 'InvalidArgumentError', ['noSuchMethod']);
    expect(lacking).toEqual({ ok: false, reason: '@mesosgot/common InvalidArgumentError lacks noSuchMethod' });
  });

  it('names the missing export or the module that cannot be imported', async () => {
    expect(await requireExport('@mesosgot/common', 'NoSuchThing')).toEqual({
      ok: false,
      reason: '@mesosgot/common does not export NoSuchThing (not landed yet)',
    });
    const missing = await requireExport('@mesosgot/no-such-package', 'X');
    expect(missing.ok).toBe(false);
    expect(!missing.ok && missing.reason).toMatch(/^cannot import @mesosgot\/no-such-package/);
  });

  it('pendingBenchmark reports every metric as not available with the missing export', async () => {
    const bench = pendingBenchmark('later', METRICS, [{ specifier: '@mesosgot/common', name: 'NoSuchThing' }]);
    const rows = await bench.run({ quick: true, plan: PLAN, signal: new AbortController().signal });
    expect(rows.map((r) => r.status)).toEqual(['not available', 'not available']);
    expect(rows[0]!.note).toContain('does not export NoSuchThing');
    expect(rows[0]!.goals).toEqual(METRICS[0]!.goals);
  });
});
