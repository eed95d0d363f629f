/**
 * GoTaskScheduler: the scheduler half of a GoTask application (docs/design.md, "Public API").
 * Declare tasks (`spawnTask`/`spawnTasks`), register one scheduler function, `run()`. Tasks are
 * launched all or nothing (gang-launcher.ts), on one custom executor per agent; the scheduler
 * function talks to them through `schedIn`/`schedOut` (message-pump.ts) and hears about the
 * framework through `schedEvents` (sched-events.ts).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  type ReliableLinkOptions,
  Channel,
  DEFAULT_CHANNEL_CAPACITY,
  InvalidArgumentError,
  TaskError,
  type ReceiveChannel,
  type ResourceMap,
  type SendChannel,
  type TaskMsg,
} from '@mesosgot/common/internal';
import type { SchedulerDriverOptions } from '../driver/driver-options.js';
import { formatHelp, type SchedulerConfig } from './config.js';
import { startEmbeddedCluster, type LocalClusterStarter } from './embedded-cluster.js';
import { SchedEventQueue, MIN_EVENT_QUEUE_BOUND } from './sched-event-queue.js';
import type { SchedEvent } from './sched-events.js';
import { SchedulerSession, type DriverFactory } from './scheduler-session.js';
import { TaskTable, type SpawnSpec } from './task-table.js';

export type SchedFunc = (
  schedIn: ReceiveChannel<TaskMsg>,
  schedOut: SendChannel<TaskMsg>,
  schedEvents: ReceiveChannel<SchedEvent>,
) => Promise<void>;

/** mesosgot's AppSchedTask form: an object whose `run` is the scheduler function. */
export interface SchedTask {
  run: SchedFunc;
}

/** Resources of each agent's executor (charged once per agent). */
export const DEFAULT_EXECUTOR_RESOURCES: ResourceMap = { cpus: 0.1, mem: 64 };
/** How long run() lets undelivered scheduler→task messages drain before tearing down. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 5_000;

export interface GoTaskSchedulerOptions {
  /** Starts the embedded cluster when the master is `local` (default: startEmbeddedCluster). */
  localCluster?: LocalClusterStarter;
  executorResources?: ResourceMap;
  /** Command that runs node on the agents for a fetched executor (default: this node for `local`, else `node`). */
  nodeCommand?: string;
  drainTimeoutMs?: number;
  driverOptions?: SchedulerDriverOptions;
  /** Replaces MesosSchedulerDriver (tests). */
  createDriver?: DriverFactory;
  link?: Omit<ReliableLinkOptions, 'transmit'>;
  /** Capacity of schedIn, schedOut and schedEvents (default 256, as mesosgot). */
  channelCapacity?: number;
  /**
   * When run() ends, leave the framework registered instead of tearing it down: the driver
   * stops with failover (no TEARDOWN, docs/protocol.md, "Failover timeout"), the tasks keep running for `--failover-timeout`
   * seconds, and a new scheduler given `--framework-id <id>` (the id of the Registered event)
   * takes them over. What a scheduler process that dies does; default false (TEARDOWN).
   */
  failoverOnStop?: boolean;
}

/** The optional fourth argument of spawnTask. */
export interface SpawnOptions {
  args?: readonly string[];
  env?: Readonly<Record<string, string>>;
}

/**
 * The executor bundle a scheduler script finds by default: `app_executor.bundle.mjs` beside the
 * script being run (what `npm run build` writes for each example). Undefined when there is none.
 */
export function defaultExecutorBundle(mainScript: string | undefined = process.argv[1]): string | undefined {
  if (!mainScript) return undefined;
  const candidate = join(dirname(mainScript), DEFAULT_EXECUTOR_BUNDLE_NAME);
  return existsSync(candidate) ? candidate : undefined;
}
export const DEFAULT_EXECUTOR_BUNDLE_NAME = 'app_executor.bundle.mjs';

export type { LocalClusterHandle, LocalClusterStarter } from './embedded-cluster.js';
export { startEmbeddedCluster } from './embedded-cluster.js';

export class GoTaskScheduler {
  private readonly table = new TaskTable();
  private schedFunc: SchedFunc | undefined;
  private isRunning = false;
  /** The running framework, set by run(); killTask goes through it. */
  private session: SchedulerSession | undefined;

  /** Throws InvalidArgumentError for bad options (before any I/O). */
  readonly config: SchedulerConfig;

  constructor(
    config: SchedulerConfig,
    private readonly options: GoTaskSchedulerOptions = {},
  ) {
    if (config === null || typeof config !== 'object' || typeof config.master !== 'string') {
      throw new InvalidArgumentError('config', config, 'expected loadSchedulerConfig(...)');
    }
    // Neither --executor nor --executor-command: use the bundle beside the scheduler script.
    const bundle = config.executor === undefined && config.executorCommand === undefined ? defaultExecutorBundle() : undefined;
    this.config = bundle === undefined ? config : { ...config, executor: bundle };
  }

