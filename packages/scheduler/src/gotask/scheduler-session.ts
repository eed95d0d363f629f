/**
 * One run of a GoTaskScheduler: the embedded cluster (for `local`), the artifact server, the
 * driver, and the Scheduler callbacks that turn Mesos events into launches, SchedEvents and
 * link frames. Callbacks never wait on the scheduler function (events are queued,
 * sched-event-queue.ts), so the driver keeps delivering MESSAGE events — acks and credit —
 * whatever the scheduler function does.
 */
import {
  DriverStoppedError,
  type ReliableLinkOptions,
  InvalidArgumentError,
  NotSubscribedError,
  StoppedError,
  TaskError,
  UnfittableTaskError,
  TimeoutError,
  type Channel,
  type Logger,
  type FrameworkInfo,
  type ResourceMap,
  type TaskMsg,
  type TaskStatus,
  type TaskSpec,
  decodeTaskSpec,
} from '@mesosgot/common/internal';
import { MesosSchedulerDriver } from '../driver/mesos-scheduler-driver.js';
import type { SchedulerDriverOptions } from '../driver/driver-options.js';
import { buildFrameworkInfo } from '../driver/framework-info.js';
import type { DriverStatus, SchedulerDriver } from '../driver/scheduler-driver.js';
import type { Scheduler } from '../scheduler.js';
import { readFile } from 'node:fs/promises';
import { ArtifactServer } from './artifact-server.js';
import { parseAdvertisedAddress } from './advertised-address.js';
import { DataPlaneServer } from './data-plane-server.js';
import type { SchedulerConfig } from './config.js';
import { GangLauncher, byGangOf } from './gang-launcher.js';
import type { LocalClusterHandle, LocalClusterStarter } from './embedded-cluster.js';
import type { ExecutorSource } from './launch-builder.js';
import { shellQuote } from './launch-builder.js';
import { MessagePump } from './message-pump.js';
import { agentUrlOf, readStderrTail, sandboxOf } from './stderr-tail.js';
import { describeUnfittable, unfittableTasks } from './agent-fit.js';
import type { SchedOut } from './sched-out.js';
import type { SchedEventQueue } from './sched-event-queue.js';
import { schedEventFromStatus, type AllocationShortfall } from './sched-events.js';
import type { TaskAdoption } from './task-adoption.js';
import type { DiscoveredTask } from './gang-discovery.js';
import type { GangRegistry } from './gang-registry.js';
import { isTerminalPhase, type TaskEntry, type TaskTable } from './task-table.js';

export type DriverFactory = (scheduler: Scheduler, frameworkInfo: FrameworkInfo, master: string, options: SchedulerDriverOptions) => SchedulerDriver;

export interface SchedulerSessionOptions {
  config: SchedulerConfig;
  table: TaskTable;
  gangs: GangRegistry;
  events: SchedEventQueue;
  schedIn: Channel<TaskMsg>;
  executorResources: ResourceMap;
  nodeCommand?: string;
  localCluster?: LocalClusterStarter;
  createDriver?: DriverFactory;
  driverOptions: SchedulerDriverOptions;
  link?: Omit<ReliableLinkOptions, 'transmit' | 'transport'>;
  /** GoTaskSchedulerOptions.advertiseDataPlane. */
  advertiseDataPlane?: (bound: { host: string; port: number }) => Promise<{ host: string; port: number }> | { host: string; port: number };
  /** stop() leaves the framework to a successor (no TEARDOWN, GoTaskSchedulerOptions.failoverOnStop). */
  isFailoverOnStop?: boolean;
  logger: Logger;
  /** Give up (run() rejects with TimeoutError) when not subscribed for this long; 0 = never. */
  connectTimeoutMs: number;
  /** Capacity of each destination queue of schedOut. */
  channelCapacity: number;
  /** Largest message schedOut accepts, in encoded bytes. */
  maxMessageBytes: number;
}

