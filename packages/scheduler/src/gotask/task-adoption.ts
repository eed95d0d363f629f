/**
 * Scheduler failover (`--framework-id`, docs/protocol.md, "Subscribing", "Reconciliation"): a new scheduler
 * process subscribes with the id of a framework whose previous scheduler went away without
 * TEARDOWN, within its failover_timeout, so its tasks may still run. Before anything is
 * launched the master is asked, by explicit reconciliation, about every declared task; each
 * answer decides the task's fate:
 *
 * - still alive (STAGING, STARTING, RUNNING, KILLING): **adopted**. The task is not launched
 *   again; it is marked launched on the agent and executor the master names, its executor's
 *   link is opened (the executor's link sees a new peer session and carries on with it), and
 *   the answer goes through the normal status path, so the scheduler function sees
 *   `TaskRunning` (its `status.reason` is REASON_RECONCILIATION) for each adopted running task.
 * - ended while we were away (FINISHED, FAILED, KILLED, ERROR): the answer goes through the
 *   normal status path too — the function sees TaskFinished/TaskFailed/TaskKilled and the
 *   failure policy applies; such a task is not launched again unless the policy says so.
 * - unknown to the master (LOST, GONE, UNKNOWN, DROPPED with REASON_RECONCILIATION): the task
 *   is launched as a new one; the function sees TaskLaunched, TaskRunning… as on a first run.
 *
 * The function therefore sees `Reregistered` (the master answers a SUBSCRIBE that names a
 * framework id as a re-registration, like libmesos) with that id, and then one event per
 * declared task saying where it stands. Messages the old scheduler process had sent and the
 * tasks had not acknowledged died with it; messages the tasks sent and the old process did not
 * acknowledge are resent to the new one. Launches wait (GangLauncher.hold) until every task is
 * answered; a reconciliation cut short by a disconnection is asked again on re-subscribe.
 */
import type { TaskStatus } from '@mesosgot/common/internal';
import type { SchedulerDriver } from '../driver/scheduler-driver.js';
import { executorIdFor } from './launch-builder.js';
import type { TaskTable } from './task-table.js';

export interface TaskAdoptionOptions {
  table: TaskTable;
  frameworkName: string;
  /** An alive task was found on `executorId` at `agentId`: open its link, keep the executor. */
  adopt: (taskId: string, agentId: string, executorId: string) => void;
  /** Every task is answered: launches may go. */
  onSettled: () => void;
  onError: (error: Error) => void;
}

export class TaskAdoption {
  /** Task ids not answered yet; written by start() and onStatus(). */
  private readonly unanswered = new Set<string>();
  private isSettled = false;

  constructor(private readonly options: TaskAdoptionOptions) {
    for (const entry of options.table.all()) this.unanswered.add(entry.id);
  }

  /** Still waiting for answers (launches are held). */
  get isPending(): boolean {
    return !this.isSettled;
  }

  /** Also asks about `taskIds` (tasks of runtime gangs found by gang-discovery.ts); before ask() only. */
  include(taskIds: readonly string[]): void {
    if (this.isSettled) return;
    for (const id of taskIds) this.unanswered.add(id);
  }

  /** (Re-)subscribed: asks the master about every task not answered yet. */
  ask(driver: SchedulerDriver): void {
    if (this.isSettled) return;
    if (this.unanswered.size === 0) return this.settle();
    const tasks = [...this.unanswered].map((id) => ({ task_id: { value: id } }));
    driver.reconcileTasks(tasks).catch((error: unknown) => this.options.onError(error as Error));
  }

  /**
   * A status update while waiting. Returns true if it was an answer for an unknown task
   * (consumed here: the task stays pending and is launched anew); false if the caller must
   * process it as usual (an adopted task's answer, a terminal state, or no answer at all).
   */
  onStatus(status: TaskStatus): boolean {
    const id = status.task_id.value;
    if (this.isSettled || status.reason !== 'REASON_RECONCILIATION' || !this.unanswered.has(id)) return false;
    this.unanswered.delete(id);
    const entry = this.options.table.get(id);
    let isConsumed = false;
    if (entry !== undefined && isAlive(status) && status.agent_id !== undefined) {
      const agentId = status.agent_id.value;
      // Mesos names the executor of a task it knows; ours are per agent, generation 0 first.
      const executorId = status.executor_id?.value ?? executorIdFor(this.options.frameworkName, agentId, 0);
      this.options.adopt(id, agentId, executorId);
    } else if (isUnknown(status)) {
      isConsumed = true;
    }
    if (this.unanswered.size === 0) queueMicrotask(() => this.settle());
    return isConsumed;
  }

  private settle(): void {
    if (this.isSettled) return;
    this.isSettled = true;
    this.options.onSettled();
  }
}

function isAlive(status: TaskStatus): boolean {
  switch (status.state) {
    case 'TASK_STAGING':
    case 'TASK_STARTING':
    case 'TASK_RUNNING':
    case 'TASK_KILLING':
      return true;
    default:
      return false;
  }
}

/** The master's "I do not know this task" answers (docs/protocol.md, "Reconciliation"). */
function isUnknown(status: TaskStatus): boolean {
  switch (status.state) {
    case 'TASK_LOST':
    case 'TASK_GONE':
    case 'TASK_UNKNOWN':
    case 'TASK_DROPPED':
    case 'TASK_UNREACHABLE':
      return true;
    default:
      return false;
  }
}
