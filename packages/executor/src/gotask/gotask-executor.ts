/**
 * GoTaskExecutor: the executor half of a GoTask application (docs/design.md). It registers task
 * functions by kind, runs each launched task's function with its channels, pumps messages to
 * and from the scheduler over one ReliableLink carried by framework messages, and turns each
 * task's life into status updates (TaskRunner).
 *
 * Process exit: run() never ends the process, never reads its arguments, never handles signals. It
 * resolves once the driver has stopped, every task has reported (or was abandoned after its
 * grace), the link is closed and no timer or socket of ours is left. A task function abandoned
 * after its kill grace may still hold timers or sockets of its own, so the entry helper
 * (executorMain) ends the process when run() resolves, as Mesos' own executors do after
 * SHUTDOWN or after losing the agent.
 */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  DEFAULT_CHANNEL_CAPACITY,
  InvalidArgumentError,
  SANDBOX_LABEL,
  TaskProtocol,
  createStderrLogger,
  type AgentInfo,
  type KindOf,
  type Logger,
  type ProtocolSpec,
  type TaskInfo,
  type TaskStatus,
} from '@mesosgot/common/internal';
import type { Executor } from '../driver/executor.js';
import type { DriverStatus, ExecutorDriver } from '../driver/executor-driver.js';
import { MesosExecutorDriver, type ExecutorDriverOptions } from '../driver/mesos-executor-driver.js';
import { DataPlaneClient } from './data-plane-client.js';
import { ExecutorLink, type ExecutorLinkOptions } from './executor-link.js';
import type { AppTask, AppTaskExecutor, TaskFunc, TaskFuncOptions, TypedTaskFunc } from './task-func.js';
import { TaskRegistry } from './task-registry.js';
import { TaskRunner, type TaskHost } from './task-runner.js';
import { serveTaskThread, taskThreadLaunch } from './task-thread-worker.js';
import { ThreadSlots } from './thread-slots.js';

/** Kill grace of a task whose TaskInfo has no kill_policy (Mesos' own default is 3 s). */
export const DEFAULT_KILL_GRACE_MS = 3_000;
/** Bound on flushing one task's output before its terminal update, outside shutdown. */
export const DEFAULT_FLUSH_TIMEOUT_MS = 5_000;
/**
 * Share of the driver's shutdown budget (grace period less its margin) that task functions get
 * to return; the rest is for flushing output, sending terminal updates and the driver's own
 * flush of those calls (it waits for no ACKNOWLEDGED after SHUTDOWN, driver-lifecycle.ts).
 */
const SHUTDOWN_TASKS_SHARE = 0.5;
const SHUTDOWN_FLUSH_SHARE = 0.7;
const SHUTDOWN_REPORT_SHARE = 0.85;
/** The driver keeps min(1 s, 20 %) of the grace period for itself (driver-lifecycle.ts). */
const DRIVER_MARGIN_MS = 1_000;
const DRIVER_MARGIN_FRACTION = 0.2;

/** Exit code when the executor script is started without the environment an agent sets. */
export const EXECUTOR_USAGE_EXIT_CODE = 2;

/** What `app_executor --help` prints: it is started by a Mesos agent, not by hand. */
export function executorUsage(kinds: readonly string[]): string {
  return [
    'usage: app_executor   (started by a Mesos agent, or by mesosgot --master local)',
    '',
    `Runs the task functions of a GoTask application${kinds.length ? ` (kinds: ${kinds.join(', ')})` : ''}.`,
    'It reads what the agent sets in its environment:',
    '  MESOS_AGENT_ENDPOINT, MESOS_FRAMEWORK_ID, MESOS_EXECUTOR_ID, MESOS_DIRECTORY (required)',
    '  MESOS_SANDBOX, MESOS_CHECKPOINT, MESOS_RECOVERY_TIMEOUT, MESOS_SUBSCRIPTION_BACKOFF_MAX,',
    '  MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD, MESOS_EXECUTOR_AUTHENTICATION_TOKEN (optional)',
    '',
  ].join('\n');
}