export class SchedulerSession {
  private cluster: LocalClusterHandle | undefined;
  private artifacts: ArtifactServer | undefined;
  /** The direct data plane's listener (`--data-plane direct`); stopped last. */
  private dataPlane: DataPlaneServer | undefined;
  private driver: SchedulerDriver | undefined;
  private pump: MessagePump | undefined;
  private launcher: GangLauncher | undefined;
  /** Set with `config.frameworkId` until every declared task was reconciled (task-adoption.ts). */
  private adoption: TaskAdoption | undefined;
  private frameworkId = '';
  /** The scheduler function's schedOut (a queue per destination); created by start(). */
  schedOut: SchedOut | undefined;
  /** Agent id → `http://ip:port`, from offers (for /files/read). Bound: one per agent seen. */
  private readonly agentUrls = new Map<string, string>();
  /** Executor id → its sandbox path, from its status labels. Bound: one per executor launched. */
  private readonly sandboxes = new Map<string, string>();
  /** Executors retired by a relaunch (restart policy) and not shut down yet: id → agent id. */
  private readonly retired = new Map<string, string>();
  /**
   * Why the system stopped before the scheduler function returned: a task failure under policy
   * `stop` (TaskError), the driver giving up (its error), no subscription within the connect
   * timeout (TimeoutError), or an abort (the signal's reason). run() rejects with it. Written
   * once, by end().
   */
  stopReason: Error | undefined;
  /** Why the system is stopping, for the Shutdown event; set once by end(). */
  private shutdownReason: string | undefined;
  driverStatus: DriverStatus = 'DRIVER_NOT_STARTED';
  /** True from stop() on: the driver closing is then ours, not a failure. */
  private isStopping = false;
  private readonly endedSignal = new AbortController();
  /** Ends the status-stream reader at stop(). */
  private readonly statusReader = new AbortController();
  private connectTimer: NodeJS.Timeout | undefined;
  private resolveSubscribed!: () => void;
  /** Resolves at the first SUBSCRIBED (Registered or, failing over, Reregistered). */
  readonly subscribed = new Promise<void>((resolve) => (this.resolveSubscribed = resolve));
  /** The master given (the embedded cluster's URL for `local`); set by start(). */
  private configuredMaster = '';
  /** Failing over: the runtime gangs found on the master, asked once before the first reconciliation. */
  private discovery: Promise<void> | undefined;
  /** Master URL of the latest connection attempt, and why the previous one failed. */
  private masterUrl = '';
  private lastFailure: string | undefined;

  constructor(private readonly o: SchedulerSessionOptions) {}

  /** Aborted by end(): the system is stopping before the scheduler function returned. */
  get ended(): AbortSignal {
    return this.endedSignal.signal;
  }

  /**
   * Stops the system before the scheduler function returned (once; later calls are ignored):
   * records `error` for run() (undefined for an orderly stop()), tells the scheduler function
   * with one Shutdown event, ends schedIn and closes schedOut so that waiting and later sends
   * reject with ChannelClosedError.
   */
  end(error: Error | undefined, reason: string): void {
    if (this.shutdownReason !== undefined || this.isStopping) return;
    this.stopReason = error;
    this.shutdownReason = reason;
    clearTimeout(this.connectTimer);
    this.o.events.push({ type: 'Shutdown', reason });
    this.o.gangs.stopAll(reason);
    this.o.logger[error === undefined || error instanceof StoppedError ? 'info' : 'error'](`stopping: ${reason}`);
    this.o.schedIn.close();
    this.schedOut?.close('the framework is stopping');
    this.endedSignal.abort(error);
  }

  /** The message pump once start() created it (the status page reads its counters). */
  get messagePump(): MessagePump | undefined {
    return this.pump;
  }

