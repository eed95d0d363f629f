/**
 * A (re-)registering agent's report (AgentLink.snapshot, like Mesos' ReregisterSlaveMessage)
 * applied to the master's view: a new leader after failover, or the same master after the
 * agent came back, learns the frameworks, executors and tasks it never saw launched and
 * charges their resources again, so offers do not hand out what is in use (docs/protocol.md, "Launch validation", "Master detection").
 */
import { isTerminalState } from '@mesosgot/common/internal';
import type { AgentSnapshot } from '../links.js';
import { type AgentEntry, bare } from './agent-registry.js';
import type { MasterState } from './master-state.js';

export function applyAgentSnapshot(state: MasterState, agent: AgentEntry, snapshot: AgentSnapshot): void {
  const removed = new Set<string>();
  for (const info of snapshot.frameworks) {
    const id = info.id.value;
    if (state.frameworks.isRemoved(id)) {
      // The framework is gone for good: its executors must go too (as a real master tells the agent).
      removed.add(id);
      agent.link.shutdownFramework(info.id);
      continue;
    }
    // Known only from the agent: disconnected until its scheduler re-subscribes with this id.
    // No failover timer runs: the timer is not persisted across master failover (docs/protocol.md, "Failover timeout").
    if (!state.frameworks.get(id)) state.frameworks.add(info, id);
  }
  for (const { frameworkId, executor } of snapshot.executors) {
    if (removed.has(frameworkId.value)) continue;
    if (!state.agents.executor(agent, frameworkId.value, executor.executor_id.value)) {
      state.agents.addExecutor(agent, frameworkId.value, executor);
    }
  }
  for (const reported of snapshot.tasks) {
    const frameworkId = reported.frameworkId.value;
    if (removed.has(frameworkId)) continue;
    const resources = bare(reported.task.resources ?? []);
    let task = state.tasks.get(frameworkId, reported.task.task_id.value);
    if (!task || task.agentId !== agent.id) task = state.tasks.add(frameworkId, agent.id, reported.task, resources);
    if (task.state !== reported.state) {
      task.state = reported.state;
      task.statuses.push({ state: reported.state, timestamp: reported.pendingHead?.timestamp ?? Date.now() / 1000 });
    }
    if (reported.pendingHead) {
      task.latest = reported.pendingHead;
      // The agent re-sends this head: it is forwarded again but changes nothing here.
      if (reported.pendingHead.uuid !== undefined) task.seenUuids.add(reported.pendingHead.uuid);
    }
    // register() started this agent with nothing used: charge what still runs.
    task.resourcesReleased = isTerminalState(reported.state);
    if (!task.resourcesReleased) state.agents.charge(agent, resources);
  }
}