/** Options of GoTaskExecutor; all optional, the defaults suit an executor started by a Mesos agent. */
export interface GoTaskExecutorOptions {
  /** Where MESOS_* come from. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Buffer of each task's input and output channel. Default DEFAULT_CHANNEL_CAPACITY (256). */
  channelCapacity?: number;
  /** Kill grace when a TaskInfo has no kill_policy.grace_period, in ms. Default DEFAULT_KILL_GRACE_MS. */
  killGracePeriodMs?: number;
  /** Bound on one task's output flush before its terminal update, in ms. Default DEFAULT_FLUSH_TIMEOUT_MS. */
  flushTimeoutMs?: number;
  /** Replaces the default dispatch to registered task functions. */
  appTaskExecutor?: AppTaskExecutor;
  /** Told about what no status update can carry (a stray framework message, a refused update). Default: the logger. */
  onError?: (error: Error) => void;
  /** Where the executor's lifecycle lines go (default: concise lines on stderr, the sandbox's `stderr` file). */
  logger?: Logger;
  /** Aborting it stops the executor as stop() does (tasks killed and reported, driver stopped). */
  signal?: AbortSignal;
  /** Options of the link to the scheduler (timeouts, windows); tests shorten them. */
  link?: ExecutorLinkOptions;
  /** Options of the MesosExecutorDriver underneath (stop timeout, a test transport). */
  driver?: Omit<ExecutorDriverOptions, 'env'>;
  /**
   * The executor script (a file URL or path) that each task thread loads to find its task
   * function: it must register the task functions and call run(), as the main thread did.
   * Default: the module this class was bundled into, which is right for the one-file bundle an
   * agent fetches; an executor run unbundled passes its own `import.meta.url`.
   */
  entry?: string | URL;
}

/**
 * The executor half of a GoTask application: register a task function per kind, then `run()`.
 * Each task the scheduler launches runs its kind's function with an `input` and an `output`
 * channel connected to the scheduler function; resolving reports TASK_FINISHED, throwing
 * reports TASK_FAILED, and the task's `input` closes when it is killed or the executor shuts
 * down. `run()` never ends the process itself: an executor program whose tasks all returned ends
 * by itself once `run()` resolves.
 *
 * ```ts
 * const exec = new GoTaskExecutor();
 * exec.registerTaskFunc('echo', async (input, output, args) => {
 *   for await (const msg of input) await output.send({ taskName: args[0]!, data: msg.data });
 * });
 * await exec.run();
 * ```
 */
export class GoTaskExecutor {
  readonly #registry = new TaskRegistry();
  readonly #options: GoTaskExecutorOptions;
  readonly #channelCapacity: number;
  readonly #killGraceMs: number;
  readonly #flushTimeoutMs: number;
  readonly #onError: (error: Error) => void;
  readonly #logger: Logger;
  /** Live tasks by id; a runner leaves once its terminal update was handed to the driver. */
  readonly #runners = new Map<string, TaskRunner>();
  #driver: MesosExecutorDriver | undefined;
  #link: ExecutorLink | undefined;
  /** Moves the link to the scheduler's data plane when it offers one. */
  #dataPlane: DataPlaneClient | undefined;
  #running: Promise<DriverStatus> | undefined;
  /** Set while the shutdown callback runs: flushes then cannot wait for acknowledgements. */
  #flushDeadline: number | undefined;
  /** Aborted when the shutdown callback begins: cuts flushes that wait for acknowledgements. */
  readonly #shutdownBegun = new AbortController();
  #isShuttingDown = false;
  /** How many task threads run at once (the sum of the live tasks' cpus). */
  readonly #threadSlots = new ThreadSlots();
  /** The agent as SUBSCRIBED described it (hostname, id); set by the registered callbacks. */
  #agent: AgentInfo | undefined;
  readonly #entry: URL;

  /** Throws InvalidArgumentError for a bad option. Reads nothing from the environment yet. */
  constructor(options: GoTaskExecutorOptions = {}) {
    this.#options = options;
    this.#channelCapacity = nonNegativeInt('channelCapacity', options.channelCapacity ?? DEFAULT_CHANNEL_CAPACITY);
    this.#killGraceMs = nonNegativeInt('killGracePeriodMs', options.killGracePeriodMs ?? DEFAULT_KILL_GRACE_MS);
    this.#flushTimeoutMs = nonNegativeInt('flushTimeoutMs', options.flushTimeoutMs ?? DEFAULT_FLUSH_TIMEOUT_MS);
    this.#logger = options.logger ?? createStderrLogger({ name: 'GoTaskExecutor' });
    this.#onError = options.onError ?? ((error) => this.#logger.warn(error.message));
    this.#entry = entryUrl(options.entry);
    const { signal } = options;
    signal?.addEventListener('abort', () => void this.stop(), { once: true });
  }