  /** Starts everything; on failure stops what it started and rethrows. */
  async start(): Promise<void> {
    const { config } = this.o;
    let master = config.master;
    if (master === 'local') {
      this.cluster = await this.o.localCluster!({
        agents: config.localAgents,
        agentResources: config.localAgentResources,
        refuseSeconds: config.refuseSeconds,
        log: (line) => this.o.logger.warn(line),
      });
      master = this.cluster.masterUrl;
      // The embedded cluster's agents are all there is: a task none can hold fails now.
      const unfittable = unfittableTasks(this.o.table.all(), this.o.executorResources, this.cluster.agents?.() ?? []);
      if (unfittable.length > 0) throw new UnfittableTaskError(unfittable[0]!.name, `${describeUnfittable(unfittable, 'agent of the embedded cluster')} (--local-agent-resources)`);
    }
    this.configuredMaster = master;
    const source = await this.executorSource();
    const onError = (error: Error): void => {
      this.o.events.push({ type: 'Error', message: error.message, error });
      this.o.logger.warn(error.message);
    };
    const frameworkInfo = buildFrameworkInfo({
      name: config.name,
      user: config.user,
      roles: [config.role],
      failoverTimeoutSeconds: config.failoverTimeout,
      ...(config.frameworkId === undefined ? {} : { frameworkId: config.frameworkId }),
      checkpoint: config.checkpoint,
      ...(config.principal === undefined ? {} : { principal: config.principal }),
    });
    const create: DriverFactory = this.o.createDriver ?? ((s, info, m, opts) => new MesosSchedulerDriver(s, info, m, opts));
    const contentType = this.o.driverOptions?.contentType ?? config.contentType;
    const driver = create(this.callbacks(), frameworkInfo, master, { ...this.o.driverOptions, contentType });
    this.driver = driver;
    const dataPlane = await this.startDataPlane();
    this.pump = new MessagePump({
      driver,
      table: this.o.table,
      schedIn: this.o.schedIn,
      onError,
      logger: this.o.logger,
      relayEncoding: contentType,
      ...(this.o.link ? { link: this.o.link } : {}),
      ...(dataPlane ? { dataPlane } : {}),
    });
    this.schedOut = this.pump.createSchedOut(this.o.channelCapacity, this.o.maxMessageBytes);
    this.launcher = new GangLauncher({
      table: this.o.table,
      frameworkName: config.name,
      executorSource: source,
      executorContentType: contentType,
      executorResources: this.o.executorResources,
      refuseSeconds: config.refuseSeconds,
      holdTimeoutMs: config.holdTimeout * 1000,
      onLaunched: (tasks, agent, executorId) => {
        this.pump!.linkFor(executorId, agent.agentId);
        this.o.logger.info(`launched ${tasks.length} task(s) on agent ${agent.hostname}`, { agent: agent.agentId, executor: executorId, tasks: tasks.map((t) => t.id).join(',') });
        for (const t of tasks) {
          this.o.table.markLaunched(t, agent.agentId, executorId);
          this.o.events.push({ type: 'TaskLaunched', taskId: t.id, agentId: agent.agentId, hostname: agent.hostname, executorId });
        }
      },
      onPending: (shortfall, agents) => {
        const unfittable = unfittableTasks(this.o.table.pending(), this.o.executorResources, agents);
        const event = unfittable.length > 0 ? { ...shortfall, unfittable } : shortfall;
        this.o.events.push({ type: 'AllocationPending', shortfall: event });
        this.o.logger.warn(`waiting for resources: ${describeShortfall(shortfall)}`);
        if (unfittable.length > 0) this.o.logger.error(describeUnfittable(unfittable, 'agent seen so far'));
      },
      onError,
      policyOf: (entry) => this.o.gangs.policyOf(entry),
      onNeverFits: (gang, taskName, reason) => this.neverFits(gang, taskName, reason),
      ...(this.cluster?.agents === undefined ? {} : { agentTotals: this.cluster.agents }),
    });
    this.launcher.attach(driver);
    if (config.frameworkId !== undefined) {
      // A failover subscription is answered as a re-registration (Reregistered, this id).
      this.frameworkId = config.frameworkId;
      const { table } = this.o;
      const launcher = this.launcher;
      const pump = this.pump;
      // Loaded only for a failover (--framework-id): a fresh framework adopts nothing.
      const { TaskAdoption } = await import('./task-adoption.js');
      this.adoption = new TaskAdoption({
        table,
        frameworkName: config.name,
        adopt: (taskId, agentId, executorId) => {
          launcher.adoptExecutor(agentId, executorId);
          pump.linkFor(executorId, agentId);
          table.markLaunched(table.get(taskId)!, agentId, executorId);
        },
        onSettled: () => launcher.release(),
        onError,
      });
      // Nothing is launched before the master said which tasks still run.
      launcher.hold();
    }
    this.watchDriver(driver);
    this.armConnectTimer();
    this.driverStatus = await driver.start();
  }

  /**
   * The driver's own ending (a fatal refusal: 401, "Framework failed over"…) ends the system
   * with its error; every failed connection attempt becomes a Reconnecting event and a log line
   * with the cause and the next retry time.
   */
  private watchDriver(driver: SchedulerDriver): void {
    void driver.closed().then((error) => {
      if (this.isStopping) return;
      const cause = error ?? new DriverStoppedError('the scheduler driver stopped');
      this.end(cause, `the scheduler driver gave up: ${cause.message}`);
    });
    void (async () => {
      for await (const status of driver.status({ signal: this.statusReader.signal })) {
        switch (status.type) {
          case 'connecting':
            this.masterUrl = status.masterUrl;
            this.o.logger.debug(`connecting to ${status.masterUrl}`, { attempt: status.attempt });
            break;
          case 'connected':
            this.lastFailure = undefined;
            this.o.logger.info(`${status.isReregistration ? 're-subscribed' : 'subscribed'} to ${status.masterUrl}`, { framework: status.frameworkId });
            break;
          case 'reconnecting': {
            const cause = status.error?.message ?? 'the event stream ended';
            const retryAt = new Date(Date.now() + status.delayMs);
            this.lastFailure = cause;
            this.o.events.push({ type: 'Reconnecting', masterUrl: this.masterUrl, cause, retryInMs: status.delayMs, retryAt: retryAt.toISOString(), ...(status.error ? { error: status.error } : {}) });
            this.o.logger.warn(`master ${this.masterUrl || this.o.config.master} unreachable: ${cause}; retrying in ${(status.delayMs / 1000).toFixed(1)} s`, { retryAt: retryAt.toISOString() });
            break;
          }
          default:
            break;
        }
      }
    })().catch(() => undefined); // Ends with the abort of statusReader at stop(): nothing to report.
  }

