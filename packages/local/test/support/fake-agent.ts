/**
 * An in-process AgentLink that records what the master asks of it, so master tests can play
 * the agent's side (status updates, executor exits) by calling the MasterLink directly.
 */
import {
  newStatusUuid,
  type AgentInfo,
  type AgentID,
  type Base64,
  type ExecutorID,
  type FrameworkID,
  type FrameworkInfo,
  type KillPolicy,
  type TaskID,
  type TaskInfo,
  type TaskState,
  type TaskStatus,
} from '@mesosgot/common';
import {
  parseResourceFlags,
} from '@mesosgot/common/internal';
import type { AgentLink, MasterLink } from '../../src/links.js';

export type FakeAgentCall =
  | { kind: 'launch'; framework: FrameworkInfo; tasks: TaskInfo[] }
  | { kind: 'kill'; frameworkId: string; taskId: string; killPolicy?: KillPolicy }
  | { kind: 'shutdownExecutor'; frameworkId: string; executorId: string }
  | { kind: 'shutdownFramework'; frameworkId: string }
  | { kind: 'message'; frameworkId: string; executorId: string; data: Base64 }
  | { kind: 'ack'; frameworkId: string; taskId: string; uuid: Base64 }
  | { kind: 'resend'; frameworkId: string };

export class FakeAgent implements AgentLink {
  readonly info: AgentInfo & { id: AgentID };
  readonly calls: FakeAgentCall[] = [];

  constructor(
    readonly master: MasterLink,
    id: string,
    resources = 'cpus:4;mem:4096;disk:4096;ports:[31000-31099]',
  ) {
    this.info = { hostname: '127.0.0.1', port: 5051, resources: parseResourceFlags(resources), id: { value: id } };
  }

  get id(): string {
    return this.info.id.value;
  }

  launchTasks(framework: FrameworkInfo & { id: FrameworkID }, tasks: TaskInfo[]): void {
    this.calls.push({ kind: 'launch', framework, tasks });
  }
  killTask(frameworkId: FrameworkID, taskId: TaskID, killPolicy?: KillPolicy): void {
    this.calls.push({ kind: 'kill', frameworkId: frameworkId.value, taskId: taskId.value, ...(killPolicy ? { killPolicy } : {}) });
  }
  shutdownExecutor(frameworkId: FrameworkID, executorId: ExecutorID): void {
    this.calls.push({ kind: 'shutdownExecutor', frameworkId: frameworkId.value, executorId: executorId.value });
  }
  shutdownFramework(frameworkId: FrameworkID): void {
    this.calls.push({ kind: 'shutdownFramework', frameworkId: frameworkId.value });
  }
  frameworkMessage(frameworkId: FrameworkID, executorId: ExecutorID, data: Base64): void {
    this.calls.push({ kind: 'message', frameworkId: frameworkId.value, executorId: executorId.value, data });
  }
  acknowledge(frameworkId: FrameworkID, taskId: TaskID, uuid: Base64): void {
    this.calls.push({ kind: 'ack', frameworkId: frameworkId.value, taskId: taskId.value, uuid });
  }
  resendPendingUpdates(frameworkId: FrameworkID): void {
    this.calls.push({ kind: 'resend', frameworkId: frameworkId.value });
  }

  /** Plays an executor's reliable update through this agent; returns the status sent. */
  update(frameworkId: string, taskId: string, state: TaskState, extra: Partial<TaskStatus> = {}): TaskStatus {
    const status: TaskStatus = {
      task_id: { value: taskId },
      state,
      source: 'SOURCE_EXECUTOR',
      agent_id: this.info.id,
      timestamp: Date.now() / 1000,
      uuid: newStatusUuid(),
      ...extra,
    };
    this.master.statusUpdate(this.info.id, { value: frameworkId }, status);
    return status;
  }

  of<K extends FakeAgentCall['kind']>(kind: K): Extract<FakeAgentCall, { kind: K }>[] {
    return this.calls.filter((c): c is Extract<FakeAgentCall, { kind: K }> => c.kind === kind);
  }
}
