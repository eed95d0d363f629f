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
  StoppedError,
  TaskError,
  createStderrLogger,
  type Logger,
  TaskProtocol,
  type ProtocolSpec,
  type ReceiveChannel,
  type ResourceMap,
  type SchedInMsg,
  type SchedOutMsg,
  type SendChannel,
  type TaskMsg,
  DEFAULT_MAX_MESSAGE_BYTES,
} from '@mesosgot/common/internal';
import type { SchedulerDriverOptions } from '../driver/driver-options.js';
import type { SchedulerConfig } from './config.js';
import { startEmbeddedCluster, type LocalClusterStarter } from './embedded-cluster.js';
import { SchedEventQueue, MIN_EVENT_QUEUE_BOUND } from './sched-event-queue.js';
import type { SchedEvent } from './sched-events.js';
import { SchedulerSession, type DriverFactory } from './scheduler-session.js';
import { TaskTable, type SpawnSpec } from './task-table.js';
import { StatusBoard } from './status-board.js';
import type { StatusServer } from './status-server.js';
import { GangRegistry, type GangFailurePolicy, type GangInfo } from './gang-registry.js';

/**
 * The scheduler function: receives every task's messages on `schedIn` (stamped with the sender's
 * task id in `taskName`), sends to a task by putting its id in `taskName` on `schedOut`, and
 * hears about the framework on `schedEvents`. When it returns, the framework is torn down;
 * when it throws, run() rejects with a TaskError.
 */
export type SchedFunc = (
  schedIn: ReceiveChannel<TaskMsg>,
  schedOut: SendChannel<TaskMsg>,
  schedEvents: ReceiveChannel<SchedEvent>,
) => Promise<void>;

/** A scheduler function under a typed protocol (`registerSchedFunc(protocol, fn)`). */
export type TypedSchedFunc<S extends ProtocolSpec> = (
  schedIn: ReceiveChannel<SchedInMsg<S>>,
  schedOut: SendChannel<SchedOutMsg<S>>,
  schedEvents: ReceiveChannel<SchedEvent>,
) => Promise<void>;

/** mesosgot's AppSchedTask form: an object whose `run` is the scheduler function. */
export interface SchedTask {
  /** The scheduler function. */
  run: SchedFunc;
}

/** Resources of each agent's executor (charged once per agent). */
export const DEFAULT_EXECUTOR_RESOURCES: ResourceMap = { cpus: 0.1, mem: 64 };
/** How long run() lets undelivered scheduler→task messages drain before tearing down (`--drain-timeout`). */
export const DEFAULT_DRAIN_TIMEOUT_MS = 5_000;
/**
 * How long run(), once the system is stopping, waits for a scheduler function that ignores the
 * end of schedIn and the closed schedOut before it tears down without it.
 */
export const SCHED_FUNC_GRACE_MS = 5_000;

/** Where the direct data plane listens, or where executors are told to connect to it. */
export interface DataPlaneAddress {
  /** Host name or IP address. */
  host: string;
  /** TCP port. */
  port: number;
}

