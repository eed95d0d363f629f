/**
 * Where held offers become launches. Offers are held until the whole pending gang fits (all or
 * nothing, GangAllocator); then every agent's tasks go out in one ACCEPT with a LAUNCH, the
 * offers of agents that got nothing are declined, and once nothing is pending offers are
 * suppressed. Offers that cannot fit the gang are held at most `holdTimeoutMs`, then declined
 * with `refuse_seconds` so other frameworks get them (docs/protocol.md, "Offer lifetime", "Filters and declines").
 */
import {
  parseResourceMap,
  NotSubscribedError,
  type Resource,
  type ResourceRequest,
  type ContentType,
  type ExecutorInfo,
  type Filters,
  type Offer,
  type ResourceMap,
} from '@mesosgot/common/internal';
import type { SchedulerDriver } from '../driver/scheduler-driver.js';
import type { AgentSize } from './agent-fit.js';
import { GangFitJudge } from './gang-fit-judge.js';
import { GangAllocator, type AgentPlacement } from './gang-allocator.js';
import { buildExecutorInfo, buildTaskInfo, executorIdFor, type ExecutorSource } from './launch-builder.js';
import type { AllocationShortfall } from './sched-events.js';
import type { TaskEntry, TaskTable } from './task-table.js';
import type { GangFailurePolicy } from './gang-registry.js';

export interface GangLauncherOptions {
  table: TaskTable;
  frameworkName: string;
  executorSource: ExecutorSource;
  /** Encoding the executors speak with their agents (docs/protobuf.md); JSON when absent. */
  executorContentType?: ContentType;
  executorResources: ResourceMap;
  refuseSeconds: number;
  holdTimeoutMs: number;
  /** The tasks of one agent were accepted by the master (202). */
  onLaunched: (tasks: TaskEntry[], agent: AgentPlacement, executorId: string) => void;
  /** The held offers cannot fit the pending gang yet. */
  onPending: (shortfall: AllocationShortfall, agentsSeen: readonly AgentSize[]) => void;
  onError: (error: Error) => void;
  /**
   * A gang spawned during run() can never fit (docs/design.md, "Gangs that can never fit"): its pending tasks are dropped
   * here and `reason` says why (the task kind, or the whole gang, and what it lacks).
   */
  onNeverFits?: (gang: number, taskName: string, reason: string) => void;
  /** The agents' exact totals when known (the embedded cluster); else sizes are learned from offers. */
  agentTotals?: () => readonly AgentSize[];
  /** The failure policy a task's gang chose, written into its TaskInfo labels (gang-labels.ts). */
  policyOf?: (entry: TaskEntry) => GangFailurePolicy | undefined;
}

interface ExecutorRecord {
  id: string;
  info: ExecutorInfo;
  generation: number;
  /** Dead or retired: new launches on this agent get a new executor. */
  lost: boolean;
  /**
   * Started by an earlier scheduler process (failover, task-adoption.ts): its ExecutorInfo was
   * built with that process's artifact URL, so new launches go to a new executor instead.
   */
  isAdopted: boolean;
}

export class GangLauncher {
  /** Offers held for the gang, by offer id. Bound: the offers the master sent and did not rescind. */
  private readonly held = new Map<string, Offer>();
  /** Our executor per agent (one per agent, shared by the application's tasks there). */
  private readonly executors = new Map<string, ExecutorRecord>();
  private readonly allocator: GangAllocator;
  /** The executor's resources, charged once per agent. */
  private readonly executorRequest: ResourceRequest;
  /** What each agent's size is known to be, and which gangs can never fit (gang-fit-judge.ts). */
  private readonly judge: GangFitJudge;
  private holdTimer: NodeJS.Timeout | undefined;
  private lastShortfall = '';
  private isSuppressed = false;
  /** While true nothing is launched (failover reconciliation in progress); offers are kept. */
  private isHeld = false;
  private driver: SchedulerDriver | undefined;

  constructor(private readonly options: GangLauncherOptions) {
    this.executorRequest = parseResourceMap(options.executorResources, 'executorResources');
    this.allocator = new GangAllocator({
      executor: this.executorRequest,
      executorId: (agentId) => {
        const e = this.executors.get(agentId);
        return e === undefined || e.lost || e.isAdopted ? undefined : e.id;
      },
    });
    this.judge = new GangFitJudge({
      allocator: this.allocator,
      executorResources: options.executorResources,
      ...(options.agentTotals === undefined ? {} : { agentTotals: options.agentTotals }),
    });
  }

  attach(driver: SchedulerDriver): void {
    this.driver = driver;
  }

