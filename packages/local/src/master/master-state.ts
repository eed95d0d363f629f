/**
 * The local master's state and the transitions that touch more than one registry: framework
 * (re-)subscription, disconnection and removal (docs/protocol.md, "Subscribing", "Failover timeout"), the
 * allocation loop (docs/protocol.md, "Offer lifetime"), and everything agents report through MasterLink (docs/protocol.md,
 * "Status update pipeline", "Framework messages", "Executor termination", "Agent removal").
 * Scheduler calls other than SUBSCRIBE live in scheduler-calls.ts, an agent's loss in
 * agent-loss.ts, its re-registration report in agent-reregistration.ts.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type {
  AgentID,
  Base64,
  ExecutorID,
  FrameworkID,
  FrameworkInfo,
  MasterInfo,
  Offer,
  SchedulerEvent,
  TaskStatus,
} from '@mesosgot/common/internal';
import type { AgentLink, AgentLossKind, MasterLink } from '../links.js';
import { AgentLoss } from './agent-loss.js';
import { AgentRegistry } from './agent-registry.js';
import { applyAgentSnapshot } from './agent-reregistration.js';
import { type Framework, FrameworkRegistry, validateFrameworkInfo } from './frameworks.js';
import { MasterChanges } from './master-changes.js';
import { MasterCounters } from './master-metrics.js';
import { OfferBook } from './offers.js';
import { subtractResources, type ContentType } from '@mesosgot/common/internal';
import { Subscription } from './subscriptions.js';
import { MESOS_VERSION } from '../operator/version-info.js';
import { type MasterTask, TaskRegistry } from './task-registry.js';

export { MESOS_VERSION } from '../operator/version-info.js';

export interface MasterSettings {
  heartbeatIntervalSeconds: number;
  allocationIntervalMs: number;
  /** refuse_seconds applied when a call gives no filter (Mesos: 5). */
  offerRefuseDefaultSeconds: number;
  /** A crashed agent with checkpointed tasks is removed after this long unless it comes back. */
  agentRemovalTimeoutMs: number;
  /** Removed frameworks remembered for /master/state and refused re-subscription (Mesos `--max_completed_frameworks`). */
  maxCompletedFrameworks?: number;
}

export class MasterState implements MasterLink {
  readonly masterId: string = randomUUID();
  readonly frameworks: FrameworkRegistry;
  readonly agents = new AgentRegistry();
  readonly offers = new OfferBook(this.masterId);
  readonly tasks = new TaskRegistry();
  /** What the operator event streams hear (tasks, agents, frameworks added/updated/removed). */
  readonly changes = new MasterChanges();
  /** The `master/*` counters of /metrics/snapshot. */
  readonly counters = new MasterCounters();
  readonly settings: MasterSettings;
  readonly hostname = '127.0.0.1';
  readonly startedAt = Date.now() / 1000;
  /** Set by LocalMaster once the server listens. */
  port = 0;
  #allocationTimer: NodeJS.Timeout | undefined;
  #allocationSoon: NodeJS.Immediate | undefined;
  /** Rotates which framework is offered an agent first, so several frameworks all get offers. */
  #roundRobin = 0;
  #stopped = false;
  /** Lost agents, and the crashed ones kept (with a removal timer) for their checkpointed tasks. */
  readonly #agentLoss = new AgentLoss(this);

  constructor(settings: MasterSettings) {
    this.settings = settings;
    this.frameworks = new FrameworkRegistry(this.masterId, settings.maxCompletedFrameworks);
  }

  masterInfo(): MasterInfo {
    return {
      id: this.masterId,
      ip: 16777343, // 127.0.0.1 packed in network byte order, read as a host integer (docs/protocol.md, "MasterInfo")
      port: this.port,
      pid: `master@${this.hostname}:${this.port}`,
      hostname: this.hostname,
      version: MESOS_VERSION,
      address: { hostname: this.hostname, ip: this.hostname, port: this.port },
      capabilities: [{ type: 'AGENT_UPDATE' }, { type: 'AGENT_DRAINING' }, { type: 'QUOTA_V2' }],
    };
  }

