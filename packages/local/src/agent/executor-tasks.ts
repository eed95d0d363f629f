/**
 * The tasks of one custom executor as its agent tracks them (like Mesos' slave `Executor`
 * with its queued and launched tasks): queued until SUBSCRIBED (docs/protocol.md, "Launch path"),
 * then launched, each with the latest state the agent saw. Also the updates the agent writes
 * itself for these tasks, because the executor never will: killed before delivery (docs/protocol.md, "Killing tasks"),
 * lost in an agent restart (docs/protocol.md, "Executor rules", rule 7), left behind when the container ended (docs/protocol.md, "Executor termination").
 */
import {
  isTerminalState,
  type FrameworkID,
  type FrameworkInfo,
  type TaskInfo,
  type TaskState,
  type TaskStatus,
  type TaskStatusReason,
} from '@mesosgot/common/internal';
import type { AgentContext } from './agent-context.js';
import { agentStatus, isPartitionAware } from './agent-task-status.js';

/** Why a container ended, when the agent knows better than "Executor terminated" (docs/protocol.md, "Executor termination"). */
export interface Termination {
  state: TaskState;
  reason: TaskStatusReason;
  message: string;
}

/** What a container's leftover tasks get when no better cause is known (docs/protocol.md, "Executor termination"). */
export const EXECUTOR_TERMINATED: Termination = {
  state: 'TASK_FAILED',
  reason: 'REASON_EXECUTOR_TERMINATED',
  message: 'Executor terminated',
};

export class ExecutorTasks {
  readonly #frameworkId: string;
  /** Tasks waiting for SUBSCRIBED (docs/protocol.md, "Launch path"), in launch order. */
  readonly #queued: TaskInfo[] = [];
  /** Tasks handed to the executor, with the latest state the agent has seen for each. */
  readonly #launched = new Map<string, { info: TaskInfo; state: TaskState }>();

  constructor(
    private readonly ctx: AgentContext,
    framework: FrameworkInfo & { id: FrameworkID },
    private readonly executorId: string,
  ) {
    this.#frameworkId = framework.id.value;
  }

  /** Holds the task until the executor subscribes. */
  queue(task: TaskInfo): void {
    this.#queued.push(task);
  }

  /** Empties the queue, in launch order, for delivery after SUBSCRIBED. */
  takeQueued(): TaskInfo[] {
    return this.#queued.splice(0);
  }

  /** The task was sent in a LAUNCH: STAGING until the executor reports. */
  launched(task: TaskInfo): void {
    this.#launched.set(task.task_id.value, { info: task, state: 'TASK_STAGING' });
  }

  /** A re-subscribing executor's unacknowledged tasks (docs/protocol.md, "Executor rules", rule 7): known from now on, STAGING if new. */
  adopt(tasks: readonly TaskInfo[]): void {
    for (const task of tasks) if (!this.#launched.has(task.task_id.value)) this.launched(task);
  }

  /** An executor update the agent accepted: the task's latest state, unless it already ended. */
  observe(status: TaskStatus): void {
    const entry = this.#launched.get(status.task_id.value);
    if (entry && !isTerminalState(entry.state)) entry.state = status.state;
  }

  isLaunched(taskId: string): boolean {
    return this.#launched.has(taskId);
  }

  has(taskId: string): boolean {
    return this.#launched.has(taskId) || this.#queued.some((task) => task.task_id.value === taskId);
  }

  /** Every task with the latest state the agent saw (queued ones are STAGING). */
  all(): { info: TaskInfo; state: TaskState }[] {
    return [
      ...this.#queued.map((info) => ({ info, state: 'TASK_STAGING' as const })),
      ...[...this.#launched.values()].map(({ info, state }) => ({ info, state })),
    ];
  }

  /** The ids of tasks that are not terminal yet (queued or launched). */
  liveIds(): string[] {
    return [
      ...this.#queued.map((task) => task.task_id.value),
      ...[...this.#launched].filter(([, entry]) => !isTerminalState(entry.state)).map(([id]) => id),
    ];
  }

  /**
   * docs/protocol.md, "Killing tasks": a task still queued dies here (TASK_KILLED, REASON_TASK_KILLED_DURING_LAUNCH).
   * False if it is not queued (launched, or unknown).
   */
  killQueued(taskId: string): boolean {
    const index = this.#queued.findIndex((task) => task.task_id.value === taskId);
    if (index < 0) return false;
    const [task] = this.#queued.splice(index, 1);
    this.#enqueue({
      taskId: task!.task_id,
      state: 'TASK_KILLED',
      reason: 'REASON_TASK_KILLED_DURING_LAUNCH',
      message: 'Killed before delivery to the executor',
    });
    return true;
  }

  /**
   * docs/protocol.md, "Executor rules", rule 7: after an agent restart, launched tasks still STAGING that the re-subscribing
   * executor does not list (`known`) never reached it: TASK_LOST (TASK_DROPPED if partition-aware).
   */
  loseStaging(known: readonly TaskInfo[]): void {
    const knownIds = new Set(known.map((task) => task.task_id.value));
    const partitionAware = isPartitionAware(this.ctx.framework(this.#frameworkId));
    for (const [taskId, entry] of this.#launched) {
      if (entry.state !== 'TASK_STAGING' || knownIds.has(taskId)) continue;
      entry.state = partitionAware ? 'TASK_DROPPED' : 'TASK_LOST';
      this.#enqueue({
        taskId: { value: taskId },
        state: entry.state,
        reason: 'REASON_AGENT_RESTARTED',
        message: 'Task launched during agent restart',
      });
    }
  }

  /** docs/protocol.md, "Executor termination": the container ended; every task not yet terminal gets `termination`, the queue empties. */
  endAll(termination: Termination): void {
    for (const taskId of this.liveIds()) this.#enqueue({ taskId: { value: taskId }, ...termination });
    this.#queued.length = 0;
  }

  #enqueue(update: Termination & { taskId: TaskStatus['task_id'] }): void {
    this.ctx.enqueueUpdate(this.#frameworkId, agentStatus({ ...update, agentId: this.ctx.agentId, executorId: this.executorId }));
  }
}