/** Options of GoTaskScheduler beyond the SchedulerConfig; all optional. */
export interface GoTaskSchedulerOptions {
  /** Starts the embedded cluster when the master is `local` (default: startEmbeddedCluster). */
  localCluster?: LocalClusterStarter;
  /** Resources of the executor on each agent, charged once per agent; default DEFAULT_EXECUTOR_RESOURCES. */
  executorResources?: ResourceMap;
  /** Command that runs node on the agents for a fetched executor (default: this node for `local`, else `node`). */
  nodeCommand?: string;
  /** Overrides `config.drainTimeout` (seconds) in ms. */
  drainTimeoutMs?: number;
  /**
   * Stops the system when aborted, as stop() does, except that run() then rejects with
   * `signal.reason`, unchanged (docs/design.md, "Errors").
   */
  signal?: AbortSignal;
  /** Where lifecycle milestones go (default: concise lines on stderr at `config.logLevel`). */
  logger?: Logger;
  /**
   * Sees every SchedEvent as it happens, from run() on — also those before the scheduler
   * function starts (Reconnecting while the master is unreachable) and after it returned. Must
   * not block; a throw is ignored. For status pages and tests; the function reads schedEvents.
   */
  onEvent?: (event: SchedEvent) => void;
  /**
   * Where executors' output lines go (`--task-logs`, `--follow-logs`); default this process's
   * stdout, the prefixes coloured when it is a terminal.
   */
  taskOutput?: (text: string) => void;
  /** Options of the MesosSchedulerDriver underneath (backoff, heartbeats, timeouts). */
  driverOptions?: SchedulerDriverOptions;
  /** Replaces MesosSchedulerDriver (tests). */
  createDriver?: DriverFactory;
  /** Tuning of the reliable links to the executors (timeouts, windows); tests shorten them. */
  link?: Omit<ReliableLinkOptions, 'transmit' | 'transport'>;
  /**
   * Where executors are told to connect for the data plane, given where it listens
   * (`--address`:`--data-port`); default the same. For something in between that forwards to
   * it: a NAT or port mapping, or a fault test's CuttingProxy. Called once, after the listener is
   * bound; a rejection fails run().
   */
  advertiseDataPlane?: (bound: DataPlaneAddress) => Promise<DataPlaneAddress> | DataPlaneAddress;
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
  /** Extra arguments; each task function gets `[taskId, ...args]`. */
  args?: readonly string[];
  /** Environment handed to each task function as its `env`. */
  env?: Readonly<Record<string, string>>;
  /**
   * Run these tasks' functions on their executor's main thread (true) or on threads of their
   * own (false), whatever their kind was registered with. Default: the kind's registration.
   */
  inline?: boolean;
  /** Failure policy of the gang (default `--task-failure-policy`); before run() it applies to the whole initial gang. */
  policy?: GangFailurePolicy;
}

/**
 * The executor bundle a scheduler script finds by default: `app_executor.bundle.mjs` beside the
 * script being run (what `npm run build` writes for each example). Undefined when there is none.
 * The entry helper (schedulerMain) passes the script path; library classes never read argv.
 */
export function defaultExecutorBundle(mainScript: string | undefined): string | undefined {
  if (!mainScript) return undefined;
  const candidate = join(dirname(mainScript), DEFAULT_EXECUTOR_BUNDLE_NAME);
  return existsSync(candidate) ? candidate : undefined;
}
export const DEFAULT_EXECUTOR_BUNDLE_NAME = 'app_executor.bundle.mjs';

export type { LocalClusterHandle, LocalClusterStarter } from './embedded-cluster.js';
export { startEmbeddedCluster } from './embedded-cluster.js';

/**
 * The scheduler half of a GoTask application: declare tasks with `spawnTask`/`spawnTasks`,
 * register one scheduler function, then `run()`. Tasks are launched all or nothing, on one
 * executor per agent; the scheduler function talks to them through channels. Nothing happens
 * (no socket, no server, no cluster) before `run()`.
 *
 * ```ts
 * const sched = new GoTaskScheduler(parseSchedulerConfig(['--master', 'local'], {}));
 * sched.spawnTask('echo', 4, { cpus: 0.1, mem: 64 });
 * sched.registerSchedFunc(async (schedIn, schedOut, schedEvents) => { ... });
 * await sched.run();
 * ```
 * A program's own entry point reads flags, help and signals through `schedulerMain` instead.
 */
export class GoTaskScheduler {
  private readonly table = new TaskTable();
  private schedFunc: SchedFunc | undefined;
  private isRunning = false;
  /** The event queue of the running framework, set by run(); typed channels report decode errors to it. */
  private events: SchedEventQueue | undefined;
  /** Every gang declared: gang 0 before run(), one per spawn during run(). */
  private readonly gangs = new GangRegistry();
  /** The running framework, set by run(); killTask goes through it. */
  private session: SchedulerSession | undefined;
  /** run()'s promise, once called; stop() waits on it. */
  private running: Promise<void> | undefined;
  /** Set by stop() or options.signal: the system must stop. Written by requestStop() only. */
  private stopRequest: { reason: unknown } | undefined;
  private readonly logger: Logger;

