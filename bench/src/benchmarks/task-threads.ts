/**
 * Task functions on worker threads against the same tasks run inline (on the executor's main
 * thread), each pair in alternating rounds of the same run, through the local cluster:
 * - 4 CPU-bound tasks of about 1 s of CPU each (cpus 0.5, so 2 threads) in one executor: wall
 *   time from the four "burn" commands to the four answers (goal: threaded ≤ 0.6 × inline);
 * - ping-pong RTT p50 to a task while a sibling in the same executor computes for 2 s, against
 *   the idle RTT of the same task (goal ≤ 2 ×); the inline figure is reported beside it;
 * - light, message-heavy tasks: e2e one-way rate both ways, threaded against inline (goal
 *   ≥ 0.5 ×), with the e2e-messages rounds;
 * - what a thread costs: executor RSS with 8 threaded tasks minus 8 inline tasks, per task.
 */
import { performance } from 'node:perf_hooks';
import type { Benchmark, BenchOptions, MetricSpec } from '../harness/benchmark.js';
import { measurePaired, type RoundPlan } from '../harness/measure.js';
import { judge, type Row } from '../harness/row.js';
import { median, percentile } from '../harness/stats.js';
import { roundsFor } from '../harness/burn.js';
import { startGoTaskBench, type GoTaskBench } from '../cluster/gotask-bench.js';
import { gotaskDown, gotaskUp } from './e2e-messages.js';

const CPU_BOUND: MetricSpec = { metric: '4 CPU-bound tasks (~1 s each), 1 executor, threads: wall', unit: 's', goals: [{ kind: 'max-ratio', value: 0.6 }] };
const RTT_BUSY: MetricSpec = { metric: 'ping-pong RTT p50 while a sibling computes 2 s, threads', unit: 'ms', goals: [{ kind: 'max-ratio', value: 2 }] };
const RTT_BUSY_INLINE: MetricSpec = { metric: 'ping-pong RTT p50 while a sibling computes 2 s, inline', unit: 'ms' };
const LIGHT_DOWN: MetricSpec = { metric: 'light tasks on threads: e2e msgs, scheduler→task', unit: 'msg/s', goals: [{ kind: 'min-ratio', value: 0.5 }] };
const LIGHT_UP: MetricSpec = { metric: 'light tasks on threads: e2e msgs, task→scheduler', unit: 'msg/s', goals: [{ kind: 'min-ratio', value: 0.5 }] };
const THREAD_COST: MetricSpec = { metric: 'executor RSS per threaded task (8 tasks)', unit: 'MB' };

const AGENT = 'cpus:4;mem:4096;disk:1024;ports:[31000-31099]';
/** Half a core each: four tasks make the executor's 2 threads. */
const CPU_TASK = { cpus: 0.5, mem: 64 };
const LIGHT_TASK = { cpus: 0.1, mem: 64 };
const MB = 1024 * 1024;
/** How long the pings wait after the burn command, so they fall inside the computation. */
const BURN_HEAD_START_MS = 100;

function start(options: BenchOptions, tasks: number, taskResources: { cpus: number; mem: number }, inline: boolean): Promise<GoTaskBench> {
  return startGoTaskBench({ tasks, agents: 1, agentResources: AGENT, taskResources, inline, signal: options.signal });
}

/** Sends "burn:<rounds>" to every task; resolves with the seconds until every answer came. */
async function burnAll(bench: GoTaskBench, rounds: number): Promise<number> {
  const started = performance.now();
  for (const id of bench.taskIds) await bench.schedOut.send({ taskName: id, data: `burn:${rounds}` });
  for (let i = 0; i < bench.taskIds.length; i++) await bench.receiveText('burned:');
  return (performance.now() - started) / 1000;
}

/** p50 of `count` pings to the second task, one at a time, in ms. */
async function pingP50(bench: GoTaskBench, count: number): Promise<number> {
  const taskName = bench.taskIds[1]!;
  const rtts: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await bench.schedOut.send({ taskName, data: `ping:${i}` });
    await bench.receiveText(`ping:${i}`);
    rtts.push(performance.now() - t0);
  }
  return percentile(rtts, 50);
}

/**
 * The first task computes for ~2 s while the second is pinged `count` times (spaced so the pings
 * fall inside the computation); resolves with the pings' p50 in ms once the first answered.
 */
