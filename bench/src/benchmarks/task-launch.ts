/**
 * Time from GoTaskScheduler.run() to every task RUNNING on 4 local agents: subscribe, offers,
 * the gang plan (all or nothing), one ACCEPT per agent, the agents fetching the executor bundle
 * from the artifact server and starting one executor process each, the executors starting
 * every task function, and the TASK_RUNNING updates back to the scheduler (acknowledged, docs/protocol.md, "Acknowledgements").
 * The cluster is started before the clock (its own start time is in the note). 1,000 tasks
 * (goal ≤ 1 s) and 10,000 tasks (goal ≤ 3 s; `--quick` launches 2,000 and says so in the
 * row's name). Agents are sized so the gang must use all 4. Baseline, in alternating rounds of
 * the same run: 4 bare `node -e 0` processes started at once until all exited, the floor of any
 * launch that starts 4 executor processes.
 */
import type { Benchmark, MetricSpec } from '../harness/benchmark.js';
import { measure, type RoundPlan } from '../harness/measure.js';
import { judge, type Row } from '../harness/row.js';
import { median } from '../harness/stats.js';
import { startGoTaskBench } from '../cluster/gotask-bench.js';
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

const AGENTS = 4;
const SMALL: MetricSpec = { metric: '1,000 tasks run() → all RUNNING, 4 agents', unit: 's', goals: [{ kind: 'max', value: 1 }] };
const LARGE: MetricSpec = { metric: '10,000 tasks run() → all RUNNING, 4 agents', unit: 's', goals: [{ kind: 'max', value: 3 }] };
const BASELINE_NAME = '4 × node -e 0 in parallel';

/** Starts `count` bare node processes at once; resolves with the seconds until the last exited. */
async function bareProcesses(count: number, signal: AbortSignal): Promise<number> {
  const start = performance.now();
  await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<void>((resolve, reject) => {
          const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore', signal });
          child.once('error', reject);
          child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`node -e 0 exited ${code}`))));
        }),
    ),
  );
  return (performance.now() - start) / 1000;
}

export const taskLaunch: Benchmark = {
  name: 'task-launch',
  metrics: [SMALL, LARGE],
  async run({ quick, signal }): Promise<Row[]> {
    // Each round is a fresh cluster and 4 executor processes.
    const large: MetricSpec = quick ? { ...LARGE, metric: LARGE.metric.replace('10,000 tasks', '2,000 tasks (quick)') } : LARGE;
    const plans: [MetricSpec, number, RoundPlan][] = [
      [SMALL, 1_000, quick ? { warmup: 0, rounds: 2 } : { warmup: 1, rounds: 5 }],
      [large, quick ? 2_000 : 10_000, quick ? { warmup: 0, rounds: 1 } : { warmup: 1, rounds: 3 }],
    ];
    const rows: Row[] = [];
    for (const [spec, tasks, plan] of plans) {
      const clusterStarts: number[] = [];
      const baselines: number[] = [];
      const got = await measure(async () => {
        baselines.push(await bareProcesses(AGENTS, signal));
        const bench = await startGoTaskBench({ tasks, agents: AGENTS, signal });
        await bench.stop();
        clusterStarts.push(bench.clusterStartMs);
        return bench.launchMs / 1000;
      }, plan);
      const note = `median of ${plan.rounds}, fresh cluster per round (its start, ${Math.round(median(clusterStarts))} ms, not counted)`;
      rows.push(judge({ ...spec, value: got.median, baseline: median(baselines), baselineName: BASELINE_NAME, note }));
    }
    return rows;
  },
};
