// A MasterLink that records what an agent reports, for driving LocalAgent in-process.
import type { AgentID, Base64, ExecutorID, FrameworkID, TaskState, TaskStatus } from '@mesosgot/common';
import type { AgentLink, MasterLink } from '@mesosgot/local/internal';

export interface RecordedUpdate {
  frameworkId: string;
  status: TaskStatus;
}

export class FakeMasterLink implements MasterLink {
  readonly registered: AgentLink[] = [];
  readonly lost: string[] = [];
  /** Every statusUpdate call, retries included. */
  readonly updates: RecordedUpdate[] = [];
  readonly messages: { frameworkId: string; executorId: string; data: string }[] = [];
  readonly exits: { frameworkId: string; executorId: string; waitStatus: number }[] = [];
  /** When true, each update is acknowledged back to the agent as it arrives (like a scheduler that ACKs at once). */
  autoAcknowledge = false;

  agentRegistered(agent: AgentLink): void {
    this.registered.push(agent);
  }

  agentLost(agentId: AgentID): void {
    this.lost.push(agentId.value);
  }

  statusUpdate(agentId: AgentID, frameworkId: FrameworkID, status: TaskStatus): void {
    this.updates.push({ frameworkId: frameworkId.value, status });
    if (this.autoAcknowledge && status.uuid !== undefined) {
      const agent = this.registered.at(-1);
      const uuid = status.uuid;
      // Asynchronously, as an ACKNOWLEDGE call would come back from a scheduler.
      setImmediate(() => agent?.acknowledge(frameworkId, status.task_id, uuid));
    }
  }

  executorMessage(_agentId: AgentID, frameworkId: FrameworkID, executorId: ExecutorID, data: Base64): void {
    this.messages.push({ frameworkId: frameworkId.value, executorId: executorId.value, data });
  }

  executorExited(_agentId: AgentID, frameworkId: FrameworkID, executorId: ExecutorID, waitStatus: number): void {
    this.exits.push({ frameworkId: frameworkId.value, executorId: executorId.value, waitStatus });
  }

  /** The distinct updates (by uuid) of one task, in arrival order. */
  updatesOf(taskId: string): TaskStatus[] {
    const seen = new Set<string>();
    const out: TaskStatus[] = [];
    for (const { status } of this.updates) {
      if (status.task_id.value !== taskId || seen.has(status.uuid ?? '')) continue;
      seen.add(status.uuid ?? '');
      out.push(status);
    }
    return out;
  }

  statesOf(taskId: string): TaskState[] {
    return this.updatesOf(taskId).map((status) => status.state);
  }

  /** The latest update of a task in the given state, if it arrived. */
  find(taskId: string, state: TaskState): TaskStatus | undefined {
    return this.updatesOf(taskId).find((status) => status.state === state);
  }

  /** Acknowledges a task's update to the agent, as the master would on a scheduler's ACKNOWLEDGE. */
  acknowledge(frameworkId: string, status: TaskStatus): void {
    this.registered.at(-1)?.acknowledge({ value: frameworkId }, status.task_id, status.uuid!);
  }
}
