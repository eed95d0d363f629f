/**
 * One line of the benchmark table, and the goal it is judged against.
 */
import { assertNever } from '@mesosgot/common/internal';
import { ratio as computeRatio } from './stats.js';

/**
 * A goal on a row. `min`/`max` bound the value in the row's own unit; `min-ratio`/`max-ratio`
 * bound value / baseline, both measured in the same run on the same machine.
 */
export type Goal =
  | { kind: 'min'; value: number }
  | { kind: 'max'; value: number }
  | { kind: 'min-ratio'; value: number }
  | { kind: 'max-ratio'; value: number };

/**
 * `report`: measured, no goal. `not available`: the feature has not landed (or its API is
 * missing); `note` says why. `error`: the benchmark threw; `note` holds the message.
 */
export type RowStatus = 'pass' | 'fail' | 'report' | 'not available' | 'error';

export interface Row {
  metric: string;
  value?: number;
  unit: string;
  /** The baseline's value, in the same unit, measured in the same run with the same sizes. */
  baseline?: number;
  /** What the baseline is ("promise queue", "JSON.parse", ...). */
  baselineName?: string;
  ratio?: number;
  goals: Goal[];
  status: RowStatus;
  /** Sizes, rounds, or why the row is not available. */
  note?: string;
}

/** What a benchmark states about a measured metric; `judge` fills in ratio and status. */
export interface Measured {
  metric: string;
  value: number;
  unit: string;
  baseline?: number;
  baselineName?: string;
  goals?: Goal[];
  note?: string;
}

/** True when `value` (and its ratio, for ratio goals) meets the goal. */
export function meetsGoal(goal: Goal, value: number, ratio: number | undefined): boolean {
  switch (goal.kind) {
    case 'min':
      return value >= goal.value;
    case 'max':
      return value <= goal.value;
    case 'min-ratio':
      return ratio !== undefined && ratio >= goal.value;
    case 'max-ratio':
      return ratio !== undefined && ratio <= goal.value;
    default:
      return assertNever(goal, 'goal');
  }
}

/** Ratio against the baseline and pass/fail against every goal (all must hold). */
export function judge(m: Measured): Row {
  const goals = m.goals ?? [];
  const ratio = computeRatio(m.value, m.baseline);
  const status: RowStatus =
    goals.length === 0 ? 'report' : goals.every((g) => meetsGoal(g, m.value, ratio)) ? 'pass' : 'fail';
  return { ...m, goals, status, ...(ratio === undefined ? {} : { ratio }) };
}

/** Rows for metrics that could not be measured, each carrying the reason. */
export function unavailableRows(
  metrics: readonly { metric: string; unit: string; goals?: Goal[] }[],
  reason: string,
  status: 'not available' | 'error' = 'not available',
): Row[] {
  return metrics.map((m) => ({ metric: m.metric, unit: m.unit, goals: m.goals ?? [], status, note: reason }));
}

/** Human text for a goal, in the row's unit: "≥ 0.8 × baseline", "≤ 2 ms". */
export function describeGoal(goal: Goal, unit: string): string {
  switch (goal.kind) {
    case 'min':
      return `≥ ${formatNumber(goal.value)} ${unit}`;
    case 'max':
      return `≤ ${formatNumber(goal.value)} ${unit}`;
    case 'min-ratio':
      return `≥ ${formatNumber(goal.value)} × base`;
    case 'max-ratio':
      return `≤ ${formatNumber(goal.value)} × base`;
    default:
      return assertNever(goal, 'goal');
  }
}

/** Three significant digits, with thousands separators for large values. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const abs = Math.abs(x);
  if (abs >= 1000) return Math.round(x).toLocaleString('en-US');
  if (abs === 0) return '0';
  return Number(x.toPrecision(3)).toString();
}
