/**
 * `npm run bench [-- --quick] [-- --only NAME]`: runs the benchmarks, prints one table and
 * writes bench/results.json with the machine and the date.
 */
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { describeMachine } from './harness/machine.js';
import { formatTable, writeResults } from './harness/report.js';
import { runBenchmark } from './harness/run-benchmark.js';
import type { RoundPlan } from './harness/measure.js';
import type { Row } from './harness/row.js';
import { BENCHMARKS } from './registry.js';
import { parseArgs, usage, type RunArgs } from './harness/args.js';

/** Full runs: median of 9 after 3 warm-ups. Quick runs (CI): median of 5 after 2 (the sizes shrink). */
const FULL_PLAN: RoundPlan = { warmup: 3, rounds: 9 };
const QUICK_PLAN: RoundPlan = { warmup: 2, rounds: 5 };
const RESULTS_PATH = fileURLToPath(new URL('../results.json', import.meta.url));
/** Per-benchmark time budget; a benchmark past it is aborted and reported as an error. */
const FULL_BUDGET_MS = 300_000;
const QUICK_BUDGET_MS = 30_000;
/** How long the process may linger after the table before leaked handles are reported. */
const LEAK_GRACE_MS = 5_000;

async function main(): Promise<void> {
  let args: RunArgs;
  try {
    args = parseArgs(process.argv.slice(2), BENCHMARKS.map((b) => b.name), RESULTS_PATH);
  } catch (err) {
    console.error(`${(err as Error).message}\n${usage(BENCHMARKS.map((b) => b.name))}`);
    process.exitCode = 2;
    return;
  }
  if (args.help) {
    console.log(usage(BENCHMARKS.map((b) => b.name)));
    return;
  }
  const machine = describeMachine();
  const plan = args.quick ? QUICK_PLAN : FULL_PLAN;
  const budget = args.quick ? QUICK_BUDGET_MS : FULL_BUDGET_MS;
  const selected = args.only.length === 0 ? BENCHMARKS : BENCHMARKS.filter((b) => args.only.includes(b.name));
  console.log(
    `mesosgot bench${args.quick ? ' --quick' : ''}: ${machine.cpus} cpus (${machine.cpuModel}), ` +
      `${(machine.memoryBytes / 2 ** 30).toFixed(1)} GiB, Node ${machine.node}, ${machine.date}`,
  );
  const start = performance.now();
  const rows: Row[] = [];
  for (const bench of selected) {
    const t0 = performance.now();
    const got = await runBenchmark(bench, args.quick, plan, budget);
    rows.push(...got);
    console.log(`  ${bench.name}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const durationMs = performance.now() - start;
  console.log(`\n${formatTable(rows)}\n`);
  await writeResults(args.out, { machine, quick: args.quick, durationMs, rows });
  console.log(`wrote ${args.out} (${(durationMs / 1000).toFixed(1)} s)`);
  if (rows.some((r) => r.status === 'error' || (args.strict && r.status === 'fail'))) process.exitCode = 1;
  // Every benchmark stops what it started, so the process should now exit by itself. If one
  // leaked a socket or a child, say what is left instead of hanging CI (the timer is unref'd:
  // it fires only if something else keeps the process alive).
  setTimeout(() => {
    console.error(`bench: still running after the run: ${process.getActiveResourcesInfo().join(', ')}`);
    process.exit(process.exitCode ?? 1);
  }, LEAK_GRACE_MS).unref();
}

await main();