  /** (Re)starts the give-up timer while not subscribed (--connect-timeout). */
  private armConnectTimer(): void {
    clearTimeout(this.connectTimer);
    const ms = this.o.connectTimeoutMs;
    if (ms <= 0 || this.isStopping) return;
    this.connectTimer = setTimeout(() => {
      const master = this.masterUrl || this.o.config.master;
      const error = new TimeoutError(`no subscription to master ${master}${this.lastFailure ? ` (last failure: ${this.lastFailure})` : ''}; giving up (--connect-timeout)`, ms);
      this.end(error, error.message);
    }, ms);
  }

  /**
   * Lets queued scheduler→task messages drain (at most `drainMs`), tears the framework down
   * (TEARDOWN), closes links and the events channel, stops the artifact server and cluster.
   */
  /**
   * Kills one launched task (KILL, docs/protocol.md, "Killing tasks"): its executor closes the task's
   * input and reports TASK_KILLED, which reaches the app as TaskKilled. Resolves once the master
   * took the call; a task already ended resolves at once. Rejects with InvalidArgumentError for
   * an unknown task or one not launched yet (all or nothing: nothing of ours runs yet), and with
   * the driver's error when the master refuses the call.
   */
  async killTask(taskId: string): Promise<void> {
    const entry = this.o.table.get(taskId);
    if (entry === undefined) throw new InvalidArgumentError('taskId', taskId, 'no such task');
    if (isTerminalPhase(entry.phase)) return;
    if (entry.phase === 'pending' || this.driver === undefined) {
      throw new InvalidArgumentError('taskId', taskId, 'the task is not launched yet');
    }
    await this.driver.killTask({ value: taskId }, entry.agentId === undefined ? undefined : { value: entry.agentId });
  }

  /**
   * Lets queued scheduler→task messages drain (at most `drainMs`; skipped when the system ended
   * on a failure), reports what is still undelivered, tears the framework down (TEARDOWN), closes
   * links and the events channel (after one Shutdown event, saying `reason` unless end() already
   * sent one), stops the artifact server and the cluster.
   */
  async stop(drainMs: number, reason: string): Promise<void> {
    this.isStopping = true;
    this.o.gangs.stopAll(reason);
    clearTimeout(this.connectTimer);
    const deadline = AbortSignal.timeout(drainMs);
    try {
      this.schedOut?.close();
      if (this.pump !== undefined && this.driver?.driverStatus === 'DRIVER_RUNNING' && this.stopReason === undefined) {
        this.o.logger.info('draining messages to tasks', { undelivered: this.pump.undelivered, timeoutMs: drainMs });
        // First what the scheduler function queued in schedOut, then the links.
        const out = this.schedOut;
        if (out !== undefined && !deadline.aborted) {
          await new Promise<void>((resolve) => {
            deadline.addEventListener('abort', () => resolve(), { once: true });
            void out.drained().then(resolve);
          });
        }
        await this.pump.drain(deadline);
        const lost = this.pump.undelivered;
        if (lost > 0) {
          const message = `${lost} message(s) from the scheduler function were not delivered within the drain timeout of ${drainMs} ms (--drain-timeout) and are dropped`;
          this.o.events.push({ type: 'Error', message });
          this.o.logger.warn(message, { undelivered: lost });
        }
      }
      this.launcher?.close();
      // Without a driver there is no framework (the embedded cluster failed to load or start).
      if (this.driver !== undefined) {
        this.o.logger.info(this.o.isFailoverOnStop === true ? 'leaving the framework to a successor (failover)' : 'tearing the framework down', { framework: this.frameworkId || undefined });
      }
      this.statusReader.abort();
      if (this.driver !== undefined) this.driverStatus = await this.driver.stop(this.o.isFailoverOnStop === true).catch(() => this.driver!.driverStatus);
      await this.pump?.close(this.o.isFailoverOnStop === true);
      this.o.schedIn.close();
      const last = this.shutdownReason === undefined ? { type: 'Shutdown' as const, reason } : undefined;
      await this.o.events.close(last, AbortSignal.timeout(drainMs));
    } finally {
      this.statusReader.abort();
      await this.artifacts?.stop();
      await this.dataPlane?.stop();
      await this.cluster?.stop();
    }
  }

