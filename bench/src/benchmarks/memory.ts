/**
 * Resident memory of the GoTask layer (docs/design.md, "Measured speed"):
 * - executor RSS with 100 tasks: one agent, one GoTaskExecutor process running 100 `bench`
 *   tasks, each of which has answered a ping; a task reports its process's
 *   `process.memoryUsage().rss` (goal ≤ 80 MB);
 * - scheduler RSS with 10,000 tasks (report; `--quick`: 2,000): a GoTaskScheduler in a child
 *   process of its own (programs/gotask-rss-scheduler.ts) against a local cluster of 4 agents
 *   in this process, measured once every task is RUNNING and has answered a ping.
 * - scheduler peak RSS of the hello example on a remote master (goal ≤ 60 MiB): the example's
 *   scheduler as a child process with `--master <url> --no-status`, against a local cluster of
 *   2 agents in this process, from start to exit; baseline: a bare `node -e 0`, measured the
 *   same way in the same run (programs/report-max-rss.ts).
 * Each round is a fresh cluster; the rows are medians over rounds.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LocalCluster } from '@mesosgot/local';
import type { Benchmark, MetricSpec } from '../harness/benchmark.js';
import { measure } from '../harness/measure.js';
import { judge, type Row } from '../harness/row.js';
import { median } from '../harness/stats.js';
import { BENCH_TASK_RESOURCES, agentResourcesFor, benchExecutorBundle, startGoTaskBench } from '../cluster/gotask-bench.js';

const EXECUTOR: MetricSpec = { metric: 'executor RSS, 100 tasks', unit: 'MB', goals: [{ kind: 'max', value: 80 }] };
const SCHEDULER: MetricSpec = { metric: 'scheduler RSS, 10,000 tasks', unit: 'MB' };
const HELLO: MetricSpec = { metric: 'scheduler peak RSS, hello example, remote master', unit: 'MiB', goals: [{ kind: 'max', value: 60 }] };
const MB = 1024 * 1024;
const AGENTS = 4;
const SCHEDULER_PROGRAM = fileURLToPath(new URL('../programs/gotask-rss-scheduler.js', import.meta.url));
const REPORT_MAX_RSS = fileURLToPath(new URL('../programs/report-max-rss.js', import.meta.url));
const HELLO_SCHEDULER = fileURLToPath(new URL('../../../examples/dist/hello/app_scheduler.js', import.meta.url));
const KIB = 1024;

/** Starts 100 tasks in one executor, pings each, asks one for the process's RSS; resolves with MB. */
async function executorRss(signal: AbortSignal): Promise<{ rss: number; heap: number }> {
  const tasks = 100;
  const bench = await startGoTaskBench({ tasks, agents: 1, signal });
  try {
    for (const id of bench.taskIds) await bench.schedOut.send({ taskName: id, data: `ping:${id}` });
    for (let i = 0; i < tasks; i++) await bench.receiveText('ping:');
    await bench.schedOut.send({ taskName: bench.taskIds[0]!, data: 'rss' });
    const { text } = await bench.receiveText('rss:');
    const match = /^rss:(\d+) heap:(\d+)$/.exec(text);
    if (match === null) throw new Error(`unexpected answer ${text}`);
    return { rss: Number(match[1]) / MB, heap: Number(match[2]) / MB };
  } finally {
    await bench.stop();
  }
}

/** Runs the scheduler program against a fresh 4-agent cluster; resolves with its RSS and heap in MB. */
async function schedulerRss(tasks: number, signal: AbortSignal): Promise<{ rss: number; heap: number }> {
  const bundle = await benchExecutorBundle();
  const cluster = new LocalCluster({ agents: AGENTS, agentResources: agentResourcesFor(tasks, AGENTS), executorShutdownGracePeriodMs: 500 });
  try {
    const masterUrl = await cluster.start();
    const out = await runProgram([SCHEDULER_PROGRAM, masterUrl, bundle, String(tasks), JSON.stringify(BENCH_TASK_RESOURCES)], signal);
    const line = out.split('\n').find((l) => l.startsWith('{'));
    if (line === undefined) throw new Error(`scheduler program printed no figures: ${out.slice(0, 200)}`);
    const { rss, heapUsed } = JSON.parse(line) as { rss: number; heapUsed: number };
    return { rss: rss / MB, heap: heapUsed / MB };
  } finally {
    await cluster.stop();
  }
}

