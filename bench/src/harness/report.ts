/**
 * The printed table and bench/results.json.
 */
import { rename, writeFile } from 'node:fs/promises';
import type { MachineInfo } from './machine.js';
import { describeGoal, formatNumber, type Row } from './row.js';

/** The content of bench/results.json. */
export interface ResultsFile {
  machine: MachineInfo;
  quick: boolean;
  durationMs: number;
  rows: Row[];
}

const HEADERS = ['metric', 'value', 'unit', 'baseline', 'ratio', 'goal', 'result', 'note'] as const;

function cells(row: Row): string[] {
  return [
    row.metric,
    row.value === undefined ? '-' : formatNumber(row.value),
    row.unit,
    row.baseline === undefined ? '-' : `${formatNumber(row.baseline)}${row.baselineName ? ` (${row.baselineName})` : ''}`,
    row.ratio === undefined ? '-' : `${formatNumber(row.ratio)}×`,
    row.goals.length === 0 ? '-' : row.goals.map((g) => describeGoal(g, row.unit)).join('; '),
    row.status,
    row.note ?? '',
  ];
}

/**
 * The rows as an aligned plain-text table (numbers right-aligned), one line per row, with a
 * summary line counting passes, failures and rows that could not be measured.
 */
export function formatTable(rows: readonly Row[]): string {
  const table = [HEADERS.slice() as string[], ...rows.map(cells)];
  const widths = HEADERS.map((_, c) => Math.max(...table.map((r) => r[c]!.length)));
  const numeric = new Set([1, 3, 4]);
  const line = (r: string[]): string =>
    r
      .map((cell, c) =>
        c === r.length - 1 ? cell : numeric.has(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!),
      )
      .join('  ')
      .trimEnd();
  const rule = widths.map((w, c) => '-'.repeat(c === widths.length - 1 ? Math.min(w, 20) : w)).join('  ');
  const count = (s: Row['status']): number => rows.filter((r) => r.status === s).length;
  const summary =
    `${count('pass')} pass, ${count('fail')} fail, ${count('report')} report-only, ` +
    `${count('not available')} not available, ${count('error')} error`;
  return [line(table[0]!), rule, ...table.slice(1).map(line), '', summary].join('\n');
}

/**
 * Writes `results` as indented JSON through `<path>.tmp` and a rename, so an interrupted run
 * never leaves a half-written file. Resolves when the file is in place.
 */
export async function writeResults(path: string, results: ResultsFile): Promise<void> {
  const tmp = `${path}.tmp`;
  await writeFile(tmp, `${JSON.stringify(results, null, 2)}\n`);
  await rename(tmp, path);
}