  /**
   * Registers the task function for tasks `<kind>-<index>`. Each task runs on a worker thread of
   * its own unless `options.inline` (or the spawn's `inline`) says the main thread. Throws
   * InvalidArgumentError for an empty kind, a kind registered twice, bad options, or registering
   * after run(). Returns this, for chaining.
   */
  registerTaskFunc(kind: string, fn: TaskFunc, options?: TaskFuncOptions): this;
  /**
   * The typed form: `fn` reads `input` decoded and writes `output` encoded with the codecs
   * `protocol` declares for `kind` (once per message, at the channel boundary). A message the
   * task cannot decode is reported through `onError` (a MessageDecodeError naming task, kind and
   * reason) and skipped; the task's input goes on. Same rules as the untyped form.
   */
  registerTaskFunc<S extends ProtocolSpec, K extends KindOf<S>>(protocol: TaskProtocol<S>, kind: K, fn: TypedTaskFunc<S, K>, options?: TaskFuncOptions): this;
  registerTaskFunc<S extends ProtocolSpec, K extends KindOf<S>>(
    first: string | TaskProtocol<S>,
    second: TaskFunc | K,
    third?: TypedTaskFunc<S, K> | TaskFuncOptions,
    fourth?: TaskFuncOptions,
  ): this {
    const kind = typeof first === 'string' ? first : (second as string);
    if (this.#running) throw new InvalidArgumentError('kind', kind, 'task functions must be registered before run()');
    if (typeof first === 'string') {
      this.#registry.register(kind, second as TaskFunc, third as TaskFuncOptions | undefined);
      return this;
    }
    const typed = third as TypedTaskFunc<S, K> | undefined;
    if (!(first instanceof TaskProtocol)) throw new InvalidArgumentError('protocol', first, 'expected defineProtocol(...) or a kind');
    if (typeof typed !== 'function') throw new InvalidArgumentError(`task "${kind}"`, typed, 'must be a function');
    const protocol = first;
    const onDecodeError = (error: Error): void => this.#onError(error);
    if (!Object.hasOwn(protocol.kinds, kind)) throw new InvalidArgumentError('kind', kind, 'is not declared by the protocol');
    this.#registry.register(
      kind,
      (input, output, args, env, context) => {
        const channels = protocol.taskChannels(kind as K, input, output, onDecodeError);
        return typed(channels.input, channels.output, args, env, context);
      },
      fourth,
    );
    return this;
  }

  /** mesosgot's AppTask form: registers `task.run` for `kind` (same rules as registerTaskFunc). */
  registerTask(kind: string, task: AppTask, options?: TaskFuncOptions): this {
    if (task === null || typeof task !== 'object') throw new InvalidArgumentError(`task "${kind}"`, task, 'must be an object with a run function');
    return this.registerTaskFunc(kind, (input, output, args, env, context) => task.run(input, output, args, env, context), options);
  }

  /** Kinds registered so far. */
  taskKinds(): string[] {
    return this.#registry.kinds();
  }