/** Peak RSS (MiB) of `node --import report-max-rss.js <args>`; rejects when it exits non-zero. */
async function peakRss(args: string[], signal: AbortSignal): Promise<number> {
  const { stderr } = await runProgramFull(['--import', REPORT_MAX_RSS, ...args], signal);
  const match = /max-rss-kib=(\d+)/.exec(stderr);
  if (match === null) throw new Error(`no max-rss line from node ${args.join(' ')}`);
  return Number(match[1]) / KIB;
}

/** The hello example's scheduler against a fresh 2-agent cluster of this process; resolves with its peak RSS in MiB. */
async function helloSchedulerRss(signal: AbortSignal): Promise<number> {
  const cluster = new LocalCluster({ agents: 2, executorShutdownGracePeriodMs: 500 });
  try {
    const masterUrl = await cluster.start();
    return await peakRss([HELLO_SCHEDULER, '--master', masterUrl, '--address', '127.0.0.1', '--no-status'], signal);
  } finally {
    await cluster.stop();
  }
}

/** Runs node with `args`; resolves with its stdout on exit 0, rejects with its stderr's tail otherwise. Killed on abort. */
async function runProgram(args: string[], signal: AbortSignal): Promise<string> {
  return (await runProgramFull(args, signal)).stdout;
}

/** Runs node with `args`; resolves with its output on exit 0, rejects with its stderr's tail otherwise. Killed on abort. */
function runProgramFull(args: string[], signal: AbortSignal): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], signal });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr = (stderr + s).slice(-2_000)));
    child.once('error', reject);
    child.once('close', (code, sig) => {
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(`scheduler program exited ${code ?? sig}: ${stderr.trim().slice(-500)}`));
    });
  });
}

export const memory: Benchmark = {
  name: 'memory',
  metrics: [EXECUTOR, SCHEDULER],
  async run({ quick, signal }): Promise<Row[]> {
    const execPlan = quick ? { warmup: 0, rounds: 2 } : { warmup: 0, rounds: 3 };
    const execHeaps: number[] = [];
    const exec = await measure(async () => {
      const got = await executorRss(signal);
      execHeaps.push(got.heap);
      return got.rss;
    }, execPlan);
    const execNote = `reported by a task, heap used ${median(execHeaps).toFixed(0)} MB, median of ${execPlan.rounds} fresh runs`;
    const rows: Row[] = [judge({ ...EXECUTOR, value: exec.median, note: execNote })];

    const tasks = quick ? 2_000 : 10_000;
    const rounds = quick ? 1 : 3;
    const heaps: number[] = [];
    const sched = await measure(async () => {
      const got = await schedulerRss(tasks, signal);
      heaps.push(got.heap);
      return got.rss;
    }, { warmup: 0, rounds });
    const spec = quick ? { ...SCHEDULER, metric: SCHEDULER.metric.replace('10,000 tasks', '2,000 tasks (quick)') } : SCHEDULER;
    rows.push(judge({ ...spec, value: sched.median, note: `child process, heap used ${median(heaps).toFixed(0)} MB, median of ${rounds} fresh runs` }));
    return rows;
  },
};

/** The lean-scheduler row (its own name, so `--only hello-rss` runs it alone). */
export const helloRss: Benchmark = {
  name: 'hello-rss',
  metrics: [HELLO],
  async run({ quick, signal }): Promise<Row[]> {
    // Alternating rounds: the bare process and the scheduler see the same machine.
    const helloPlan = quick ? { warmup: 0, rounds: 2 } : { warmup: 0, rounds: 3 };
    const bare: number[] = [];
    const hello = await measure(async () => {
      bare.push(await peakRss(['-e', '0'], signal));
      return helloSchedulerRss(signal);
    }, helloPlan);
    return [
      judge({
        ...HELLO,
        value: hello.median,
        baseline: median(bare),
        baselineName: 'bare node -e 0',
        note: `VmHWM of the child process, --no-status, 2 local agents; median of ${helloPlan.rounds}`,
      }),
    ];
  },
};