  /** The settings in use: the given config, with the default executor bundle filled in when neither executor setting was given. */
  readonly config: SchedulerConfig;
  /** The live status page's URL while run() runs with `config.status` (undefined otherwise). */
  statusUrl: string | undefined;

  /** Throws InvalidArgumentError for a config that is not a SchedulerConfig. Does no I/O. */
  constructor(
    config: SchedulerConfig,
    private readonly options: GoTaskSchedulerOptions = {},
  ) {
    if (config === null || typeof config !== 'object' || typeof config.master !== 'string') {
      throw new InvalidArgumentError('config', config, 'expected loadSchedulerConfig(...)');
    }
    this.config = config;
    this.logger = options.logger ?? createStderrLogger({ level: config.logLevel ?? 'info' });
    const { signal } = options;
    if (signal?.aborted === true) this.requestStop(signal.reason as unknown);
    else signal?.addEventListener('abort', () => this.requestStop(signal.reason as unknown), { once: true });
  }

  /**
   * Declares `count` tasks `<name>-0 …`; each task function gets `[taskId, ...args]` and `env`.
   * Before run() the tasks join the initial gang (everything declared before run() is allocated
   * all or nothing together); during run() they form a new gang (see spawnTasks). The promise
   * resolves once every task of the gang is RUNNING. Throws InvalidArgumentError at the call for
   * bad input.
   */
  spawnTask(name: string, count: number, resources: ResourceMap, options: SpawnOptions = {}): Promise<GangInfo> {
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      throw new InvalidArgumentError(`${name}.options`, options, 'expected { args?, env?, inline?, policy? }');
    }
    const inline = options.inline === undefined ? {} : { inline: options.inline };
    return this.spawnTasks([{ name, count, resources, args: options.args ?? [], env: options.env ?? {}, ...inline }], options.policy === undefined ? {} : { policy: options.policy });
  }

  /**
   * Declares several groups; all or none are added. Throws InvalidArgumentError at the call.
   * During run() (from the scheduler function, or from outside through this object) the groups
   * form a new gang: allocated all or nothing on fresh offers independently of the gangs already
   * running (AllocationPending names it while it waits; offers are revived for it), ids continue
   * each name's numbering (`worker-8` after `worker-7`), and `policy` (default: the configured
   * `--task-failure-policy`) says what a failure of its tasks does. Resolves with the gang's id
   * and task ids once each of its tasks is RUNNING; rejects with TaskError if one ends first
   * (launch failed, killed, isolated), with UnfittableTaskError if the gang can never fit (one
   * task with its executor is larger than every agent known, or the whole gang larger than those
   * agents together, all empty: docs/design.md, "Gangs that can never fit"; then an Error event
   * says so too, and nothing of the gang is launched), and with StoppedError if the system stops
   * before. A gang that only cannot fit now waits (AllocationPending). The promise is marked
   * handled, so ignoring it is safe.
   */
  spawnTasks(specs: readonly SpawnSpec[], options: { policy?: GangFailurePolicy } = {}): Promise<GangInfo> {
    if (!Array.isArray(specs)) throw new InvalidArgumentError('specs', specs, 'must be an array');
    const policy = options?.policy;
    if (policy !== undefined && policy !== 'stop' && policy !== 'restart' && policy !== 'isolate') {
      throw new InvalidArgumentError('policy', policy, 'must be stop, restart or isolate');
    }
    if (!this.isRunning) {
      return this.gangs.extend(0, this.table.addAll(specs, 0), policy);
    }
    if (this.stopRequest !== undefined || this.session?.stopReason !== undefined) {
      throw new InvalidArgumentError('spawnTasks', undefined, 'the system is stopping');
    }
    const gang = Math.max(1, this.gangs.peekNextId());
    const promise = this.gangs.add(this.table.addAll(specs, gang, true), policy);
    this.logger.info(`spawning gang ${gang}`, { tasks: this.gangs.taskIdsOf(gang).join(',') });
    this.session?.spawned();
    return promise;
  }

  /**
   * Kills a whole gang (its id is in what spawnTask/spawnTasks resolve with; 0 = the tasks
   * declared before run()): launched tasks get a KILL (input closes, TaskKilled), tasks not
   * launched yet end at once and the gang's promise rejects. Resolves once the master took every
   * KILL. Rejects with InvalidArgumentError before run() or for an unknown gang.
   */
  async killGang(gang: number): Promise<void> {
    const session = this.session;
    if (session === undefined) throw new InvalidArgumentError('gang', gang, 'killGang needs a running framework (call it after run())');
    if (this.gangs.info(gang) === undefined) throw new InvalidArgumentError('gang', gang, 'no such gang');
    this.gangs.fail(gang, new TaskError(`gang-${gang}`, 'the gang was killed'));
    await session.killAll(this.gangs.liveTasks(gang, (id) => this.table.get(id)));
  }

  /** Kills every live task of kind `name` (all its gangs), as killGang does. Rejects with InvalidArgumentError before run(). */
  async killKind(name: string): Promise<void> {
    const session = this.session;
    if (session === undefined) throw new InvalidArgumentError('name', name, 'killKind needs a running framework (call it after run())');
    await session.killAll(this.table.live().filter((t) => t.name === name));
  }

  /**
   * Registers the scheduler function (exactly one per scheduler). Throws InvalidArgumentError
   * if `fn` is not a function, one is already registered, or run() has begun.
   */
  registerSchedFunc(fn: SchedFunc): void;
  /**
   * The typed form: `schedOut` takes `{ taskName, data }` with `data` typed by the destination's
   * kind, `schedIn` yields a union discriminated by `kind`; each message is encoded or decoded
   * once with the codecs `protocol` declares. A message from a task that cannot be decoded
   * becomes an `Error` event (its `error` a MessageDecodeError naming task, kind and reason) and
   * is skipped; schedIn goes on. Same rules as the untyped form.
   */
  registerSchedFunc<S extends ProtocolSpec>(protocol: TaskProtocol<S>, fn: TypedSchedFunc<S>): void;
  registerSchedFunc<S extends ProtocolSpec>(first: SchedFunc | TaskProtocol<S>, typed?: TypedSchedFunc<S>): void {
    this.checkNotRunning('registerSchedFunc');
    const fn = first instanceof TaskProtocol ? typed : first;
    if (typeof fn !== 'function') throw new InvalidArgumentError('schedFunc', fn, 'must be a function');
    if (this.schedFunc !== undefined) throw new InvalidArgumentError('schedFunc', fn, 'a scheduler function is already registered');
    if (!(first instanceof TaskProtocol)) {
      this.schedFunc = first;
      return;
    }
    const typedFn = fn as TypedSchedFunc<S>;
    this.schedFunc = (schedIn, schedOut, schedEvents) => {
      const channels = first.schedulerChannels(schedIn, schedOut, (error) => this.events?.push({ type: 'Error', message: error.message, error }));
      return typedFn(channels.schedIn, channels.schedOut, schedEvents);
    };
  }

  /** mesosgot's AppSchedTask form: registers `task.run` (same rules as registerSchedFunc). */
  registerSchedTask(task: SchedTask): void {
    if (task === null || typeof task !== 'object' || typeof task.run !== 'function') {
      throw new InvalidArgumentError('schedTask', task, 'must be an object with a run(schedIn, schedOut, schedEvents) method');
    }
    this.registerSchedFunc((i, o, e) => task.run(i, o, e));
  }

  /**
   * Runs the framework: starts the local cluster (for `local`) and the artifact server,
   * subscribes, and once subscribed runs the scheduler function while the tasks are launched all
   * or nothing. Always settles, with everything of ours (servers, timers, cluster, temp dirs)
   * stopped and one Shutdown event sent:
   * - resolves once the scheduler function returned, or stop() was called, and the framework was
   *   torn down (TEARDOWN: Mesos kills the tasks; with `failoverOnStop` the tasks keep running);
   * - rejects with TaskError when the scheduler function threw or a task failure stopped the
   *   framework (policy `stop`); with the driver's error when the master refused the framework
   *   for good (401, "Framework failed over"); with TimeoutError when no subscription came
   *   within `--connect-timeout`; with UnfittableTaskError when a task can never fit an agent of
   *   the embedded cluster; with `signal.reason` when the `signal` option aborted it.
   * With `config.frameworkId` it takes over that framework and adopts the tasks that still run
   * (task-adoption.ts). Throws InvalidArgumentError before any I/O for a missing scheduler
   * function or executor, or a second call.
   */
  run(): Promise<void> {
    if (this.running !== undefined) return Promise.reject(new InvalidArgumentError('run', 'called twice', 'run() may be called only once'));
    this.running = this.runOnce();
    return this.running;
  }

  /**
   * Stops the system from outside: the scheduler function sees Shutdown, schedIn ends and
   * schedOut closes; then the teardown of run(). Resolves when run() has settled (run() itself
   * resolves after a stop()); before run() it makes a later run() end at once. Never rejects.
   */
  async stop(): Promise<void> {
    this.requestStop(undefined);
    await this.running?.catch(() => undefined);
  }

  /** Calls stop(); resolves once run() has settled and everything is released. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  private requestStop(reason: unknown): void {
    if (this.stopRequest !== undefined) return;
    this.stopRequest = { reason };
    this.endSession();
  }

  private async runOnce(): Promise<void> {
    this.checkNotRunning('run');
    const schedFunc = this.schedFunc;
    if (schedFunc === undefined) throw new InvalidArgumentError('schedFunc', undefined, 'register a scheduler function before run()');
    if (this.table.size > 0 && this.config.executor === undefined && this.config.executorCommand === undefined) {
      throw new InvalidArgumentError('executor', undefined, `set --executor <bundle> or --executor-command <cmd> so agents can start the executor (no ${DEFAULT_EXECUTOR_BUNDLE_NAME} beside the scheduler script)`);
    }
    this.isRunning = true;
    const drainMs = this.options.drainTimeoutMs ?? (this.config.drainTimeout ?? DEFAULT_DRAIN_TIMEOUT_MS / 1000) * 1000;
    const capacity = this.options.channelCapacity ?? DEFAULT_CHANNEL_CAPACITY;
    const schedIn = new Channel<TaskMsg>(capacity);
    const schedEvents = new Channel<SchedEvent>(capacity);
    let session: SchedulerSession | undefined;
    const onEvent = this.options.onEvent;
    const isFollowingLogs = this.config.master === 'local' ? this.config.taskLogs !== 'off' : this.config.followLogs === true;
    const write = this.options.taskOutput ?? ((text: string) => void process.stdout.write(text));
    // Loaded only when followed (--follow-logs, or the embedded cluster's --task-logs).
    const logs = isFollowingLogs ? new (await import('./task-log-follower.js')).TaskLogFollower({ write, colour: this.options.taskOutput === undefined && process.stdout.isTTY === true && process.env.NO_COLOR === undefined }) : undefined;
    const board = new StatusBoard({
      frameworkName: this.config.name,
      table: this.table,
      traffic: () => session?.messagePump?.traffic,
      links: () => session?.messagePump?.linkSnapshots() ?? [],
      stderrTail: (taskId) => logs?.stderrTailOf(taskId),
    });
    const events = (this.events = new SchedEventQueue(schedEvents, Math.max(MIN_EVENT_QUEUE_BOUND, 4 * this.table.size), (e) => {
      board.record(e);
      logs?.record(e);
      onEvent?.(e);
    }));
    let status: StatusServer | undefined;
    session = this.session = new SchedulerSession({
      config: this.config,
      table: this.table,
      gangs: this.gangs,
      events,
      schedIn,
      executorResources: this.options.executorResources ?? DEFAULT_EXECUTOR_RESOURCES,
      ...(this.options.nodeCommand === undefined ? {} : { nodeCommand: this.options.nodeCommand }),
      localCluster: this.options.localCluster ?? startEmbeddedCluster,
      ...(this.options.createDriver === undefined ? {} : { createDriver: this.options.createDriver }),
      driverOptions: { ...(this.options.driverOptions ?? {}), ...(await this.credentials()) },
      ...(this.options.link === undefined ? {} : { link: this.options.link }),
      ...(this.options.advertiseDataPlane === undefined ? {} : { advertiseDataPlane: this.options.advertiseDataPlane }),
      isFailoverOnStop: this.options.failoverOnStop === true,
      logger: this.logger,
      connectTimeoutMs: (this.config.connectTimeout ?? 0) * 1000,
      channelCapacity: capacity,
      maxMessageBytes: this.config.maxMessageSize ?? DEFAULT_MAX_MESSAGE_BYTES,
    });
    // A stop requested before run() (or while it was setting up) ends the session at once.
    if (this.stopRequest !== undefined) this.endSession();
    let failure: Error | undefined;
    let funcFailure: Error | undefined;
    let reason = 'the scheduler function returned';
    try {
      await session.start();
      // The status page comes once the master connection is set up: a run that cannot start
      // (no @mesosgot/local, say) fails with one line, not after announcing a page. The board
      // has recorded every event since run() began, so the page misses none.
      if (this.config.status !== false) {
        // Loaded only here: with --no-status the page and its server cost nothing.
        const { StatusServer } = await import('./status-server.js');
        status = new StatusServer({ board, address: this.config.address, port: this.config.statusPort ?? 0 });
        this.statusUrl = await status.start();
        this.logger.info(`status page: ${this.statusUrl}`);
      }
      // The scheduler function starts once the framework is subscribed (README "The API"),
      // unless the system ended first (refused, gave up, stopped).
      if (await settlesFirst(session.subscribed, session.ended)) {
        const schedOut = session.schedOut!;
        const fn = schedFunc(schedIn, schedOut, schedEvents).then(
          () => undefined,
          (err: unknown) => err,
        );
        let outcome: unknown;
        if (await settlesFirst(fn, session.ended)) {
          outcome = await fn;
        } else {
          // Stopping: the function saw Shutdown, schedIn ended and schedOut closed; give it a
          // bounded time to return (its `finally` blocks run), then tear down without it.
          const grace = AbortSignal.timeout(SCHED_FUNC_GRACE_MS);
          if (await settlesFirst(fn, grace)) outcome = await fn;
          else this.logger.warn(`the scheduler function did not return within ${SCHED_FUNC_GRACE_MS} ms of the shutdown; tearing down without it`);
        }
        if (outcome !== undefined) {
          const message = (outcome as Error)?.message ?? String(outcome);
          funcFailure = new TaskError('scheduler', `the scheduler function failed: ${message}`, { cause: outcome });
          reason = `the scheduler function threw: ${message}`;
        }
      }
    } catch (err) {
      failure = err as Error;
      reason = `the framework could not start: ${(err as Error)?.message ?? String(err)}`;
    } finally {
      try {
        // What the tasks printed so far, while their sandboxes still exist (the embedded cluster goes with the session).
        await logs?.poll();
        await session.stop(drainMs, reason);
      } finally {
        await logs?.stop();
        await status?.stop();
        this.statusUrl = undefined;
      }
    }
    // What stopped the system comes first: a send rejected because of it is a consequence.
    failure ??= session.stopReason ?? funcFailure;
    if (failure !== undefined) {
      if (failure instanceof StoppedError) this.logger.info(`run() ended: ${failure.message}`);
      else this.logger.error(`run() failed: ${failure.message}`);
      throw failure;
    }
    this.logger.info('run() finished');
  }

  /** Ends the running session for the stop request (stop(): orderly; abort: with its reason). */
  private endSession(): void {
    if (this.stopRequest === undefined) return;
    const { reason } = this.stopRequest;
    const why = reason === undefined ? 'stop() was called' : `aborted: ${reason instanceof Error ? reason.message : String(reason)}`;
    this.session?.end(reason === undefined ? undefined : (reason as Error), why);
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

/** True if `first` settles before `signal` aborts (false at once if it already has). */
async function settlesFirst(first: Promise<unknown>, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<false>((resolve) => {
    onAbort = () => resolve(false);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([first.then(() => true, () => true), aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort!);
  }
}
