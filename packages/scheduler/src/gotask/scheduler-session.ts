/**
 * One run of a GoTaskScheduler: the embedded cluster (for `local`), the artifact server, the
 * driver, and the Scheduler callbacks that turn Mesos events into launches, SchedEvents and
 * link frames. Callbacks never wait on the scheduler function (events are queued,
 * sched-event-queue.ts), so the driver keeps delivering MESSAGE events — acks and credit —
 * whatever the scheduler function does.
 */
import {
  type ReliableLinkOptions,
  InvalidArgumentError,
  NotSubscribedError,
  TaskError,
  type Channel,
  type FrameworkInfo,
  type ResourceMap,
  type TaskMsg,
  type TaskStatus,
} from '@mesosgot/common/internal';
import { MesosSchedulerDriver } from '../driver/mesos-scheduler-driver.js';
import type { SchedulerDriverOptions } from '../driver/driver-options.js';
import { buildFrameworkInfo } from '../driver/framework-info.js';
import type { DriverStatus, SchedulerDriver } from '../driver/scheduler-driver.js';
import type { Scheduler } from '../scheduler.js';
import { ArtifactServer } from './artifact-server.js';
import type { SchedulerConfig } from './config.js';
import { GangLauncher } from './gang-launcher.js';
import type { LocalClusterHandle, LocalClusterStarter } from './embedded-cluster.js';
import type { ExecutorSource } from './launch-builder.js';
import { shellQuote } from './launch-builder.js';
import { MessagePump } from './message-pump.js';
import type { SchedEventQueue } from './sched-event-queue.js';
import { schedEventFromStatus } from './sched-events.js';
import { TaskAdoption } from './task-adoption.js';
import { isTerminalPhase, type TaskTable } from './task-table.js';

export type DriverFactory = (scheduler: Scheduler, frameworkInfo: FrameworkInfo, master: string, options: SchedulerDriverOptions) => SchedulerDriver;

export interface SchedulerSessionOptions {
  config: SchedulerConfig;
  table: TaskTable;
  events: SchedEventQueue;
  schedIn: Channel<TaskMsg>;
  executorResources: ResourceMap;
  nodeCommand?: string;
  localCluster?: LocalClusterStarter;
  createDriver?: DriverFactory;
  driverOptions: SchedulerDriverOptions;
  link?: Omit<ReliableLinkOptions, 'transmit'>;
  /** stop() leaves the framework to a successor (no TEARDOWN, GoTaskSchedulerOptions.failoverOnStop). */
  isFailoverOnStop?: boolean;
}

export class SchedulerSession {
  private cluster: LocalClusterHandle | undefined;
  private artifacts: ArtifactServer | undefined;
  private driver: SchedulerDriver | undefined;
  private pump: MessagePump | undefined;
  private launcher: GangLauncher | undefined;
  /** Set with `config.frameworkId` until every declared task was reconciled (task-adoption.ts). */
  private adoption: TaskAdoption | undefined;
  private frameworkId = '';
  private schedOut: Channel<TaskMsg> | undefined;
  /** Executors retired by a relaunch (restart policy) and not shut down yet: id → agent id. */
  private readonly retired = new Map<string, string>();
  /** Set when a task failure stops the framework (policy `stop`); run() rejects with it. */
  stopReason: TaskError | undefined;
  driverStatus: DriverStatus = 'DRIVER_NOT_STARTED';

  constructor(private readonly o: SchedulerSessionOptions) {}