  /** Starts the periodic allocation (Mesos `--allocation_interval`). */
  start(): void {
    this.#allocationTimer = setInterval(() => this.allocate(), this.settings.allocationIntervalMs);
  }

  /** Stops timers and closes every stream. Agents are not told (the cluster stops them). */
  stop(): void {
    this.#stopped = true;
    if (this.#allocationTimer) clearInterval(this.#allocationTimer);
    if (this.#allocationSoon) clearImmediate(this.#allocationSoon);
    this.#agentLoss.stop();
    for (const fw of this.frameworks.all()) {
      fw.cancelFailover();
      fw.subscription?.close();
    }
  }

  /** Sends an event to a framework if it is connected; dropped otherwise (docs/protocol.md, "Failover timeout"). */
  send(framework: Framework | undefined, event: SchedulerEvent): boolean {
    return framework?.subscription?.send(event) === true;
  }

  sendUpdate(framework: Framework | undefined, status: TaskStatus): boolean {
    return this.send(framework, { type: 'UPDATE', update: { status } });
  }

  /** Runs an allocation on the next turn (after a subscribe, revive, release…). */
  scheduleAllocation(): void {
    if (this.#stopped || this.#allocationSoon) return;
    this.#allocationSoon = setImmediate(() => {
      this.#allocationSoon = undefined;
      this.allocate();
    });
  }

  /**
   * One allocation pass: each agent's unused, unoffered, unreserved resources go to one
   * framework, for its first role not suppressed; resources reserved for a role go only to
   * frameworks of that role, in an offer for that role (Mesos offers reservations to their role).
   */
  allocate(): void {
    if (this.#stopped) return;
    const candidates = this.frameworks.all().filter((fw) => fw.isConnected && fw.offerRole !== undefined);
    if (candidates.length === 0) return;
    const batches = new Map<Framework, Offer[]>();
    for (const agent of this.agents.all()) {
      let available = subtractResources(subtractResources(agent.total, agent.used), this.offers.offeredOn(agent.id));
      if (!OfferBook.isOfferable(available)) continue;
      const start = this.#roundRobin++ % candidates.length;
      for (let i = 0; i < candidates.length; i++) {
        const fw = candidates[(start + i) % candidates.length]!;
        for (const role of fw.roles.filter((r) => !fw.suppressedRoles.has(r))) {
          const eligible = available.filter((r) => {
            const reservedFor = r.reservations?.at(-1)?.role;
            return reservedFor === undefined ? role === fw.offerRole : reservedFor === role;
          });
          if (!OfferBook.isOfferable(eligible) || this.offers.isFiltered(fw.id, agent.id, eligible)) continue;
          const offer = this.offers.create(fw, agent, eligible, role, this.agents.executorIds(agent, fw.id));
          batches.set(fw, [...(batches.get(fw) ?? []), offer]);
          available = subtractResources(available, eligible);
        }
      }
    }
    for (const [fw, offers] of batches) this.send(fw, { type: 'OFFERS', offers: { offers } });
  }

  /** Takes back every outstanding offer on one agent, telling each framework (RESCIND). */
  rescindOffersOn(agentId: string): void {
    for (const o of this.offers.takeWhere((offer) => offer.agentId === agentId)) {
      this.send(this.frameworks.get(o.frameworkId), { type: 'RESCIND', rescind: { offer_id: o.offer.id } });
    }
  }

  // ---- framework lifecycle ------------------------------------------------------------------

  /**
   * Handles an accepted SUBSCRIBE (docs/protocol.md, "Subscribing"): the 200 stream opens first; FrameworkInfo problems
   * and removed ids are answered inside it with a single ERROR record.
   */
  subscribe(res: ServerResponse, info: FrameworkInfo, suppressedRoles: readonly string[] = [], contentType: ContentType = 'json'): void {
    const subscription = new Subscription(res, {
      heartbeatIntervalSeconds: this.settings.heartbeatIntervalSeconds,
      contentType,
      onGone: (s) => this.#streamGone(s),
    });
    const invalid = validateFrameworkInfo(info);
    if (invalid) return subscription.fail(invalid);
    const requestedId = info.id?.value;
    if (requestedId !== undefined && this.frameworks.isRemoved(requestedId)) {
      return subscription.fail('Framework has been removed');
    }
    let framework = requestedId === undefined ? undefined : this.frameworks.get(requestedId);
    const isResubscribe = framework !== undefined;
    this.counters.inc(isResubscribe ? 'messages_reregister_framework' : 'messages_register_framework');
    if (framework) {
      if (info.principal !== undefined && framework.info.principal !== undefined && info.principal !== framework.info.principal) {
        return subscription.fail("Changing framework's principal is not allowed.");
      }
      const old = framework.subscription;
      framework.subscription = undefined;
      // Only one stream per framework: the old one learns it lost (docs/protocol.md, "Subscribing").
      old?.fail('Framework failed over');
      framework.cancelFailover();
      // Outstanding offers are void on re-subscribe, without RESCIND (docs/protocol.md, "Subscribing").
      this.offers.takeWhere((o) => o.frameworkId === framework!.id);
      // user and checkpoint cannot change; other fields follow the new FrameworkInfo.
      framework.info = { ...info, id: { value: framework.id }, user: framework.info.user, checkpoint: framework.info.checkpoint };
    } else {
      // An unknown id (e.g. from a previous master) is adopted, as after a master failover.
      framework = this.frameworks.add(info, requestedId);
    }
    framework.subscription = subscription;
    // A SUBSCRIBE states the suppressed roles afresh (Mesos' allocator updateFramework): roles
    // suppressed by an earlier connection are offered again unless listed here.
    framework.suppressedRoles.clear();
    for (const role of suppressedRoles) if (framework.roles.includes(role)) framework.suppressedRoles.add(role);
    subscription.start({
      type: 'SUBSCRIBED',
      subscribed: {
        framework_id: { value: framework.id },
        heartbeat_interval_seconds: this.settings.heartbeatIntervalSeconds,
        master_info: this.masterInfo(),
      },
    });
    this.changes.emit({ kind: isResubscribe ? 'framework-updated' : 'framework-added', framework });
    if (isResubscribe) for (const agent of this.agents.all()) agent.link.resendPendingUpdates({ value: framework.id });
    this.scheduleAllocation();
  }

  /** Fault injection: cut a framework's stream as a network failure would. */
  dropSubscription(frameworkId: string): boolean {
    const framework = this.frameworks.get(frameworkId);
    if (!framework?.subscription?.isOpen) return false;
    framework.subscription.cut();
    return true;
  }

  /** The subscriber went away: disconnected, offers dropped, failover timer running (docs/protocol.md, "Failover timeout"). */
  #streamGone(subscription: Subscription): void {
    const framework = this.frameworks.all().find((fw) => fw.subscription === subscription);
    if (!framework || this.#stopped) return;
    framework.subscription = undefined;
    this.offers.takeWhere((o) => o.frameworkId === framework.id);
    framework.startFailover(() => this.removeFramework(framework));
    this.changes.emit({ kind: 'framework-updated', framework });
    this.scheduleAllocation();
  }

  /**
   * TEARDOWN or failover timeout (docs/protocol.md, "Failover timeout", "Teardown and shutdown"): executors shut down, tasks and offers dropped,
   * resources freed, the stream closed (EOF), the id refused from now on.
   */
  removeFramework(framework: Framework): void {
    framework.cancelFailover();
    const subscription = framework.subscription;
    framework.subscription = undefined;
    subscription?.close();
    this.offers.takeWhere((o) => o.frameworkId === framework.id);
    this.offers.dropFilters((fid) => fid === framework.id);
    for (const task of this.tasks.removeFramework(framework.id)) this.#releaseTask(task.agentId, task);
    for (const agent of this.agents.all()) {
      for (const executorId of this.agents.executorIds(agent, framework.id)) {
        this.agents.removeExecutor(agent, framework.id, executorId);
      }
      agent.link.shutdownFramework({ value: framework.id });
    }
    this.frameworks.remove(framework);
    this.changes.emit({ kind: 'framework-removed', info: framework.info });
    this.scheduleAllocation();
  }

  #releaseTask(agentId: string, task: MasterTask): void {
    if (task.resourcesReleased) return;
    task.resourcesReleased = true;
    const agent = this.agents.get(agentId);
    if (agent) this.agents.release(agent, task.resources);
  }

  // ---- MasterLink (agent → master) ----------------------------------------------------------

  /** Registers (or re-registers) an agent; what it reports running is charged again (docs/protocol.md, "Master detection"). */
  agentRegistered(agent: AgentLink): void {
    if (this.#stopped) return;
    // Back before its removal: its checkpointed tasks are reported again below (snapshot).
    const isReregistration = this.#agentLoss.returned(agent.info.id.value) || this.agents.get(agent.info.id.value) !== undefined;
    this.counters.inc(isReregistration ? 'messages_reregister_slave' : 'messages_register_slave');
    this.counters.inc(isReregistration ? 'slave_reregistrations' : 'slave_registrations');
    const entry = this.agents.register(agent);
    const snapshot = agent.snapshot?.();
    if (snapshot) applyAgentSnapshot(this, entry, snapshot);
    this.changes.emit({ kind: 'agent-added', agent: entry });
    this.scheduleAllocation();
  }

  /**
   * docs/protocol.md, "Agent removal": the agent is gone; AgentLoss rescinds its offers, loses its tasks and sends FAILURE,
   * or, after a crash with checkpointed tasks, waits `agentRemovalTimeoutMs` for it to return.
   */
  agentLost(agentId: AgentID, how: AgentLossKind = 'stopped'): void {
    this.#agentLoss.lost(agentId, how);
  }

  /** docs/protocol.md, "Status update pipeline": update the master's view, free resources on a terminal state, forward if connected. */
  statusUpdate(agentId: AgentID, frameworkId: FrameworkID, status: TaskStatus): void {
    if (this.#stopped) return;
    this.counters.inc('messages_status_update');
    const { task, becameTerminal, isNew } = this.tasks.apply(frameworkId.value, status);
    this.counters.inc(task ? 'valid_status_updates' : 'invalid_status_updates');
    if (task && isNew) this.changes.emit({ kind: 'task-updated', task, status });
    if (task && becameTerminal) {
      this.#releaseTask(agentId.value, task);
      this.scheduleAllocation();
    }
    // A status without uuid needs no ack: a terminal one ends the task here.
    if (task && becameTerminal && status.uuid === undefined) this.tasks.remove(task.frameworkId, task.taskId);
    this.sendUpdate(this.frameworks.get(frameworkId.value), status);
  }

  executorMessage(agentId: AgentID, frameworkId: FrameworkID, executorId: ExecutorID, data: Base64): void {
    if (this.#stopped) return;
    this.counters.inc('messages_executor_to_framework');
    this.counters.inc('valid_executor_to_framework_messages');
    this.send(this.frameworks.get(frameworkId.value), {
      type: 'MESSAGE',
      message: { agent_id: { value: agentId.value }, executor_id: { value: executorId.value }, data },
    });
  }

  /** docs/protocol.md, "Executor termination": free the executor's resources; FAILURE {agent_id, executor_id, status} if connected. */
  executorExited(agentId: AgentID, frameworkId: FrameworkID, executorId: ExecutorID, waitStatus: number): void {
    if (this.#stopped) return;
    this.counters.inc('messages_exited_executor');
    const agent = this.agents.get(agentId.value);
    if (agent && this.agents.removeExecutor(agent, frameworkId.value, executorId.value)) this.scheduleAllocation();
    this.send(this.frameworks.get(frameworkId.value), {
      type: 'FAILURE',
      failure: { agent_id: { value: agentId.value }, executor_id: { value: executorId.value }, status: waitStatus },
    });
  }
}