  private get filters(): Filters {
    return { refuse_seconds: this.options.refuseSeconds };
  }

  /** OFFERS: hold them and try to launch the pending gang. */
  addOffers(offers: readonly Offer[]): void {
    for (const offer of offers) this.held.set(offer.id.value, offer);
    this.noteAgentSizes();
    this.tryLaunch();
  }

  /** Learns agents' sizes from the offers held plus what we hold on each agent (agent-sizes.ts). */
  private noteAgentSizes(): void {
    this.judge.sizes.note(this.held.values(), (agentId) => this.holdingsOn(agentId));
  }

  /** What our live launched tasks (their requests) and our executor hold on `agentId`. */
  private holdingsOn(agentId: string): Resource[] {
    const out: Resource[] = [];
    for (const t of this.options.table.live()) if (t.agentId === agentId && t.phase !== 'pending') out.push(...t.request.resources);
    const executor = this.executors.get(agentId);
    if (executor !== undefined && !executor.lost) out.push(...this.executorRequest.resources);
    return out;
  }


  /** RESCIND: the offer is gone. */
  rescind(offerId: string): void {
    this.held.delete(offerId);
  }

  /**
   * Disconnected: the master rescinds every outstanding offer of ours (docs/protocol.md, "Failover timeout"), and the next
   * SUBSCRIBE states our suppressed roles afresh (none), so offers will come again.
   */
  forgetOffers(): void {
    this.held.clear();
    this.isSuppressed = false;
    this.clearHoldTimer();
  }

  /**
   * The executor died, or must not take new tasks: the next launch on its agent starts a new
   * one (next generation id). A relaunched task always goes to a new executor: its old one
   * closed the task's stream when the task ended, and a link stream never reopens.
   */
  retireExecutor(executorId: string): void {
    for (const record of this.executors.values()) if (record.id === executorId) record.lost = true;
  }

  /** The agent is gone (FAILURE without executor_id, docs/protocol.md, "Agent removal"): returns our executor there, now lost. */
  agentLost(agentId: string): string | undefined {
    const record = this.executors.get(agentId);
    if (record === undefined || record.lost) return undefined;
    record.lost = true;
    return record.id;
  }

  /** Launch nothing until release() (offers are held meanwhile). */
  hold(): void {
    this.isHeld = true;
  }

  /** Ends hold(): launches what the held offers fit. */
  release(): void {
    this.isHeld = false;
    this.tryLaunch();
  }

  /**
   * An executor of ours that an earlier scheduler process started (failover): it counts as the
   * agent's executor for agentLost(), and the next launch there takes the next generation.
   */
  adoptExecutor(agentId: string, executorId: string): void {
    const base = executorIdFor(this.options.frameworkName, agentId, 0);
    const suffix = executorId.startsWith(`${base}-`) ? Number(executorId.slice(base.length + 1)) : 0;
    const generation = Number.isSafeInteger(suffix) && suffix > 0 ? suffix : 0;
    const current = this.executors.get(agentId);
    if (current !== undefined && current.generation >= generation) return;
    const info = buildExecutorInfo(executorId, this.options.frameworkName, this.options.executorSource, [], this.options.executorContentType);
    this.executors.set(agentId, { id: executorId, info, generation, lost: false, isAdopted: true });
  }

  /** Tasks became pending again (restart policy): ask for offers if we had stopped them. */
  wantOffers(): void {
    if (this.isSuppressed && this.driver !== undefined) {
      this.isSuppressed = false;
      this.driver.reviveOffers().catch((err: unknown) => this.report(err));
    }
    this.tryLaunch();
  }

  /** Declines what is held and stops the timer. */
  close(): void {
    this.clearHoldTimer();
    this.declineHeld();
  }

