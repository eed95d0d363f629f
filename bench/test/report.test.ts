import { describe, it, expect, afterEach } from '@jest/globals';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { judge, meetsGoal, unavailableRows, type Goal } from '../src/harness/row.js';
import { formatTable, writeResults } from '../src/harness/report.js';
import { describeMachine } from '../src/harness/machine.js';
import { parseArgs } from '../src/harness/args.js';

describe('harness/row judge', () => {
  const cases: [number, Goal, number, number | undefined, boolean][] = [
    [1, { kind: 'min-ratio', value: 0.8 }, 80, 100, true],
    [2, { kind: 'min-ratio', value: 0.8 }, 79, 100, false],
    [3, { kind: 'min-ratio', value: 0.8 }, 80, undefined, false],
    [4, { kind: 'max', value: 2 }, 2, undefined, true],
    [5, { kind: 'max', value: 2 }, 2.01, undefined, false],
    [6, { kind: 'min', value: 100_000 }, 99_999, undefined, false],
    [7, { kind: 'max-ratio', value: 1.5 }, 150, 100, true],
    [8, { kind: 'max-ratio', value: 1.5 }, 151, 100, false],
  ];
  it.each(cases)('case %i: %j with value %d, baseline %s passes: %s', (_n, goal, value, baseline, want) => {
    const row = judge({ metric: 'm', unit: 'u', value, ...(baseline === undefined ? {} : { baseline }), goals: [goal] });
    expect(row.status).toBe(want ? 'pass' : 'fail');
    expect(meetsGoal(goal, value, row.ratio)).toBe(want);
  });

  it('computes the ratio as value / baseline and requires every goal', () => {
    const row = judge({
      metric: 'e2e',
      unit: 'msg/s',
      value: 150_000,
      baseline: 10_000,
      goals: [{ kind: 'min', value: 100_000 }, { kind: 'min-ratio', value: 10 }],
    });
    expect(row.ratio).toBe(15);
    expect(row.status).toBe('pass');
    const slow = judge({ ...row, value: 90_000, goals: row.goals });
    expect(slow.status).toBe('fail');
  });

  it('marks a row without goals as report-only', () => {
    expect(judge({ metric: 'm', unit: 'u', value: 1 }).status).toBe('report');
  });
});

describe('harness/report', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('prints every row with its value, ratio, goal and status, and the not-available reason', () => {
    const rows = [
      judge({ metric: 'Channel<T> throughput', unit: 'msg/s', value: 4_000_000, baseline: 5_000_000, baselineName: 'promise queue', goals: [{ kind: 'min-ratio', value: 0.8 }] }),
      judge({ metric: 'ping-pong p50', unit: 'ms', value: 3.2, goals: [{ kind: 'max', value: 2 }] }),
      ...unavailableRows([{ metric: 'gang packing', unit: 'ms' }], 'GangAllocator not landed'),
    ];
    const text = formatTable(rows);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^metric\s+value\s+unit\s+baseline\s+ratio\s+goal\s+result/);
    const channel = lines.find((l) => l.startsWith('Channel<T> throughput'))!;
    expect(channel).toContain('4,000,000');
    expect(channel).toContain('5,000,000 (promise queue)');
    expect(channel).toContain('0.8×');
    expect(channel).toContain('pass');
    expect(lines.find((l) => l.startsWith('ping-pong p50'))).toMatch(/3\.2\s+ms.*≤ 2 ms\s+fail/);
    expect(lines.find((l) => l.startsWith('gang packing'))).toMatch(/not available\s+GangAllocator not landed/);
    expect(text).toContain('1 pass, 1 fail, 0 report-only, 1 not available, 0 error');
  });

  it('writes results.json with the machine, the date and the rows', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'bench-report-'));
    const file = path.join(dir, 'results.json');
    const machine = describeMachine(new Date('2026-01-02T03:04:05.000Z'));
    const rows = [judge({ metric: 'm', unit: 'u', value: 1 })];
    await writeResults(file, { machine, quick: true, durationMs: 12, rows });
    const back = JSON.parse(await readFile(file, 'utf8')) as { machine: typeof machine; rows: unknown[] };
    expect(back.machine.date).toBe('2026-01-02T03:04:05.000Z');
    expect(back.machine.cpus).toBeGreaterThan(0);
    expect(back.machine.memoryBytes).toBeGreaterThan(0);
    expect(back.machine.node).toBe(process.version);
    expect(back.rows).toEqual(rows);
    await expect(stat(`${file}.tmp`)).rejects.toThrow();
  });
});

describe('harness/args', () => {
  const names = ['baselines', 'channel-throughput'];
  it('parses --quick, repeated and comma-separated --only, and --out=FILE', () => {
    expect(parseArgs(['--quick', '--only', 'baselines', '--only=channel-throughput', '--out=x.json'], names, 'd')).toEqual({
      quick: true,
      strict: false,
      only: ['baselines', 'channel-throughput'],
      help: false,
      out: 'x.json',
    });
    expect(parseArgs(['--only', 'baselines,channel-throughput'], names, 'd').only).toEqual(names);
  });

  it('refuses unknown flags, unknown benchmarks and a missing value', () => {
    expect(() => parseArgs(['--fast'], names, 'd')).toThrow('unknown argument --fast');
    expect(() => parseArgs(['--only', 'nope'], names, 'd')).toThrow('unknown benchmark nope');
    expect(() => parseArgs(['--only'], names, 'd')).toThrow('--only needs a value');
  });
});
