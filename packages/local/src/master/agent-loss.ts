/**
 * What the master does when an agent goes away (MasterLink.agentLost,
 * docs/protocol.md, "Agent removal"; recorded in faults-scheduler.jsonl): RESCIND its offers, lose its tasks, FAILURE to
 * every framework. A crashed agent is kept, as Mesos' Master::exited keeps a disconnected one,
 * while it holds tasks of checkpointing frameworks: it may come back (agent restart, docs/protocol.md, "Agent restarts"),
 * and only if it does not within `agentRemovalTimeoutMs` are those tasks lost too.
 */
import type { AgentID, TaskStatus, TaskStatusReason } from '@mesosgot/common/internal';
import type { AgentLossKind } from '../links.js';
import type { Framework } from './frameworks.js';
import type { MasterState } from './master-state.js';
import type { MasterTask } from './task-registry.js';

export class AgentLoss {
  /** Crashed agents kept for their checkpointed tasks, by id: the removal timer. Written by lost/returned/stop. */
  readonly #disconnected = new Map<string, NodeJS.Timeout>();
  /** Set by stop() (with the master's): nothing more is sent and no timer is started. */
  #stopped = false;

  constructor(private readonly state: MasterState) {}

  /**
   * The agent is gone (already or about to be removed from the registry by this call). Its
   * offers are rescinded and its tasks lost at once, except, after a crash, those of
   * checkpointing frameworks: then the agent is removed only when its removal timer fires.
   */
  lost(agentId: AgentID, how: AgentLossKind): void {
    const { agents, offers, tasks, frameworks } = this.state;
    const agent = agents.remove(agentId.value);
    if (!agent || this.#stopped) return;
    for (const o of offers.takeWhere((x) => x.agentId === agent.id)) {
      this.state.send(frameworks.get(o.frameworkId), { type: 'RESCIND', rescind: { offer_id: o.offer.id } });
    }
    offers.dropFilters((_fid, aid) => aid === agent.id);
    let isAwaitingReturn = false;
    for (const task of tasks.forAgent(agent.id)) {
      const framework = frameworks.get(task.frameworkId);
      if (how === 'crashed' && framework?.info.checkpoint === true) {
        isAwaitingReturn = true;
        continue;
      }
      this.#loseTask(task, framework, 'REASON_AGENT_DISCONNECTED', `Agent ${agent.info.hostname} disconnected`);
    }
    if (isAwaitingReturn) {
      const timer = setTimeout(() => this.#removeDisconnected(agent.id, agent.info.hostname), this.state.settings.agentRemovalTimeoutMs);
      this.#disconnected.set(agent.id, timer);
      return;
    }
    this.#removed(agent.id);
  }

  /**
   * The agent registered again before its removal: its checkpointed tasks stay (it re-reports
   * them). True if it was awaited (a re-registration).
   */
  returned(agentId: string): boolean {
    clearTimeout(this.#disconnected.get(agentId));
    return this.#disconnected.delete(agentId);
  }

  /** Clears every removal timer; later losses are ignored. */
  stop(): void {
    this.#stopped = true;
    for (const timer of this.#disconnected.values()) clearTimeout(timer);
    this.#disconnected.clear();
  }

  /** The crashed agent did not come back in time: its remaining tasks are lost (docs/protocol.md, "Agent removal"). */
  #removeDisconnected(agentId: string, hostname: string): void {
    this.#disconnected.delete(agentId);
    if (this.#stopped) return;
    for (const task of this.state.tasks.forAgent(agentId)) {
      this.#loseTask(task, this.state.frameworks.get(task.frameworkId), 'REASON_AGENT_REMOVED', `Agent ${hostname} removed`);
    }
    this.#removed(agentId);
  }

  /** The master's own update for a task on a lost agent: TASK_UNREACHABLE to partition-aware frameworks (docs/protocol.md, "Agent removal"). */
  #loseTask(task: MasterTask, framework: Framework | undefined, reason: TaskStatusReason, message: string): void {
    const status: TaskStatus = {
      task_id: { value: task.taskId },
      state: framework?.isPartitionAware ? 'TASK_UNREACHABLE' : 'TASK_LOST',
      message,
      source: 'SOURCE_MASTER',
      reason,
      agent_id: { value: task.agentId },
      ...(task.executorId !== undefined ? { executor_id: { value: task.executorId } } : {}),
      timestamp: Date.now() / 1000,
    };
    // Applied first so the task is counted and listed among completed tasks as lost.
    this.state.tasks.apply(task.frameworkId, status);
    this.state.changes.emit({ kind: 'task-updated', task, status });
    this.state.tasks.remove(task.frameworkId, task.taskId);
    this.state.sendUpdate(framework, status);
  }

  /** FAILURE {agent_id} to every connected framework, after its tasks' updates (faults-scheduler.jsonl). */
  #removed(agentId: string): void {
    this.state.counters.inc('slave_removals');
    this.state.counters.inc('slave_removals/reason_unregistered');
    this.state.changes.emit({ kind: 'agent-removed', agentId });
    for (const framework of this.state.frameworks.all()) {
      this.state.send(framework, { type: 'FAILURE', failure: { agent_id: { value: agentId } } });
    }
  }
}