  /**
   * Reads MESOS_* from the environment, subscribes to the agent and serves tasks until SHUTDOWN,
   * the agent gone for good, or stop(). Resolves with the driver's final status (DRIVER_STOPPED
   * after an orderly end, DRIVER_ABORTED otherwise, including an agent never reached) once every
   * task reported, the link is closed and no socket or timer of ours remains. Rejects with
   * InvalidArgumentError (a missing MESOS_* variable, a second run()) before any I/O.
   */
  run(): Promise<DriverStatus> {
    if (this.#running) return Promise.reject(new InvalidArgumentError('run', 'called twice', 'run() may be called only once'));
    // In a task thread (task-thread-worker.ts) this script was loaded again to serve one task:
    // that promise never settles, the main thread ends the thread when the task is done.
    const threadLaunch = taskThreadLaunch();
    if (threadLaunch !== undefined) {
      this.#running = serveTaskThread(this.#options.appTaskExecutor ?? this.#registry, threadLaunch);
      return this.#running;
    }
    let driver: MesosExecutorDriver;
    try {
      driver = new MesosExecutorDriver(this.#callbacks(), { ...this.#options.driver, ...(this.#options.env ? { env: this.#options.env } : {}) });
    } catch (error) {
      this.#running = Promise.reject(error);
      return this.#running;
    }
    if (this.#options.signal?.aborted === true) {
      this.#running = Promise.resolve('DRIVER_NOT_STARTED');
      return this.#running;
    }
    this.#driver = driver;
    this.#link = new ExecutorLink((frame) => driver.sendFrameworkMessage(frame), this.#options.link, driver.agentEnv.contentType);
    this.#dataPlane = new DataPlaneClient({ link: this.#link, executorId: driver.agentEnv.executorId, logger: this.#logger });
    this.#dataPlane.start();
    this.#running = this.#serve(driver, this.#link);
    return this.#running;
  }

  /**
   * Ends the executor from inside: kills every task as a shutdown would (closes inputs, waits
   * within the kill grace, reports TASK_KILLED), then stops the driver after its flush. Resolves
   * like run(); before run() it resolves DRIVER_NOT_STARTED at once.
   */
  async stop(): Promise<DriverStatus> {
    const driver = this.#driver;
    if (driver === undefined || this.#running === undefined) return 'DRIVER_NOT_STARTED';
    if (!this.#isShuttingDown) {
      this.#isShuttingDown = true;
      await this.#stopAllTasks(Infinity, Date.now() + this.#killGraceMs + this.#flushTimeoutMs);
      await this.#link?.close();
      await driver.stop();
    }
    return this.#running;
  }

  /** The driver underneath, once run() was called (for status and extra event listeners). */
  get driver(): ExecutorDriver | undefined {
    return this.#driver;
  }

  /** Tasks whose terminal update has not been handed to the driver yet. */
  get liveTaskIds(): string[] {
    return [...this.#runners.keys()];
  }

  /** Calls stop(); resolves once the executor has released everything. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  async #serve(driver: MesosExecutorDriver, link: ExecutorLink): Promise<DriverStatus> {
    this.#logger.info('subscribing to the agent', { executor: driver.agentEnv.executorId, agent: driver.agentEnv.agentUrl });
    const status = await driver.run();
    const left = this.#runners.size;
    this.#logger.info(`executor ended (${status})${left > 0 ? `; abandoning ${left} task function(s) that did not return` : ''}`);
    // The driver is gone: nothing can be reported any more. Runners still here (a shutdown that
    // ran out of time) are abandoned; their updates fail fast with NotSubscribedError.
    for (const runner of this.#runners.values()) runner.kill('shutdown', 0);
    await Promise.allSettled([...this.#runners.values()].map((r) => r.done));
    await link.close();
    // After the link's BYE went out on whichever path it had.
    await this.#dataPlane?.stop();
    return status;
  }

  #host(link: ExecutorLink, driver: ExecutorDriver): TaskHost {
    return {
      link,
      appTaskExecutor: this.#options.appTaskExecutor ?? this.#registry,
      channelCapacity: this.#channelCapacity,
      defaultKillGraceMs: this.#killGraceMs,
      // The sandbox rides on every update, so the scheduler can read this executor's stderr
      // through the agent's /files/read if the executor dies (SANDBOX_LABEL).
      sendStatusUpdate: (status: TaskStatus) => driver.sendStatusUpdate(withSandboxLabel(status, this.#driver?.agentEnv.directory)),
      flushSignal: () => this.#flushSignal(),
      flush: (_taskId, signal) => this.#flush(link, signal),
      onError: this.#onError,
      threads: { slots: this.#threadSlots, entry: this.#entry },
      place: () => ({ frameworkId: this.#driver?.agentEnv.frameworkId ?? '', executorId: this.#driver?.agentEnv.executorId ?? '', agent: this.#agent }),
    };
  }

  #callbacks(): Executor {
    return {
      launchTask: (driver, task) => this.#launch(driver, task),
      killTask: (_driver, taskId) => {
        // Returns at once: the runner reports when the function ends or its grace runs out, and
        // MESSAGE events (acknowledgements of its output) must keep flowing meanwhile.
        this.#runners.get(taskId.value)?.kill('kill');
      },
      frameworkMessage: (_driver, data) => {
        try {
          this.#link?.onFrame(data);
        } catch (error) {
          this.#onError(error as Error);
        }
      },
      registered: (_driver, _executorInfo, _frameworkInfo, agent) => {
        this.#agent = agent;
      },
      reregistered: (_driver, agent) => {
        this.#agent = agent;
        this.#link?.retransmitNow();
      },
      shutdown: () => this.#shutdown(),
      error: (_driver, message) => this.#onError(new Error(message)),
    };
  }

  #launch(driver: ExecutorDriver, task: TaskInfo): void {
    const link = this.#link;
    const taskId = task.task_id.value;
    if (link === undefined) return;
    if (this.#runners.has(taskId)) {
      this.#onError(new InvalidArgumentError('task_id', taskId, 'is already running; the second LAUNCH was ignored'));
      return;
    }
    const runner = new TaskRunner(task, this.#host(link, driver));
    this.#runners.set(taskId, runner);
    // A LAUNCH queued behind SHUTDOWN: the task ends at once as killed.
    if (this.#isShuttingDown) runner.kill('shutdown', 0);
    void runner.start().then(() => this.#runners.delete(taskId));
  }

  /** The bound of a flush starting now: the shutdown's flush deadline, else the flush timeout. */
  #flushSignal(): AbortSignal {
    return AbortSignal.timeout(Math.max(0, (this.#flushDeadline ?? Date.now() + this.#flushTimeoutMs) - Date.now()));
  }

  /**
   * One task's output flush: until the scheduler acknowledged it all, or — in the shutdown
   * callback, where no acknowledgement can come in (callbacks run one at a time, see
   * executor-link.ts; after a TEARDOWN none would be sent anyway) — until it all went out to the
   * agent. A flush already waiting for acknowledgements when SHUTDOWN comes switches to the
   * latter at once instead of waiting out its bound.
   */
  async #flush(link: ExecutorLink, signal: AbortSignal): Promise<void> {
    const shutdown = this.#shutdownBegun.signal;
    if (!shutdown.aborted) {
      await link.drain(AbortSignal.any([signal, shutdown]));
      if (signal.aborted || !shutdown.aborted) return;
    }
    await link.transmitted(AbortSignal.any([signal, this.#flushSignal()]));
  }

  /**
   * SHUTDOWN or the agent gone for good: every task is stopped and reported within the driver's
   * budget (grace period less its margin), which the driver also enforces.
   */
  async #shutdown(): Promise<void> {
    this.#isShuttingDown = true;
    this.#logger.info('shutting down', { tasks: this.#runners.size });
    const grace = this.#driver?.agentEnv.shutdownGracePeriodMs ?? this.#killGraceMs;
    const budget = Math.max(0, grace - Math.min(DRIVER_MARGIN_MS, grace * DRIVER_MARGIN_FRACTION));
    const start = Date.now();
    this.#flushDeadline = start + budget * SHUTDOWN_FLUSH_SHARE;
    this.#shutdownBegun.abort();
    await this.#stopAllTasks(budget * SHUTDOWN_TASKS_SHARE, start + budget * SHUTDOWN_REPORT_SHARE);
    // Tells the scheduler's link we are gone, while MESSAGE calls still go out.
    await this.#link?.close();
  }

  /**
   * Kills every task (grace at most `maxGraceMs`) and waits until their terminal updates were
   * handed to the driver, or `deadline` (Date.now() ms).
   */
  async #stopAllTasks(maxGraceMs: number, deadline: number): Promise<void> {
    const runners = [...this.#runners.values()];
    for (const runner of runners) runner.kill('shutdown', maxGraceMs);
    const timeout = AbortSignal.timeout(Math.max(0, deadline - Date.now()));
    await Promise.race([
      Promise.allSettled(runners.map((r) => r.done)),
      new Promise<void>((resolve) => timeout.addEventListener('abort', () => resolve(), { once: true })),
    ]);
  }
}

function withSandboxLabel(status: TaskStatus, sandbox: string | undefined): TaskStatus {
  if (sandbox === undefined || sandbox === '') return status;
  return { ...status, labels: { labels: [...(status.labels?.labels ?? []), { key: SANDBOX_LABEL, value: sandbox }] } };
}

function nonNegativeInt(field: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new InvalidArgumentError(field, value, 'must be a non-negative integer');
  return value;
}

/** The `entry` option as a URL; default: this module's own URL (the bundle, once bundled). */
function entryUrl(entry: string | URL | undefined): URL {
  if (entry === undefined) return new URL(import.meta.url);
  if (entry instanceof URL) return entry;
  if (typeof entry !== 'string' || entry.length === 0) throw new InvalidArgumentError('entry', entry, 'must be a file URL or a path');
  if (entry.startsWith('file:')) return new URL(entry);
  return pathToFileURL(isAbsolute(entry) ? entry : resolve(entry));
}