  /**
   * `--data-plane direct`: listens on `--address`:`--data-port` (TLS with `--tls-cert`/`--tls-key`)
   * and says where in the log. Rejects if the port cannot be bound or a TLS file cannot be read.
   */
  private async startDataPlane(): Promise<{ server: DataPlaneServer; host: string; port: number; tlsCa?: string } | undefined> {
    const { config, logger } = this.o;
    if (config.dataPlane !== 'direct') {
      logger.info('data plane: relay (tasks\' messages go through the Mesos master)');
      return undefined;
    }
    const tls = config.tlsCert !== undefined && config.tlsKey !== undefined ? { cert: await readFile(config.tlsCert), key: await readFile(config.tlsKey) } : undefined;
    const tlsCa = tls !== undefined && config.tlsCa !== undefined ? await readFile(config.tlsCa, 'utf8') : undefined;
    const server = new DataPlaneServer({
      host: config.address,
      port: config.dataPort,
      logger,
      ...(tls ? { tls } : {}),
      onConnection: (executorId, socket, parser, early) => {
        if (this.pump === undefined) socket.destroy();
        else this.pump.attachDirect(executorId, socket, parser, early);
      },
    });
    this.dataPlane = server;
    const bound = await server.start();
    const advertised = await this.advertisedDataPlane(bound);
    const via = advertised.host === bound.host && advertised.port === bound.port ? '' : ` (executors are sent to ${advertised.host}:${advertised.port})`;
    logger.info(`data plane: listening on ${bound.host}:${bound.port}${tls ? ' (TLS)' : ''}${via}; executors connect there, the Mesos relay is the fallback`);
    return { server, ...advertised, ...(tlsCa === undefined ? {} : { tlsCa }) };
  }

  /** Where executors are sent: the option's answer, else `--data-advertise`, else where it is bound. */
  private async advertisedDataPlane(bound: { host: string; port: number }): Promise<{ host: string; port: number }> {
    if (this.o.advertiseDataPlane !== undefined) return this.o.advertiseDataPlane(bound);
    const flag = this.o.config.dataAdvertise;
    if (flag === undefined) return bound;
    const { host, port } = parseAdvertisedAddress(flag);
    return { host, port: port ?? bound.port };
  }

  private async executorSource(): Promise<ExecutorSource> {
    const { config } = this.o;
    if (config.executorCommand !== undefined || config.executor === undefined) {
      return { kind: 'command', command: config.executorCommand ?? 'false' };
    }
    const fileName = ArtifactServer.nameFor(config.executor);
    this.artifacts = new ArtifactServer({ files: { [fileName]: config.executor }, address: config.address, port: config.artifactPort });
    await this.artifacts.start();
    const nodeCommand = this.o.nodeCommand ?? (config.master === 'local' ? shellQuote(process.execPath) : 'node');
    return { kind: 'artifact', url: this.artifacts.urlOf(fileName), fileName, nodeCommand };
  }

  private async onStatus(status: TaskStatus): Promise<void> {
    const entry = this.o.table.get(status.task_id.value);
    const executorId = status.executor_id?.value ?? entry?.executorId;
    const sandbox = sandboxOf(status);
    if (sandbox !== undefined && executorId !== undefined) this.sandboxes.set(executorId, sandbox);
    // The agent reports for an executor that died: its stderr says why.
    const isExecutorDeath = status.source === 'SOURCE_AGENT' && (status.state === 'TASK_FAILED' || status.state === 'TASK_LOST' || status.state === 'TASK_GONE');
    // An executor's own update means it subscribed: it can take the data-plane offer now.
    const agentId = status.agent_id?.value ?? entry?.agentId;
    if (status.source === 'SOURCE_EXECUTOR' && executorId !== undefined && agentId !== undefined) this.pump?.executorSubscribed(executorId, agentId);
    const tail = isExecutorDeath && executorId !== undefined ? await this.stderrTail(executorId, agentId) : undefined;
    this.applyStatus(status, tail);
    this.shutdownIdleRetired();
  }

  /** The end of a dead executor's stderr (stderr-tail.ts), with its sandbox; undefined when unknown. */
  private async stderrTail(executorId: string, agentId: string | undefined): Promise<{ text: string; sandbox: string } | undefined> {
    const sandbox = this.sandboxes.get(executorId);
    const agentUrl = agentId === undefined ? undefined : this.agentUrls.get(agentId);
    if (sandbox === undefined || agentUrl === undefined) return undefined;
    const text = await readStderrTail(agentUrl, sandbox, this.filesHeaders());
    return text === undefined ? undefined : { text, sandbox };
  }

  /** The framework's credential, for agents that authenticate HTTP (as the master). */
  private filesHeaders(): { headers?: Record<string, string> } {
    const credential = this.o.driverOptions.credential;
    if (credential === undefined) return {};
    return { headers: { Authorization: `Basic ${Buffer.from(`${credential.principal}:${credential.secret}`).toString('base64')}` } };
  }