  /**
   * Declares `count` tasks `<name>-0 …`; each task function gets `[taskId, ...args]` and `env`.
   * Throws InvalidArgumentError at the call for bad input.
   */
  spawnTask(name: string, count: number, resources: ResourceMap, options: SpawnOptions = {}): void {
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      throw new InvalidArgumentError(`${name}.options`, options, 'expected { args?, env? }');
    }
    this.spawnTasks([{ name, count, resources, args: options.args ?? [], env: options.env ?? {} }]);
  }

  /** Declares several groups; all or none are added. Throws InvalidArgumentError at the call. */
  spawnTasks(specs: readonly SpawnSpec[]): void {
    this.checkNotRunning('spawnTasks');
    if (!Array.isArray(specs)) throw new InvalidArgumentError('specs', specs, 'must be an array');
    this.table.addAll(specs);
  }

  registerSchedFunc(fn: SchedFunc): void {
    this.checkNotRunning('registerSchedFunc');
    if (typeof fn !== 'function') throw new InvalidArgumentError('schedFunc', fn, 'must be a function');
    if (this.schedFunc !== undefined) throw new InvalidArgumentError('schedFunc', fn, 'a scheduler function is already registered');
    this.schedFunc = fn;
  }

  registerSchedTask(task: SchedTask): void {
    if (task === null || typeof task !== 'object' || typeof task.run !== 'function') {
      throw new InvalidArgumentError('schedTask', task, 'must be an object with a run(schedIn, schedOut, schedEvents) method');
    }
    this.registerSchedFunc((i, o, e) => task.run(i, o, e));
  }

  /**
   * Runs the framework: starts the local cluster (for `local`) and the artifact server,
   * subscribes, launches the tasks all or nothing, and runs the scheduler function. Resolves
   * once the scheduler function returned and the framework is torn down (TEARDOWN: Mesos kills
   * the tasks; with `failoverOnStop` no TEARDOWN, the tasks keep running), with every server,
   * timer and cluster of ours stopped. With `config.frameworkId` it takes over that framework
   * and adopts the tasks that still run (task-adoption.ts says what the function then sees). Rejects with TaskError
   * if the scheduler function threw or a task failure stopped the framework (policy `stop`),
   * after the same teardown. With `config.help` it prints the help and resolves.
   * Throws InvalidArgumentError before any I/O for a missing scheduler function or executor.
   */
  async run(): Promise<void> {
    if (this.config.help) {
      process.stdout.write(formatHelp());
      return;
    }
    this.checkNotRunning('run');
    const schedFunc = this.schedFunc;
    if (schedFunc === undefined) throw new InvalidArgumentError('schedFunc', undefined, 'register a scheduler function before run()');
    if (this.table.size > 0 && this.config.executor === undefined && this.config.executorCommand === undefined) {
      throw new InvalidArgumentError('executor', undefined, `set --executor <bundle> or --executor-command <cmd> so agents can start the executor (no ${DEFAULT_EXECUTOR_BUNDLE_NAME} beside the scheduler script)`);
    }
    this.isRunning = true;
    const capacity = this.options.channelCapacity ?? DEFAULT_CHANNEL_CAPACITY;
    const schedIn = new Channel<TaskMsg>(capacity);
    const schedOut = new Channel<TaskMsg>(capacity);
    const schedEvents = new Channel<SchedEvent>(capacity);
    const events = new SchedEventQueue(schedEvents, Math.max(MIN_EVENT_QUEUE_BOUND, 4 * this.table.size));
    const session = (this.session = new SchedulerSession({
      config: this.config,
      table: this.table,
      events,
      schedIn,
      executorResources: this.options.executorResources ?? DEFAULT_EXECUTOR_RESOURCES,
      ...(this.options.nodeCommand === undefined ? {} : { nodeCommand: this.options.nodeCommand }),
      localCluster: this.options.localCluster ?? startEmbeddedCluster,
      ...(this.options.createDriver === undefined ? {} : { createDriver: this.options.createDriver }),
      driverOptions: { ...(this.options.driverOptions ?? {}), ...(await this.credentials()) },
      ...(this.options.link === undefined ? {} : { link: this.options.link }),
      isFailoverOnStop: this.options.failoverOnStop === true,
    }));
    let failure: Error | undefined;
    try {
      await session.start(schedOut);
      try {
        await schedFunc(schedIn, schedOut, schedEvents);
      } catch (err) {
        failure = new TaskError('scheduler', `the scheduler function failed: ${(err as Error)?.message ?? String(err)}`, { cause: err });
      }
      failure ??= session.stopReason;
    } finally {
      schedOut.close();
      await session.stop(this.options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS);
    }
    if (failure !== undefined) throw failure;
  }

  /**
   * Kills one running task, e.g. from the scheduler function: its `input` closes, the task
   * function returns (or is abandoned after its kill grace) and the app sees TaskKilled; the
   * other tasks go on. Rejects with InvalidArgumentError before run(), for an unknown id or a
   * task not launched yet; resolves at once for a task already ended.
   */
  async killTask(taskId: string): Promise<void> {
    if (this.session === undefined) throw new InvalidArgumentError('taskId', taskId, 'killTask needs a running framework (call it after run())');
    await this.session.killTask(taskId);
  }

  private async credentials(): Promise<Pick<SchedulerDriverOptions, 'credential' | 'tlsCa'>> {
    const out: Pick<SchedulerDriverOptions, 'credential' | 'tlsCa'> = {};
    const { principal, secretFile, tlsCa } = this.config;
    if (secretFile !== undefined) {
      if (principal === undefined) throw new InvalidArgumentError('--secret-file', secretFile, 'needs --principal');
      // Trailing newlines are how editors save files, never part of a secret.
      const secret = (await readFile(secretFile, 'utf8')).replace(/\r?\n$/, '');
      out.credential = { principal, secret };
    }
    if (tlsCa !== undefined) out.tlsCa = await readFile(tlsCa);
    return out;
  }

  private checkNotRunning(what: string): void {
    if (this.isRunning) throw new InvalidArgumentError(what, undefined, 'not allowed once run() has started');
  }
}