  /**
   * Plans each gang with pending tasks on its own, in declaration order, against what the held
   * offers have left: a gang that fits is launched at once (its offers consumed), one that does
   * not waits (AllocationPending naming it) without holding up the gangs after it.
   */
  tryLaunch(): void {
    const driver = this.driver;
    if (driver === undefined || this.isHeld) return;
    // Judged with or without offers in hand: a cluster we fill sends none.
    this.dropNeverFitting();
    if (this.held.size === 0) return;
    const pending = this.options.table.pending();
    if (pending.length === 0) {
      this.declineHeld();
      this.suppress();
      return;
    }
    const byGang = byGangOf(pending);
    const waiting: AllocationShortfall[] = [];
    for (const [gang, tasks] of byGang) {
      const plan = this.allocator.plan([...this.held.values()], tasks);
      if (!plan.fits) {
        waiting.push(byGang.size > 1 || gang !== 0 ? { ...plan.shortfall, gang } : plan.shortfall);
        continue;
      }
      for (const agent of plan.agents) {
        for (const id of agent.offerIds) this.held.delete(id.value);
        this.launchOn(driver, agent);
      }
    }
    if (waiting.length > 0) {
      const text = JSON.stringify(waiting.map((w) => [w.gang, w.unplaced]));
      if (text !== this.lastShortfall) {
        this.lastShortfall = text;
        for (const shortfall of waiting) this.options.onPending(shortfall, this.judge.sizes.all());
      }
      this.startHoldTimer();
      return;
    }
    this.lastShortfall = '';
    this.clearHoldTimer();
    this.declineHeld();
    if (this.options.table.pending().length === 0) this.suppress();
  }

  /**
   * Hands each pending gang spawned during run() that can never fit to onNeverFits. Only those
   * have a promise to reject; the gang declared before run() waits and says what it lacks.
   */
  private dropNeverFitting(): void {
    const onNeverFits = this.options.onNeverFits;
    if (onNeverFits === undefined) return;
    for (const [gang, tasks] of byGangOf(this.options.table.pending())) {
      if (gang === 0) continue;
      const never = this.judge.neverFits(gang, tasks);
      if (never !== undefined) onNeverFits(gang, never.taskName, never.reason);
    }
  }

  private launchOn(driver: SchedulerDriver, agent: AgentPlacement): void {
    const { table } = this.options;
    const executor = this.executorOn(agent);
    const entries: TaskEntry[] = [];
    const taskInfos = agent.tasks.map((p) => {
      const entry = table.get(p.taskId)!;
      entry.phase = 'launching';
      entry.agentId = agent.agentId;
      entry.executorId = executor.id;
      entries.push(entry);
      return buildTaskInfo(entry, agent.agentId, p.resources, executor.info, this.options.policyOf?.(entry));
    });
    driver.acceptOffers(agent.offerIds, [{ type: 'LAUNCH', launch: { task_infos: taskInfos } }], this.filters).then(
      () => this.options.onLaunched(entries, agent, executor.id),
      (err: unknown) => {
        // The master refused the ACCEPT: nothing of it runs; try again with the next offers.
        for (const e of entries) if (e.phase === 'launching') e.phase = 'pending';
        this.report(err);
        this.wantOffers();
      },
    );
  }

  private executorOn(agent: AgentPlacement): ExecutorRecord {
    let record = this.executors.get(agent.agentId);
    if (record === undefined || record.lost || record.isAdopted) {
      const generation = record === undefined ? 0 : record.generation + 1;
      const id = executorIdFor(this.options.frameworkName, agent.agentId, generation);
      const info = buildExecutorInfo(id, this.options.frameworkName, this.options.executorSource, agent.executorResources ?? [], this.options.executorContentType);
      record = { id, info, generation, lost: false, isAdopted: false };
      this.executors.set(agent.agentId, record);
    }
    return record;
  }

  /** Calls refused while disconnected need no report: the offers died with the subscription. */
  private report(err: unknown): void {
    if (!(err instanceof NotSubscribedError)) this.options.onError(err as Error);
  }

  private suppress(): void {
    if (this.isSuppressed || this.driver === undefined) return;
    this.isSuppressed = true;
    this.driver.suppressOffers().catch((err: unknown) => this.report(err));
  }

  private startHoldTimer(): void {
    if (this.holdTimer !== undefined) return;
    if (this.options.holdTimeoutMs === 0) {
      this.declineHeld();
      return;
    }
    this.holdTimer = setTimeout(() => {
      this.holdTimer = undefined;
      this.lastShortfall = '';
      this.declineHeld();
    }, this.options.holdTimeoutMs);
  }

  private clearHoldTimer(): void {
    if (this.holdTimer !== undefined) clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
  }

  private declineHeld(): void {
    const driver = this.driver;
    const ids = [...this.held.values()].map((o) => o.id);
    this.held.clear();
    if (driver === undefined) return;
    for (const id of ids) driver.declineOffer(id, this.filters).catch((err: unknown) => this.report(err));
  }
}

/** `items` grouped by their `gang`, each group in the given order; gangs in first-seen order. */
export function byGangOf<T extends { gang: number }>(items: Iterable<T>): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const item of items) {
    const list = groups.get(item.gang);
    if (list === undefined) groups.set(item.gang, [item]);
    else list.push(item);
  }
  return groups;
}
