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
  /** Every state the task went through, with its time and the update itself (operator endpoints). */
  readonly statuses: { state: TaskState; timestamp: number; status?: TaskStatus }[];
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
  /** False for an agent's retry of an update already applied (same uuid): nothing changed. */
  isNew: boolean;
}

/** Mesos' `--max_completed_tasks_per_framework` default: older completed tasks are forgotten. */
export const MAX_COMPLETED_TASKS_PER_FRAMEWORK = 1000;

export class TaskRegistry {
  /** frameworkId → taskId → task, insertion-ordered (reconciliation answers in launch order). */
  readonly #byFramework = new Map<string, Map<string, MasterTask>>();
  /** frameworkId → tasks forgotten in a terminal state, oldest first, bounded (operator endpoints). */
  readonly #completed = new Map<string, MasterTask[]>();
  /** How many tasks reached each terminal state since the master started (`master/tasks_*` metrics). */
  readonly terminalCounts = new Map<TaskState, number>();

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

  /** The framework's completed tasks (terminal and forgotten), oldest first. */
  completedFor(frameworkId: string): readonly MasterTask[] {
    return this.#completed.get(frameworkId) ?? [];
  }

  allCompleted(): MasterTask[] {
    return [...this.#completed.values()].flat();
  }

  /** Forgets a task; one in a terminal state is kept among the framework's completed tasks. */
  remove(frameworkId: string, taskId: string): void {
    const tasks = this.#byFramework.get(frameworkId);
    const task = tasks?.get(taskId);
    tasks?.delete(taskId);
    if (tasks?.size === 0) this.#byFramework.delete(frameworkId);
    if (task && isTerminalState(task.state)) {
      let completed = this.#completed.get(frameworkId);
      if (!completed) this.#completed.set(frameworkId, (completed = []));
      completed.push(task);
      if (completed.length > MAX_COMPLETED_TASKS_PER_FRAMEWORK) completed.shift();
    }
  }

  /** Forgets a removed framework's tasks, completed ones included (memory stays bounded). */
  removeFramework(frameworkId: string): MasterTask[] {
    const tasks = this.forFramework(frameworkId);
    this.#byFramework.delete(frameworkId);
    this.#completed.delete(frameworkId);
    return tasks;
  }

  /**
   * Applies an agent's update to the task's state. A uuid seen before (agent retry) changes
   * nothing; the caller still forwards it, since the scheduler may have missed it.
   */
  apply(frameworkId: string, status: TaskStatus): AppliedUpdate {
    const task = this.get(frameworkId, status.task_id.value);
    if (!task) return { task: undefined, becameTerminal: false, isNew: false };
    if (status.uuid !== undefined) {
      if (task.seenUuids.has(status.uuid)) return { task, becameTerminal: false, isNew: false };
      task.seenUuids.add(status.uuid);
    }
    const wasTerminal = isTerminalState(task.state);
    task.state = status.state;
    task.latest = status;
    task.statuses.push({ state: status.state, timestamp: status.timestamp ?? Date.now() / 1000, status });
    const becameTerminal = !wasTerminal && isTerminalState(status.state);
    if (becameTerminal) this.terminalCounts.set(status.state, (this.terminalCounts.get(status.state) ?? 0) + 1);
    return { task, becameTerminal, isNew: true };
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
