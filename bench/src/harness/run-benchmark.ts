/**
 * Runs one benchmark so that nothing it does can crash the run: a rejection or an overrun
 * becomes "error" rows carrying the message, for every metric the benchmark declared.
 */
import type { RoundPlan } from './measure.js';
import type { Benchmark } from './benchmark.js';
import { unavailableRows, type Row } from './row.js';

/**
 * Resolves with the benchmark's rows, or error rows if it rejected or did not settle within
 * `budgetMs` (its signal is aborted then, so it can stop what it started; the wait for that
 * is bounded by `budgetMs` again). Never rejects.
 */
export async function runBenchmark(bench: Benchmark, quick: boolean, plan: RoundPlan, budgetMs: number): Promise<Row[]> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const overrun = new Promise<'overrun'>((resolve) => {
    timer = setTimeout(() => resolve('overrun'), budgetMs);
  });
  const running = bench.run({ quick, plan, signal: controller.signal }).then(
    (rows) => ({ rows }),
    (error: unknown) => ({ error }),
  );
  try {
    const outcome = await Promise.race([running, overrun]);
    if (outcome !== 'overrun') {
      if ('rows' in outcome) return outcome.rows;
      return unavailableRows(bench.metrics, describe(outcome.error), 'error');
    }
    controller.abort(new Error(`${bench.name} overran its ${budgetMs} ms budget`));
    // Give it the chance to stop its servers and processes before the run goes on.
    const late = await Promise.race([running, new Promise<'gone'>((r) => setTimeout(() => r('gone'), budgetMs).unref())]);
    const cleanup = late === 'gone' ? '; did not settle after abort' : '';
    return unavailableRows(bench.metrics, `overran ${budgetMs} ms budget${cleanup}`, 'error');
  } finally {
    clearTimeout(timer);
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