  /** Starts everything; on failure stops what it started and rethrows. */
  async start(schedOut: Channel<TaskMsg>): Promise<void> {
    const { config } = this.o;
    let master = config.master;
    if (master === 'local') {
      this.cluster = await this.o.localCluster!({ agents: config.localAgents, agentResources: config.localAgentResources, refuseSeconds: config.refuseSeconds });
      master = this.cluster.masterUrl;
    }
    const source = await this.executorSource();
    const onError = (error: Error): void => this.o.events.push({ type: 'Error', message: error.message, error });
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
    const driver = create(this.callbacks(), frameworkInfo, master, this.o.driverOptions);
    this.driver = driver;
    this.pump = new MessagePump({ driver, table: this.o.table, schedIn: this.o.schedIn, onError, ...(this.o.link ? { link: this.o.link } : {}) });
    this.launcher = new GangLauncher({
      table: this.o.table,
      frameworkName: config.name,
      executorSource: source,
      executorResources: this.o.executorResources,
      refuseSeconds: config.refuseSeconds,
      holdTimeoutMs: config.holdTimeout * 1000,
      onLaunched: (tasks, agent, executorId) => {
        this.pump!.linkFor(executorId, agent.agentId);
        for (const t of tasks) {
          this.o.table.markLaunched(t, agent.agentId, executorId);
          this.o.events.push({ type: 'TaskLaunched', taskId: t.id, agentId: agent.agentId, hostname: agent.hostname, executorId });
        }
      },
      onPending: (shortfall) => this.o.events.push({ type: 'AllocationPending', shortfall }),
      onError,
    });
    this.launcher.attach(driver);
    if (config.frameworkId !== undefined) {
      // A failover subscription is answered as a re-registration (Reregistered, this id).
      this.frameworkId = config.frameworkId;
      const { table } = this.o;
      const launcher = this.launcher;
      const pump = this.pump;
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
    this.schedOut = schedOut;
    this.pump.start(schedOut);
    this.driverStatus = await driver.start();
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

  async stop(drainMs: number): Promise<void> {
    const deadline = AbortSignal.timeout(drainMs);
    try {
      if (this.pump !== undefined && this.driver?.driverStatus === 'DRIVER_RUNNING') {
        // First what the scheduler function queued in schedOut (closed by run()), then the links.
        const out = this.schedOut;
        if (out !== undefined && !deadline.aborted) {
          await new Promise<void>((resolve) => {
            deadline.addEventListener('abort', () => resolve(), { once: true });
            void out.drained().then(resolve);
          });
        }
        await this.pump.drain(deadline);
      }
      this.launcher?.close();
      if (this.driver !== undefined) this.driverStatus = await this.driver.stop(this.o.isFailoverOnStop === true).catch(() => this.driver!.driverStatus);
      await this.pump?.close();
      this.o.schedIn.close();
      await this.o.events.close({ type: 'Shutdown', reason: this.stopReason?.message ?? 'the scheduler function returned' }, AbortSignal.timeout(drainMs));
    } finally {
      await this.artifacts?.stop();
      await this.cluster?.stop();
    }
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

  private onStatus(status: TaskStatus): void {
    this.applyStatus(status);
    this.shutdownIdleRetired();
  }

  private applyStatus(status: TaskStatus): void {
    const { table, config, events } = this.o;
    // A reconciliation answer for a task unknown to the master: it is launched anew, silently.
    if (this.adoption?.onStatus(status) === true) return;
    const before = table.get(status.task_id.value)?.phase;
    const entry = table.applyStatus(status);
    // The same news twice — an update resent after a re-subscribe or an agent restart, or an
    // adopted task's own update after its reconciliation answer — reaches the function once.
    if (entry !== undefined && before === entry.phase && (before === 'running' || isTerminalPhase(before))) return;
    const failed = status.state === 'TASK_FAILED' || status.state === 'TASK_ERROR' || status.state === 'TASK_LOST' || status.state === 'TASK_DROPPED' || status.state === 'TASK_GONE';
    const restart = entry !== undefined && failed && config.taskFailurePolicy === 'restart' && entry.restarts < config.maxRestarts && this.stopReason === undefined;
    const event = schedEventFromStatus(status, restart);
    if (event !== undefined) events.push(event);
    if (entry === undefined || !failed) return;
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
    } else if (config.taskFailurePolicy === 'stop' || entry.restarts >= config.maxRestarts) {
      if (this.stopReason === undefined) {
        this.stopReason = new TaskError(entry.id, `${status.state}: ${status.message ?? 'no message'} (task failure policy: ${config.taskFailurePolicy})`);
        events.push({ type: 'Shutdown', reason: this.stopReason.message });
        // Ends the scheduler function's `for await (… of schedIn)`: the framework is stopping.
        this.o.schedIn.close();
      }
    }
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

  private callbacks(): Scheduler {
    const { events } = this.o;
    return {
      registered: (_d, frameworkId, master) => {
        this.frameworkId = frameworkId.value;
        events.push({ type: 'Registered', frameworkId: frameworkId.value, master });
        if (this.driver !== undefined) this.adoption?.ask(this.driver);
      },
      reregistered: (_d, master) => {
        events.push({ type: 'Reregistered', frameworkId: this.frameworkId, master });
        // Frames sent while we were away were dropped by the master (docs/protocol.md, "Framework messages"): resend now.
        this.pump?.retransmitAll();
        // Answers lost with the old stream are asked again.
        if (this.adoption?.isPending === true && this.driver !== undefined) this.adoption.ask(this.driver);
      },
      disconnected: () => {
        this.launcher?.forgetOffers();
        events.push({ type: 'Disconnected' });
      },
      resourceOffers: (_d, offers) => this.launcher?.addOffers(offers),
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
        events.push({ type: 'ExecutorLost', executorId: executorId.value, agentId: agentId.value, status });
        await this.pump?.executorLost(executorId.value);
      },
      error: (_d, message, cause) => events.push({ type: 'Error', message, ...(cause === undefined ? {} : { error: cause }) }),
    };
  }
}
