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
import { Worker } from 'node:worker_threads';
import type { Benchmark, BenchOptions, MetricSpec } from '../harness/benchmark.js';
import { measurePaired, type RoundPlan } from '../harness/measure.js';
import { judge, type Row } from '../harness/row.js';
import { percentile } from '../harness/stats.js';
import { burnRounds, roundsFor, STEPS_PER_ROUND } from '../harness/burn.js';
import { startGoTaskBench, type GoTaskBench } from '../cluster/gotask-bench.js';
import { gotaskDown, gotaskUp } from './e2e-messages.js';

const CPU_BOUND: MetricSpec = { metric: '4 CPU-bound tasks (~1 s each), 1 executor, threads: wall', unit: 's', goals: [{ kind: 'max-ratio', value: 0.6 }] };
const RTT_BUSY: MetricSpec = { metric: 'ping-pong RTT p50 while a sibling computes 2 s, threads', unit: 'ms', goals: [{ kind: 'max-ratio', value: 2 }] };
const RTT_BUSY_INLINE: MetricSpec = { metric: 'worst ping-pong RTT while a sibling computes 2 s, inline', unit: 'ms' };
const LIGHT_DOWN: MetricSpec = { metric: 'light tasks on threads: e2e msgs, scheduler→task', unit: 'msg/s', goals: [{ kind: 'min-ratio', value: 0.5 }] };
const LIGHT_UP: MetricSpec = { metric: 'light tasks on threads: e2e msgs, task→scheduler', unit: 'msg/s', goals: [{ kind: 'min-ratio', value: 0.5 }] };
const THREAD_COST: MetricSpec = { metric: 'executor RSS per threaded task (8 tasks)', unit: 'MB' };

const AGENT = 'cpus:4;mem:4096;disk:1024;ports:[31000-31099]';
/** Half a core each: four tasks make the executor's 2 threads. */
const CPU_TASK = { cpus: 0.5, mem: 64 };
const LIGHT_TASK = { cpus: 0.1, mem: 64 };
const MB = 1024 * 1024;
/** Inline, how long the pings wait after the burn command, so they fall inside the computation. */
const BURN_HEAD_START_MS = 200;
const PING_SPACING_MS = 20;

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
 * The first task computes for ~2 s while the second is pinged, one ping at a time, 20 ms apart,
 * until the first answers; resolves with every ping's RTT in ms. With `isStartSeen` the pings
 * begin once the computing task said it started (a thread's message leaves at once); inline that
 * message can only leave after the computation, so the pings begin BURN_HEAD_START_MS after the
 * command instead.
 */
async function pingWhileBurning(bench: GoTaskBench, rounds2s: number, isStartSeen: boolean): Promise<number[]> {
  const [burner, pinged] = [bench.taskIds[0]!, bench.taskIds[1]!];
  await bench.schedOut.send({ taskName: burner, data: `burn:${rounds2s}` });
  if (isStartSeen) await bench.receiveText('burning:');
  else await new Promise((resolve) => setTimeout(resolve, BURN_HEAD_START_MS));
  const rtts: number[] = [];
  for (let i = 0, burned = false; !burned; i++) {
    const t0 = performance.now();
    await bench.schedOut.send({ taskName: pinged, data: `ping:b${i}` });
    for (let answered = false; !answered; ) {
      const got = await bench.receiveText('');
      if (got.text.startsWith('burned:')) burned = true;
      else if (got.text === `ping:b${i}`) answered = true;
    }
    rtts.push(performance.now() - t0);
    await new Promise((resolve) => setTimeout(resolve, PING_SPACING_MS));
  }
  return rtts;
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

/**
 * The same work on bare worker_threads, no cluster: two threads each computing `rounds` against
 * both in series on this thread. Resolves with parallel / serial wall time: about 0.5 on an idle
 * 2-core machine, 1 or more when other processes hold the cores.
 */
async function bareThreadsRatio(rounds: number): Promise<number> {
  let t0 = performance.now();
  burnRounds(rounds);
  burnRounds(rounds);
  const serial = performance.now() - t0;
  const code = `const { parentPort, workerData } = require('node:worker_threads');
    let x = 1; for (let r = 0; r < workerData; r++) for (let i = 0; i < ${STEPS_PER_ROUND}; i++) x = (x * 1103515245 + 12345) % 2147483647;
    parentPort.postMessage(x);`;
  t0 = performance.now();
  await Promise.all(
    [0, 1].map(
      () =>
        new Promise<void>((resolve, reject) => {
          const worker = new Worker(code, { eval: true, workerData: rounds });
          worker.once('message', () => void worker.terminate().then(() => resolve()));
          worker.once('error', reject);
        }),
    ),
  );
  return (performance.now() - t0) / serial;
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
    const ceiling = await bareThreadsRatio(Math.round(oneSecond / 2));
    const note = `4 × ${oneSecond} rounds ≈ 1 s CPU, cpus 0.5 each, median of ${plan.rounds}; 2 bare worker_threads took ${ceiling.toFixed(2)} × serial in this run (the machine's ceiling)`;
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
      const busy = await pingWhileBurning(threaded, twoSeconds, true);
      const busyInline = await pingWhileBurning(inline, twoSeconds, false);
      return { idle, busy, busyInline };
    });
    return [
      judge({ ...RTT_BUSY, value: percentile(rtt.busy, 50), baseline: rtt.idle, baselineName: 'idle RTT p50, same task', note: `${rtt.busy.length} pings ${PING_SPACING_MS} ms apart during the 2 s computation` }),
      judge({ ...RTT_BUSY_INLINE, value: Math.max(...rtt.busyInline), baseline: rtt.idle, baselineName: 'idle RTT p50 (threads)', note: 'both tasks inline: a message waits for the computation' }),
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