  private applyStatus(status: TaskStatus, tail?: { text: string; sandbox: string }): void {
    const { table, config, events } = this.o;
    // A reconciliation answer for a task unknown to the master: it is launched anew, silently.
    if (this.adoption?.onStatus(status) === true) return;
    const before = table.get(status.task_id.value)?.phase;
    const entry = table.applyStatus(status);
    // The same news twice — an update resent after a re-subscribe or an agent restart, or an
    // adopted task's own update after its reconciliation answer — reaches the function once.
    if (entry !== undefined && before === entry.phase && (before === 'running' || isTerminalPhase(before))) return;
    const failed = status.state === 'TASK_FAILED' || status.state === 'TASK_ERROR' || status.state === 'TASK_LOST' || status.state === 'TASK_DROPPED' || status.state === 'TASK_GONE';
    const { gangs } = this.o;
    const policy = entry === undefined ? config.taskFailurePolicy : (gangs.policyOf(entry) ?? config.taskFailurePolicy);
    const restart = entry !== undefined && failed && policy === 'restart' && entry.restarts < config.maxRestarts && this.stopReason === undefined;
    const event = schedEventFromStatus(status, restart);
    if (event !== undefined && tail !== undefined && (event.type === 'TaskFailed' || event.type === 'TaskLost')) {
      event.stderrTail = tail.text;
      event.sandbox = tail.sandbox;
    }
    if (event !== undefined) events.push(event);
    if (event !== undefined && (event.type === 'TaskFailed' || event.type === 'TaskLost')) {
      this.o.logger.warn(`task ${status.task_id.value} ${status.state}: ${status.message ?? 'no message'}${tail ? ` (sandbox ${tail.sandbox}); stderr tail:\n${indent(tail.text)}` : ''}`);
    }
    if (entry !== undefined && entry.phase === 'running') gangs.running(entry);
    if (entry !== undefined && isTerminalPhase(entry.phase) && !restart) {
      gangs.endedEarly(entry, `${status.state}: ${status.message ?? 'no message'}`);
      this.retireIfIdle(entry);
    }
    if (entry === undefined || !failed || gangs.isEnded(entry)) return;
    if (restart) {
      entry.restarts++;
      entry.phase = 'pending';
      if (entry.executorId !== undefined) {
        this.launcher?.retireExecutor(entry.executorId);
        this.retired.set(entry.executorId, entry.agentId ?? status.agent_id?.value ?? '');
      }
      // Relaunch only once this update's implicit ACKNOWLEDGE is queued (the driver sends it when
      // this callback settles, and calls leave in order, docs/protocol.md, "Connections"): until the master has that ACK it
      // refuses the same task id with "Task has duplicate ID" (docs/protocol.md, "Launch validation"), even with offers in hand.
      setImmediate(() => {
        if (this.stopReason === undefined) this.launcher?.wantOffers();
      });
    } else if (policy === 'isolate') {
      this.isolate(entry, status);
    } else if (policy === 'stop' || entry.restarts >= config.maxRestarts) {
      if (this.stopReason === undefined) {
        // The executor's message often starts with "task <id>: " already; say it once.
        const detail = (status.message ?? 'no message').replace(`task ${entry.id}: `, '');
        const why = tail === undefined ? '' : `; its executor's stderr ends with: ${lastLines(tail.text)} (sandbox ${tail.sandbox})`;
        const error = new TaskError(entry.id, `${status.state}: ${detail}${why} (task failure policy: ${policy})`);
        // Ends the scheduler function's `for await (… of schedIn)`: the framework is stopping.
        this.end(error, error.message);
      }
    }
  }

  /**
   * A gang spawned during run() was added to the table: revive offers if they were suppressed
   * and try to place it (gang-launcher.ts plans it on its own).
   */
  spawned(): void {
    if (this.stopReason === undefined && !this.isStopping) this.launcher?.wantOffers();
  }

  /**
   * A gang spawned during run() can never fit (gang-launcher.ts): its tasks end before launch,
   * its promise rejects with UnfittableTaskError saying why, and the app hears an Error event.
   * The other gangs go on.
   */
  private neverFits(gang: number, taskName: string, reason: string): void {
    const { table, gangs, events, logger } = this.o;
    const error = new UnfittableTaskError(taskName, `gang ${gang} can never fit: ${reason}`);
    for (const entry of table.pending()) if (entry.gang === gang) table.killPending(entry);
    gangs.fail(gang, error);
    events.push({ type: 'Error', message: error.message, error });
    logger.error(error.message);
  }

  /**
   * Kills every live task of `tasks` (one gang, or every task of a kind): launched ones get a
   * KILL, ones never launched end at once. Resolves once the master took every KILL.
   */
  async killAll(tasks: readonly TaskEntry[]): Promise<void> {
    const kills: Promise<void>[] = [];
    for (const entry of tasks) {
      if (entry.phase === 'pending') {
        this.o.table.killPending(entry);
        this.o.events.push({ type: 'TaskKilled', taskId: entry.id, agentId: '', state: 'TASK_KILLED', message: 'killed before it was launched', willRestart: false });
        this.o.gangs.endedEarly(entry, 'killed before it was launched');
      } else if (!isTerminalPhase(entry.phase)) {
        kills.push(this.killTask(entry.id));
      }
    }
    if (tasks.some((t) => t.phase === 'killed')) this.launcher?.tryLaunch();
    await Promise.all(kills);
  }

