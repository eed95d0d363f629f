/**
 * Tasks as the master sees them (docs/protocol.md, "Acknowledgements", "Task states and reasons"): the latest state from the
 * updates agents forward, the uuid of each forwarded update, and forgetting a task once the
 * scheduler acknowledged its terminal update.
 */
import { isTerminalState, type Resource, type TaskInfo, type TaskState, type TaskStatus } from '@mesosgot/common/internal';

/** One task the master launched. Fields are written by TaskRegistry only. */
export interface MasterTask {
  readonly frameworkId: string;
  readonly taskId: string;
  readonly agentId: string;
  readonly info: TaskInfo;
  /** Custom executor id, or undefined for a command task. */
  readonly executorId: string | undefined;
  /** Resources charged on the agent for the task itself (bare). */
  readonly resources: Resource[];
  state: TaskState;
  /** The latest status received from the agent, if any. */
  latest: TaskStatus | undefined;
  /** Every state the task went through, with its time (for /master/state). */
  readonly statuses: { state: TaskState; timestamp: number }[];
  /** uuids already applied, so an agent's retry does not count twice. */
  readonly seenUuids: Set<string>;
  /** Set once the task's resources were returned to the agent's pool. */
  resourcesReleased: boolean;
}

/** What applying one update changed. */
export interface AppliedUpdate {
  task: MasterTask | undefined;
  /** The update moved the task to a terminal state just now: free its resources. */
  becameTerminal: boolean;
}

export class TaskRegistry {
  /** frameworkId → taskId → task, insertion-ordered (reconciliation answers in launch order). */
  readonly #byFramework = new Map<string, Map<string, MasterTask>>();

  /** Records a validated task in TASK_STAGING (docs/protocol.md, "Launch validation"). */
  add(frameworkId: string, agentId: string, info: TaskInfo, resources: Resource[]): MasterTask {
    const task: MasterTask = {
      frameworkId,
      taskId: info.task_id.value,
      agentId,
      info,
      executorId: info.executor?.executor_id.value,
      resources,
      state: 'TASK_STAGING',
      latest: undefined,
      statuses: [{ state: 'TASK_STAGING', timestamp: Date.now() / 1000 }],
      seenUuids: new Set(),
      resourcesReleased: false,
    };
    let tasks = this.#byFramework.get(frameworkId);
    if (!tasks) this.#byFramework.set(frameworkId, (tasks = new Map()));
    tasks.set(task.taskId, task);
    return task;
  }

  get(frameworkId: string, taskId: string): MasterTask | undefined {
    return this.#byFramework.get(frameworkId)?.get(taskId);
  }

  forFramework(frameworkId: string): MasterTask[] {
    return [...(this.#byFramework.get(frameworkId)?.values() ?? [])];
  }

  forAgent(agentId: string): MasterTask[] {
    return this.all().filter((t) => t.agentId === agentId);
  }

  all(): MasterTask[] {
    return [...this.#byFramework.values()].flatMap((m) => [...m.values()]);
  }

  remove(frameworkId: string, taskId: string): void {
    const tasks = this.#byFramework.get(frameworkId);
    tasks?.delete(taskId);
    if (tasks?.size === 0) this.#byFramework.delete(frameworkId);
  }

  removeFramework(frameworkId: string): MasterTask[] {
    const tasks = this.forFramework(frameworkId);
    this.#byFramework.delete(frameworkId);
    return tasks;
  }

  /**
   * Applies an agent's update to the task's state. A uuid seen before (agent retry) changes
   * nothing; the caller still forwards it, since the scheduler may have missed it.
   */
  apply(frameworkId: string, status: TaskStatus): AppliedUpdate {
    const task = this.get(frameworkId, status.task_id.value);
    if (!task) return { task: undefined, becameTerminal: false };
    if (status.uuid !== undefined) {
      if (task.seenUuids.has(status.uuid)) return { task, becameTerminal: false };
      task.seenUuids.add(status.uuid);
    }
    const wasTerminal = isTerminalState(task.state);
    task.state = status.state;
    task.latest = status;
    task.statuses.push({ state: status.state, timestamp: status.timestamp ?? Date.now() / 1000 });
    return { task, becameTerminal: !wasTerminal && isTerminalState(status.state) };
  }

  /**
   * The scheduler acknowledged `uuid` for this task. Returns true when that was the terminal
   * update, in which case the task is forgotten (docs/protocol.md, "Acknowledgements").
   */
  acknowledge(frameworkId: string, taskId: string, uuid: string): boolean {
    const task = this.get(frameworkId, taskId);
    if (!task || task.latest?.uuid !== uuid || !isTerminalState(task.state)) return false;
    this.remove(frameworkId, taskId);
    return true;
  }
}
