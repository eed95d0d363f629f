/**
 * The scheduler side of the GoTask-level benchmarks: a GoTaskScheduler running `bench` tasks
 * (executors/gotask-bench-executor.ts, bundled into one file and served by the scheduler's
 * artifact server) on a LocalCluster of this process, with its scheduler function turned
 * inside out so a benchmark can drive schedIn/schedOut from outside and end the run when done.
 */
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import type { ReceiveChannel, ResourceMap, SendChannel, TaskMsg } from '@mesosgot/common';
import { LocalCluster } from '@mesosgot/local';
import { bundleScript } from '@mesosgot/cli/internal';
import { GoTaskScheduler, parseSchedulerConfig, type SchedEvent } from '@mesosgot/scheduler';

/** Task kind the bench executor registers; task ids are `bench-<i>`. */
export const BENCH_KIND = 'bench';
/** Size of one load message both ways (100 bytes, as the goals in docs/design.md, "Measured speed" assume). */
export const MESSAGE_BYTES = 100;
/** Agent grace between SHUTDOWN and SIGKILL of an executor: the bench tasks need little. */
const BENCH_SHUTDOWN_GRACE_MS = 500;
/** Per task: small, so one agent holds thousands; the agents' mem decides the spread. */
export const BENCH_TASK_RESOURCES: ResourceMap = { cpus: 0.001, mem: 8 };
const EXECUTOR_MEM = 64;

const ENTRY = fileURLToPath(new URL('../executors/gotask-bench-executor.js', import.meta.url));
const BUNDLE = fileURLToPath(new URL('../executors/gotask-bench-executor.bundle.mjs', import.meta.url));
let bundling: Promise<string> | undefined;

/** Bundles the bench executor once per process (esbuild, as scripts/bundle.js); resolves with its path. */
export function benchExecutorBundle(): Promise<string> {
  bundling ??= bundleScript(ENTRY, BUNDLE);
  return bundling;
}

/**
 * `--local-agent-resources` for `agents` agents that together hold exactly `tasks` bench tasks
 * plus one executor each: first-fit packing then has to use every agent (the spread the
 * "4 agents" rows promise), whatever order the offers come in.
 */
export function agentResourcesFor(tasks: number, agents: number): string {
  const perAgent = Math.ceil(tasks / agents);
  const mem = EXECUTOR_MEM + perAgent * BENCH_TASK_RESOURCES.mem!;
  return `cpus:${Math.ceil(perAgent * BENCH_TASK_RESOURCES.cpus! + 1)};mem:${mem};disk:1024;ports:[31000-31099]`;
}

export interface GoTaskBenchOptions {
  tasks: number;
  agents: number;
  /** Default agentResourcesFor(tasks, agents). */
  agentResources?: string;
  /** Each task's resources; default BENCH_TASK_RESOURCES. */
  taskResources?: ResourceMap;
  /** The spawn's `inline`: false runs each task on a thread of its own; default the kind's (inline). */
  inline?: boolean;
  /** `--content-type` of the scheduler and its executors; the config default when absent. */
  contentType?: 'json' | 'protobuf';
  /** `--data-plane`: tasks' messages over direct connections (the default) or the Mesos relay only. */
  dataPlane?: 'direct' | 'relay';
  signal: AbortSignal;
}

export interface GoTaskBench {
  /** The running scheduler (to spawn gangs during the run). */
  scheduler: GoTaskScheduler;
  schedIn: ReceiveChannel<TaskMsg>;
  schedOut: SendChannel<TaskMsg>;
  /** `bench-0` … in spawn order. */
  taskIds: string[];
  /** Milliseconds from `run()` to the last task's TaskRunning (cluster started before the clock). */
  launchMs: number;
  /** Ms the cluster took to start (not in launchMs). */
  clusterStartMs: number;
  /** The scheduler's live status page (it serves one unless `--no-status`). */
  statusUrl: string | undefined;
  /** Next message from a task whose text starts with `prefix`; other messages are skipped. */
  receiveText(prefix: string): Promise<{ taskName: string; text: string }>;
  /** Ends the scheduler function and resolves once run() tore everything down (cluster included). */
  stop(): Promise<void>;
}

function textOf(data: TaskMsg['data']): string | undefined {
  return typeof data === 'string' ? data : undefined;
}