  /**
   * Policy `isolate`: a failed task ends its gang alone. The gang's promise rejects if it was
   * still starting, its other tasks are killed, and the app hears GangFailed; the system goes on.
   */
  private isolate(entry: TaskEntry, status: TaskStatus): void {
    const { gangs, table, events } = this.o;
    const reason = `${entry.id} ${status.state}: ${status.message ?? 'no message'}`;
    gangs.fail(entry.gang, new TaskError(entry.id, `gang ${entry.gang} failed (task failure policy: isolate): ${reason}`));
    events.push({ type: 'GangFailed', gang: entry.gang, failedTask: entry.id, reason });
    this.o.logger.warn(`gang ${entry.gang} failed and ends alone (isolate): ${reason}`);
    this.killAll(gangs.liveTasks(entry.gang, (id) => table.get(id))).catch((error: unknown) => {
      events.push({ type: 'Error', message: `killing the rest of gang ${entry.gang}: ${(error as Error)?.message ?? String(error)}`, error: error as Error });
    });
  }

  /**
   * Once gangs come and go during run(), an executor whose last task ended is shut down so its
   * resources go back to Mesos; the next launch on that agent starts a new executor.
   */
  private retireIfIdle(entry: TaskEntry): void {
    const executorId = entry.executorId;
    if (executorId === undefined || this.o.gangs.size < 2 || this.isStopping || this.stopReason !== undefined) return;
    const busy = this.o.table.live().some((t) => t.executorId === executorId && t.phase !== 'pending');
    if (busy) return;
    this.launcher?.retireExecutor(executorId);
    this.retired.set(executorId, entry.agentId ?? '');
  }

  /**
   * Shuts down (SHUTDOWN, docs/protocol.md, "Teardown and shutdown") each executor retired by a relaunch once
   * no task of ours is on it: an idle executor keeps its resources until teardown, and on a
   * full agent the relaunch would then never fit.
   */
  private shutdownIdleRetired(): void {
    if (this.retired.size === 0 || this.driver === undefined) return;
    const busy = new Set(this.o.table.live().filter((t) => t.phase !== 'pending').map((t) => t.executorId));
    for (const [executorId, agentId] of this.retired) {
      if (busy.has(executorId)) continue;
      this.retired.delete(executorId);
      this.driver.shutdownExecutor({ value: executorId }, { value: agentId }).catch((error: unknown) => {
        // Disconnected: try again at the next status update.
        if (error instanceof NotSubscribedError) this.retired.set(executorId, agentId);
        else this.o.events.push({ type: 'Error', message: `shutting down idle executor ${executorId}: ${(error as Error)?.message ?? String(error)}`, error: error as Error });
      });
    }
  }

  /**
   * Failing over: asks the master about every task to adopt, once the runtime gangs of the
   * previous scheduler are known (gang-discovery.ts; looked up once, at the first subscription).
   */
  private askAdoption(): void {
    const driver = this.driver;
    const adoption = this.adoption;
    if (driver === undefined || adoption?.isPending !== true) return;
    this.discovery ??= this.discoverGangs(adoption);
    void this.discovery.then(() => adoption.ask(driver));
  }

  /**
   * Adds the live tasks of the gangs the previous scheduler spawned during its run() to the table
   * and the registry, under their old gang ids (so the next spawn continues the numbering), and
   * has reconciliation adopt them. A master that will not list its tasks costs only those gangs:
   * an Error event says so and the declared tasks are adopted as before. Never rejects.
   */
  private async discoverGangs(adoption: TaskAdoption): Promise<void> {
    const { table, gangs, events, logger, driverOptions } = this.o;
    let found: DiscoveredTask[];
    try {
      const { discoverGangTasks } = await import('./gang-discovery.js');
      found = await discoverGangTasks({
        masterUrl: new URL(this.masterUrl || this.configuredMaster).origin,
        frameworkId: this.frameworkId,
        ...(driverOptions.credential === undefined ? {} : { principal: driverOptions.credential.principal, secret: driverOptions.credential.secret }),
        ...(driverOptions.tlsCa === undefined ? {} : { ca: driverOptions.tlsCa }),
      });
    } catch (error) {
      const message = `cannot list the master's tasks, so gangs spawned by the previous scheduler are not adopted: ${(error as Error)?.message ?? String(error)}`;
      events.push({ type: 'Error', message, error: error as Error });
      logger.warn(message);
      return;
    }
    for (const [gang, tasks] of byGangOf(found.sort((a, b) => a.gang - b.gang || a.index - b.index || a.taskId.localeCompare(b.taskId)))) {
      const entries: TaskEntry[] = [];
      for (const task of tasks) {
        const spec = specOf(task.spec);
        const entry = table.adopt({
          id: task.taskId,
          name: task.name,
          index: task.index,
          request: { resources: task.resources, rangeCounts: {} },
          args: Object.freeze([...spec.args]),
          env: Object.freeze({ ...spec.env }),
          inline: spec.inline,
          gang,
        });
        if (entry !== undefined) entries.push(entry);
      }
      if (entries.length === 0) continue;
      void gangs.add(entries, tasks[0]!.policy);
      const taskIds = entries.map((e) => e.id);
      adoption.include(taskIds);
      events.push({ type: 'GangAdopted', gang, taskIds });
      logger.info(`adopting gang ${gang} of the previous scheduler`, { tasks: taskIds.join(',') });
    }
  }

