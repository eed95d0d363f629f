/**
 * Elastic gangs: time from spawnTask of a 100-task gang during run() (10 tasks already running
 * on 2 local agents) to the promise resolving, i.e. every task of the new gang RUNNING: revive,
 * offers, the gang's own plan, one ACCEPT per agent, the executors starting the task functions,
 * TASK_RUNNING back. Each round spawns one more gang in the same run (ids continue).
 */
import type { Benchmark, MetricSpec } from '../harness/benchmark.js';
import { measure, timeMs } from '../harness/measure.js';
import { judge, type Row } from '../harness/row.js';
import { agentResourcesFor, BENCH_KIND, BENCH_TASK_RESOURCES, startGoTaskBench } from '../cluster/gotask-bench.js';

const AGENTS = 2;
const INITIAL_TASKS = 10;
const GANG_TASKS = 100;
const METRIC: MetricSpec = { metric: 'spawnTask of a 100-task gang mid-run → all RUNNING, 2 agents', unit: 'ms' };

export const gangSpawn: Benchmark = {
  name: 'gang-spawn',
  metrics: [METRIC],
  async run({ quick, signal }): Promise<Row[]> {
    const plan = quick ? { warmup: 1, rounds: 3 } : { warmup: 1, rounds: 7 };
    const gangs = plan.warmup + plan.rounds;
    const bench = await startGoTaskBench({
      tasks: INITIAL_TASKS,
      agents: AGENTS,
      agentResources: agentResourcesFor(INITIAL_TASKS + gangs * GANG_TASKS, AGENTS),
      signal,
    });
    try {
      const got = await measure(() => timeMs(() => bench.scheduler.spawnTask(BENCH_KIND, GANG_TASKS, BENCH_TASK_RESOURCES)), plan);
      return [judge({ ...METRIC, value: got.median, note: `median of ${plan.rounds} gangs, ${INITIAL_TASKS} tasks running, one run` })];
    } finally {
      await bench.stop();
    }
  },
};
