/**
 * A registered benchmark whose code is not written yet because the feature it measures has
 * not landed. It still checks for the feature, so its rows say which of the two holds.
 */
import { requireExport, type Benchmark, type MetricSpec } from './benchmark.js';
import { unavailableRows, type Row } from './row.js';

/** An export a benchmark needs: `specifier` must export `name` (with these methods). */
export interface Requirement {
  specifier: string;
  name: string;
  methods?: string[];
}

/**
 * A benchmark that reports its metrics as "not available": naming the first missing
 * requirement, or, once all have landed, saying the measurement is still to be written.
 */
export function pendingBenchmark(name: string, metrics: MetricSpec[], requires: Requirement[]): Benchmark {
  return {
    name,
    metrics,
    async run(): Promise<Row[]> {
      for (const r of requires) {
        const found = await requireExport(r.specifier, r.name, r.methods);
        if (!found.ok) return unavailableRows(metrics, found.reason);
      }
      return unavailableRows(metrics, `${requires.map((r) => r.name).join(', ')} landed; measurement not written yet`);
    },
  };
}
