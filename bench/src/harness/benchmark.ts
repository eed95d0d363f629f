/**
 * The contract every benchmark file implements, and how a benchmark reaches a feature that
 * may not have landed yet without breaking the build or the run.
 */
import type { RoundPlan } from './measure.js';
import type { Goal, Row } from './row.js';

export interface BenchOptions {
  /** `--quick`: fewer rounds and smaller sizes, so the whole run takes under a minute. */
  quick: boolean;
  plan: RoundPlan;
  /** Aborted when the benchmark overruns its time budget; benchmarks stop what they started. */
  signal: AbortSignal;
}

/** A metric a benchmark reports, named up front so a failed run still shows its rows. */
export interface MetricSpec {
  metric: string;
  unit: string;
  goals?: Goal[];
}

export interface Benchmark {
  /** Used by `--only`; kebab-case, as the file name. */
  name: string;
  metrics: MetricSpec[];
  /**
   * Resolves with one row per metric (measured, or "not available" with the reason). Stops
   * every server, timer and child process it started before it settles, also when it rejects.
   */
  run(opts: BenchOptions): Promise<Row[]>;
}

/** A feature that loaded, or the reason it did not. */
export type Feature<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * Imports a workspace package at run time. The specifier is a variable on purpose: a static
 * import of an export that has not landed would fail `tsc -b` for the whole bench instead of
 * one row. Resolves with the module's namespace or the import error's message.
 */
export async function importPackage(specifier: string): Promise<Feature<Record<string, unknown>>> {
  try {
    const mod = (await import(specifier)) as Record<string, unknown>;
    return { ok: true, value: mod };
  } catch (err) {
    return { ok: false, reason: `cannot import ${specifier}: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/**
 * The export `name` of `specifier` if it exists and, for a class or function, has every method
 * in `methods` on its prototype (classes) or is callable (functions). Never throws.
 */
export async function requireExport(
  specifier: string,
  name: string,
  methods: readonly string[] = [],
): Promise<Feature<unknown>> {
  const mod = await importPackage(specifier);
  if (!mod.ok) return mod;
  const value = mod.value[name];
  if (value === undefined) return { ok: false, reason: `${specifier} does not export ${name} (not landed yet)` };
  if (methods.length > 0) {
    const proto: unknown = typeof value === 'function' ? (value as { prototype?: unknown }).prototype : value;
    const missing = methods.filter(
      (m) => typeof proto !== 'object' || proto === null || typeof (proto as Record<string, unknown>)[m] !== 'function',
    );
    if (missing.length > 0) return { ok: false, reason: `${specifier} ${name} lacks ${missing.join(', ')}` };
  }
  return { ok: true, value };
}