/**
 * Starts a cluster of `agents` agents and a GoTaskScheduler with `tasks` bench tasks, and
 * resolves once every task is RUNNING. Rejects (after stopping everything) if a task fails, the
 * scheduler reports an Error, run() ends early, or `signal` aborts.
 */
export async function startGoTaskBench(options: GoTaskBenchOptions): Promise<GoTaskBench> {
  const { tasks, agents, signal } = options;
  const agentResources = options.agentResources ?? agentResourcesFor(tasks, agents);
  const bundle = await benchExecutorBundle();
  const t0 = performance.now();
  const cluster = new LocalCluster({ agents, agentResources, executorShutdownGracePeriodMs: BENCH_SHUTDOWN_GRACE_MS });
  const masterUrl = await cluster.start().catch(async (err: unknown) => {
    await cluster.stop();
    throw err;
  });
  const clusterStartMs = performance.now() - t0;
  const config = parseSchedulerConfig(
    [
      ...['--executor', bundle, '--local-agents', String(agents), '--local-agent-resources', agentResources, '--name', 'mesosgot-bench', '--hold-timeout', '60'],
      ...(options.contentType === undefined ? [] : ['--content-type', options.contentType]),
      ...(options.dataPlane === undefined ? [] : ['--data-plane', options.dataPlane]),
    ],
    {},
  );
  // The cluster is already up: the starter hands it over, so the clock measures the framework.
  const sched = new GoTaskScheduler(config, { localCluster: async () => ({ masterUrl, stop: () => cluster.stop() }) });
  sched.spawnTask(BENCH_KIND, tasks, options.taskResources ?? BENCH_TASK_RESOURCES, options.inline === undefined ? {} : { inline: options.inline });

  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  let onRunning!: (ms: number) => void;
  let onFailure!: (err: Error) => void;
  const allRunning = new Promise<number>((resolve, reject) => {
    onRunning = resolve;
    onFailure = reject;
  });
  let channels: { schedIn: ReceiveChannel<TaskMsg>; schedOut: SendChannel<TaskMsg> } | undefined;
  let start = 0;
  sched.registerSchedFunc(async (schedIn, schedOut, schedEvents) => {
    channels = { schedIn, schedOut };
    let running = 0;
    const events = (async () => {
      for await (const e of schedEvents) {
        const failure = failureOf(e);
        if (failure !== undefined) onFailure(new Error(failure));
        else if (e.type === 'TaskRunning' && ++running === tasks) onRunning(performance.now() - start);
      }
    })();
    await finished;
    void events; // ends when run() closes schedEvents after we return
  });
  start = performance.now();
  const run = sched.run();
  // run() ending before the benchmark said stop is a failure of the run.
  const ended = run.then(
    () => onFailure(new Error('run() resolved before every task was RUNNING')),
    (err: unknown) => onFailure(err instanceof Error ? err : new Error(String(err))),
  );
  const stop = async (): Promise<void> => {
    finish();
    await run;
  };
  const onAbort = (): void => onFailure(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
  signal.addEventListener('abort', onAbort, { once: true });
  let launchMs: number;
  try {
    if (signal.aborted) onAbort();
    launchMs = await allRunning;
  } catch (err) {
    await stop().catch(() => undefined); // the launch failure is the error to report
    throw err;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  void ended;
  const { schedIn, schedOut } = channels!;
  return {
    scheduler: sched,
    schedIn,
    schedOut,
    taskIds: Array.from({ length: tasks }, (_, i) => `${BENCH_KIND}-${i}`),
    launchMs,
    clusterStartMs,
    statusUrl: sched.statusUrl,
    async receiveText(prefix) {
      for (;;) {
        const got = await schedIn.receive({ signal });
        if (!got.ok) throw new Error(`schedIn closed while waiting for "${prefix}…"`);
        const text = textOf(got.value.data);
        if (text !== undefined && text.startsWith(prefix)) return { taskName: got.value.taskName, text };
      }
    },
    stop,
  };
}

/** Why a SchedEvent ends the benchmark, or undefined when it does not. */
function failureOf(e: SchedEvent): string | undefined {
  switch (e.type) {
    case 'TaskFailed':
    case 'TaskKilled':
    case 'TaskLost':
      return `${e.taskId}: ${e.type} ${e.state} ${e.message}`;
    case 'ExecutorLost':
      return `executor ${e.executorId} lost (status ${e.status})`;
    case 'Error':
      return `scheduler error: ${e.message}`;
    default:
      return undefined;
  }
}