async function pingWhileBurning(bench: GoTaskBench, rounds2s: number, count: number): Promise<number> {
  await bench.schedOut.send({ taskName: bench.taskIds[0]!, data: `burn:${rounds2s}` });
  // Lets the burn command reach its task first (streams of two tasks are not ordered together).
  await new Promise((resolve) => setTimeout(resolve, BURN_HEAD_START_MS));
  const rtts: number[] = [];
  let burned = false;
  const started = performance.now();
  for (let i = 0; i < count && performance.now() - started < 1_700; i++) {
    const t0 = performance.now();
    await bench.schedOut.send({ taskName: bench.taskIds[1]!, data: `ping:b${i}` });
    // The burner's answer may come first (inline: only after its 2 s).
    for (;;) {
      const got = await bench.receiveText('');
      if (got.text.startsWith('burned:')) burned = true;
      else if (got.text === `ping:b${i}`) break;
    }
    rtts.push(performance.now() - t0);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  if (!burned) await bench.receiveText('burned:');
  return median(rtts);
}

async function rssOf(bench: GoTaskBench): Promise<number> {
  for (const id of bench.taskIds) {
    await bench.schedOut.send({ taskName: id, data: `ping:${id}` });
    await bench.receiveText(`ping:${id}`);
  }
  await bench.schedOut.send({ taskName: bench.taskIds[0]!, data: 'rss' });
  const { text } = await bench.receiveText('rss:');
  return Number(/^rss:(\d+)/.exec(text)?.[1] ?? NaN) / MB;
}

/** Runs `work` with a threaded and an inline bench of the same tasks, stopping both after. */
async function pair<T>(options: BenchOptions, tasks: number, resources: { cpus: number; mem: number }, work: (threaded: GoTaskBench, inline: GoTaskBench) => Promise<T>): Promise<T> {
  const threaded = await start(options, tasks, resources, false);
  let inline: GoTaskBench | undefined;
  try {
    inline = await start(options, tasks, resources, true);
    return await work(threaded, inline);
  } finally {
    await Promise.allSettled([threaded.stop(), inline?.stop()]);
  }
}

function planOf(quick: boolean): RoundPlan {
  return quick ? { warmup: 0, rounds: 1 } : { warmup: 1, rounds: 3 };
}

export const taskThreadsCpu: Benchmark = {
  name: 'task-threads-cpu',
  metrics: [CPU_BOUND],
  async run(options): Promise<Row[]> {
    const plan = planOf(options.quick);
    const oneSecond = roundsFor(1_000);
    const cpu = await pair(options, 4, CPU_TASK, (threaded, inline) =>
      measurePaired(() => burnAll(inline, oneSecond), () => burnAll(threaded, oneSecond), plan),
    );
    const note = `4 × ${oneSecond} rounds ≈ 1 s CPU, cpus 0.5 each, median of ${plan.rounds}`;
    return [judge({ ...CPU_BOUND, value: cpu.subject.median, baseline: cpu.baseline.median, baselineName: 'inline (serial)', note })];
  },
};

export const taskThreadsRtt: Benchmark = {
  name: 'task-threads-rtt',
  metrics: [RTT_BUSY, RTT_BUSY_INLINE],
  async run(options): Promise<Row[]> {
    const pings = options.quick ? 100 : 300;
    const twoSeconds = roundsFor(2_000);
    const rtt = await pair(options, 2, { cpus: 1, mem: 64 }, async (threaded, inline) => {
      const idle = await pingP50(threaded, pings);
      const busy = await pingWhileBurning(threaded, twoSeconds, pings);
      const busyInline = await pingWhileBurning(inline, twoSeconds, pings);
      return { idle, busy, busyInline };
    });
    return [
      judge({ ...RTT_BUSY, value: rtt.busy, baseline: rtt.idle, baselineName: 'idle RTT, same task', note: 'pings 20 ms apart during the 2 s computation' }),
      judge({ ...RTT_BUSY_INLINE, value: rtt.busyInline, baseline: rtt.idle, baselineName: 'idle RTT (threads)', note: 'the same with both tasks inline' }),
    ];
  },
};

export const taskThreadsLight: Benchmark = {
  name: 'task-threads-light',
  metrics: [LIGHT_DOWN, LIGHT_UP],
  async run(options): Promise<Row[]> {
    const plan = planOf(options.quick);
    const count = options.quick ? 4_000 : 20_000;
    const light = await pair(options, 4, LIGHT_TASK, async (threaded, inline) => ({
      down: await measurePaired(() => gotaskDown(inline, count), () => gotaskDown(threaded, count), plan),
      up: await measurePaired(() => gotaskUp(inline, count), () => gotaskUp(threaded, count), plan),
    }));
    const note = `${count} × 100 B, 4 tasks, median of ${plan.rounds}`;
    return [
      judge({ ...LIGHT_DOWN, value: light.down.subject.median, baseline: light.down.baseline.median, baselineName: 'inline', note }),
      judge({ ...LIGHT_UP, value: light.up.subject.median, baseline: light.up.baseline.median, baselineName: 'inline', note }),
    ];
  },
};

export const taskThreadsMemory: Benchmark = {
  name: 'task-threads-memory',
  metrics: [THREAD_COST],
  async run(options): Promise<Row[]> {
    const tasks = 8;
    const rss = await pair(options, tasks, LIGHT_TASK, async (threaded, inline) => ({ threaded: await rssOf(threaded), inline: await rssOf(inline) }));
    const note = `RSS ${rss.threaded.toFixed(0)} MB threaded vs ${rss.inline.toFixed(0)} MB inline, ${tasks} tasks`;
    return [judge({ ...THREAD_COST, value: (rss.threaded - rss.inline) / tasks, note })];
  },
};
