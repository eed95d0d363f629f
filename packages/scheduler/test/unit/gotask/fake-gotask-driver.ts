/**
 * A SchedulerDriver stand-in for GoTaskScheduler unit tests: start() subscribes at once and
 * offers the given agents; an ACCEPT with LAUNCH starts fake executors, which answer
 * TASK_RUNNING and run an echo task over a real ReliableLink whose frames travel through the
 * driver's sendFrameworkMessage / frameworkMessage callback (as through a master and agent).
 */
import { EventEmitter } from 'eventemitter3';
import {
  type ExecutorID,
  type AgentID,
  type FrameworkInfo,
  type Offer,
  type OfferID,
  type OfferOperation,
  type TaskInfo,
  type TaskStatus,
  type TaskState,
} from '@mesosgot/common';
import {
  ReliableLink,
  decodeTaskSpec,
} from '@mesosgot/common/internal';
import type { ConnectionStatus, DriverStatus, Scheduler, SchedulerCallbackArgs, SchedulerDriver } from '../../../src/internal.js';

export interface FakeAgent {
  id: string;
  resources: string;
}

export class FakeGoTaskDriver implements SchedulerDriver {
  readonly events = new EventEmitter<SchedulerCallbackArgs>();
  driverStatus: DriverStatus = 'DRIVER_NOT_STARTED';
  readonly accepts: { offerIds: string[]; tasks: TaskInfo[] }[] = [];
  readonly declined: string[] = [];
  readonly calls: string[] = [];
  readonly launched: TaskInfo[] = [];
  readonly executors = new Map<string, ReliableLink>();
  /** Frames dropped instead of delivered (a disconnected master). */
  dropFrames = false;
  /** Scheduler→executor frames dropped while `dropFrames` was set. */
  droppedFrames = 0;
  private offerSeq = 0;
  private readonly echoes: Promise<void>[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private resolveClosed!: (error: Error | undefined) => void;
  private readonly closedWith = new Promise<Error | undefined>((resolve) => (this.resolveClosed = resolve));

  constructor(
    readonly scheduler: Scheduler,
    readonly frameworkInfo: FrameworkInfo,
    private readonly offersOnStart: readonly Offer[],
    /** Decides the state a launched task reports first (default TASK_RUNNING). */
    private readonly firstState: (task: TaskInfo) => TaskState = () => 'TASK_RUNNING',
  ) {}

  async start(): Promise<DriverStatus> {
    this.driverStatus = 'DRIVER_RUNNING';
    this.later(async () => {
      await this.scheduler.registered?.(this, { value: 'F1' }, { id: 'm', ip: 1, port: 5050 });
      if (this.offersOnStart.length) await this.scheduler.resourceOffers?.(this, [...this.offersOnStart]);
    });
    return this.driverStatus;
  }

  /** Sends more offers (as a later OFFERS event). */
  offer(offers: Offer[]): void {
    this.later(() => this.scheduler.resourceOffers?.(this, offers));
  }

  sendStatus(status: TaskStatus): void {
    this.later(() => this.scheduler.statusUpdate?.(this, status));
  }

  async stop(): Promise<DriverStatus> {
    this.calls.push('stop');
    this.driverStatus = 'DRIVER_STOPPED';
    await Promise.all([...this.executors.values()].map((l) => l.close()));
    await Promise.all(this.echoes);
    for (const t of this.timers) clearTimeout(t);
    this.resolveClosed(undefined);
    return this.driverStatus;
  }
  async abort(): Promise<DriverStatus> {
    return this.stop();
  }
  async join(): Promise<DriverStatus> {
    return this.driverStatus;
  }
  async run(): Promise<DriverStatus> {
    return this.start();
  }
  async requestResources(): Promise<DriverStatus> {
    return this.driverStatus;
  }
  async launchTasks(offerIds: readonly OfferID[], tasks: readonly TaskInfo[]): Promise<DriverStatus> {
    return this.acceptOffers(offerIds, [{ type: 'LAUNCH', launch: { task_infos: [...tasks] } }]);
  }
  async killTask(): Promise<DriverStatus> {
    return this.driverStatus;
  }
  async acceptOffers(offerIds: readonly OfferID[], operations: readonly OfferOperation[]): Promise<DriverStatus> {
    const tasks = operations.flatMap((op) => op.launch?.task_infos ?? []);
    this.accepts.push({ offerIds: offerIds.map((o) => o.value), tasks });
    for (const task of tasks) this.launch(task);
    return this.driverStatus;
  }
  async declineOffer(offerId: OfferID): Promise<DriverStatus> {
    this.declined.push(offerId.value);
    return this.driverStatus;
  }
  async reviveOffers(): Promise<DriverStatus> {
    this.calls.push('revive');
    return this.driverStatus;
  }
  async suppressOffers(): Promise<DriverStatus> {
    this.calls.push('suppress');
    return this.driverStatus;
  }
  async acknowledgeStatusUpdate(): Promise<DriverStatus> {
    return this.driverStatus;
  }
  async sendFrameworkMessage(executorId: ExecutorID, agentId: AgentID, data: Uint8Array | string): Promise<DriverStatus> {
    void agentId;
    const link = this.executors.get(executorId.value);
    const bytes = typeof data === 'string' ? Buffer.from(data) : Uint8Array.from(data);
    if (this.dropFrames) this.droppedFrames++;
    else if (link !== undefined) this.later(() => link.onFrame(bytes));
    return this.driverStatus;
  }
  async reconcileTasks(): Promise<DriverStatus> {
    return this.driverStatus;
  }
  async shutdownExecutor(): Promise<DriverStatus> {
    return this.driverStatus;
  }
  status(): AsyncIterable<ConnectionStatus> {
    return { [Symbol.asyncIterator]: () => ({ next: async () => ({ value: undefined, done: true as const }) }) };
  }
  closed(): Promise<Error | undefined> {
    return this.closedWith;
  }

  private launch(task: TaskInfo): void {
    const executorId = task.executor!.executor_id.value;
    const agentId = task.agent_id.value;
    let link = this.executors.get(executorId);
    if (link === undefined) {
      link = new ReliableLink({
        retransmitMs: 20,
        transmit: async (frame) => {
          if (!this.dropFrames) this.later(() => this.scheduler.frameworkMessage?.(this, { value: executorId }, { value: agentId }, Uint8Array.from(frame)));
        },
      });
      this.executors.set(executorId, link);
    }
    this.launched.push(task);
    const taskId = task.task_id.value;
    const spec = decodeTaskSpec(task.data);
    const state = this.firstState(task);
    this.sendStatus({ task_id: task.task_id, agent_id: task.agent_id, state, ...(state === 'TASK_FAILED' ? { message: `task ${taskId}: boom`, reason: 'REASON_COMMAND_EXECUTOR_FAILED' } : {}) });
    if (state !== 'TASK_RUNNING') return;
    const l = link;
    this.echoes.push(
      (async () => {
        try {
          for await (const m of l.receive(taskId)) await l.send({ taskName: taskId, data: `${spec.args.join(',')}:${String(m.data)}` });
        } catch {
          // The link closed under a send at stop(): the echo is over.
        }
      })(),
    );
  }

  private later(fn: () => unknown): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      void fn();
    }, 0);
    this.timers.add(t);
  }
}

export function fakeOffer(id: string, agent: string, resources: Offer['resources']): Offer {
  return { id: { value: id }, framework_id: { value: 'F1' }, agent_id: { value: agent }, hostname: `${agent}.test`, resources: resources ?? [] };
}
