/**
 * Time from GoTaskScheduler.run() to every task RUNNING on 4 local agents: subscribe, offers,
 * the gang plan (all or nothing), one ACCEPT per agent, the agents fetching the executor bundle
 * from the artifact server and starting one executor process each, the executors starting
 * every task function, and the TASK_RUNNING updates back to the scheduler (acknowledged, docs/protocol.md, "Acknowledgements").
 * The cluster is started before the clock (its own start time is in the note). 1,000 tasks
 * (goal ≤ 2 s) and 10,000 tasks (report; `--quick` launches 2,000 and says so in the
 * row's name). Agents are sized so the gang must use all 4.
 */
import type { Benchmark, MetricSpec } from '../harness/benchmark.js';
import { measure, type RoundPlan } from '../harness/measure.js';
import { judge, type Row } from '../harness/row.js';
import { median } from '../harness/stats.js';
import { startGoTaskBench } from '../cluster/gotask-bench.js';

const AGENTS = 4;
const SMALL: MetricSpec = { metric: '1,000 tasks run() → all RUNNING, 4 agents', unit: 's', goals: [{ kind: 'max', value: 2 }] };
const LARGE: MetricSpec = { metric: '10,000 tasks run() → all RUNNING, 4 agents', unit: 's' };

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
      const got = await measure(async () => {
        const bench = await startGoTaskBench({ tasks, agents: AGENTS, signal });
        await bench.stop();
        clusterStarts.push(bench.clusterStartMs);
        return bench.launchMs / 1000;
      }, plan);
      const note = `median of ${plan.rounds}, fresh cluster per round (its start, ${Math.round(median(clusterStarts))} ms, not counted)`;
      rows.push(judge({ ...spec, value: got.median, note }));
    }
    return rows;
  },
};