  private callbacks(): Scheduler {
    const { events } = this.o;
    return {
      registered: (_d, frameworkId, master) => {
        this.frameworkId = frameworkId.value;
        clearTimeout(this.connectTimer);
        this.resolveSubscribed();
        events.push({ type: 'Registered', frameworkId: frameworkId.value, master });
        this.askAdoption();
      },
      reregistered: (_d, master) => {
        clearTimeout(this.connectTimer);
        this.resolveSubscribed();
        events.push({ type: 'Reregistered', frameworkId: this.frameworkId, master });
        // Frames sent while we were away were dropped by the master (docs/protocol.md, "Framework messages"): resend now.
        this.pump?.retransmitAll();
        // Answers lost with the old stream are asked again.
        this.askAdoption();
      },
      disconnected: () => {
        this.launcher?.forgetOffers();
        this.armConnectTimer();
        this.o.logger.warn('disconnected from the master; re-subscribing');
        events.push({ type: 'Disconnected' });
      },
      resourceOffers: (_d, offers) => {
        for (const offer of offers) {
          const url = agentUrlOf(offer);
          if (url !== undefined) this.agentUrls.set(offer.agent_id.value, url);
        }
        this.launcher?.addOffers(offers);
      },
      offerRescinded: (_d, offerId) => {
        this.launcher?.rescind(offerId.value);
        events.push({ type: 'OfferRescinded', offerId: offerId.value });
      },
      statusUpdate: (_d, status) => this.onStatus(status),
      frameworkMessage: (_d, executorId, agentId, data) => this.pump?.onFrameworkMessage(executorId.value, agentId.value, data),
      slaveLost: async (_d, agentId) => {
        events.push({ type: 'SlaveLost', agentId: agentId.value });
        // Mesos sends no executor FAILURE for a removed agent: our executor there is gone too.
        const executorId = this.launcher?.agentLost(agentId.value);
        if (executorId !== undefined) await this.pump?.executorLost(executorId);
      },
      executorLost: async (_d, executorId, agentId, status) => {
        this.retired.delete(executorId.value);
        this.launcher?.retireExecutor(executorId.value);
        const tail = this.isStopping ? undefined : await this.stderrTail(executorId.value, agentId.value);
        events.push({ type: 'ExecutorLost', executorId: executorId.value, agentId: agentId.value, status, ...(tail ? { stderrTail: tail.text, sandbox: tail.sandbox } : {}) });
        if (!this.isStopping) this.o.logger.warn(`executor ${executorId.value} on agent ${agentId.value} ended (wait status ${status})${tail ? ` (sandbox ${tail.sandbox}); stderr tail:\n${indent(tail.text)}` : ''}`);
        await this.pump?.executorLost(executorId.value);
      },
      error: (_d, message, cause) => events.push({ type: 'Error', message, ...(cause === undefined ? {} : { error: cause }) }),
    };
  }
}

/** A runtime task's spawn spec from its label; none (no args, no env) when missing or unreadable. */
function specOf(data: string | undefined): TaskSpec {
  try {
    return decodeTaskSpec(data);
  } catch {
    // A label we did not write (or a future version): the task still runs; only a relaunch would lack its args.
    return { args: [], env: {} };
  }
}

/** One line for the log: which tasks wait, what is missing (zero entries left out). */
export function describeShortfall(shortfall: AllocationShortfall): string {
  const tasks = shortfall.unplaced.map((u) => `${u.count} × ${u.name}`).join(', ');
  const missing = Object.entries(shortfall.missing)
    .filter(([, v]) => v > 0)
    .map(([k, v]) => `${k} ${Number(v.toFixed(3))}`)
    .join(', ');
  return `${shortfall.gang === undefined ? '' : `gang ${shortfall.gang}: `}${tasks} not placed (${missing ? `missing ${missing}` : 'fragmented'}; ${shortfall.offersHeld} offer(s) held)`;
}

function indent(text: string): string {
  return text.split('\n').map((l) => `  | ${l}`).join('\n');
}

/** The last few lines of a tail, on one line (for an error message). */
function lastLines(text: string, n = 3): string {
  return JSON.stringify(text.split('\n').slice(-n).join('\n'));
}
