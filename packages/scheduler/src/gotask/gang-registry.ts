/**
 * The gangs of a run: the tasks declared before run() are gang 0; every spawnTask/spawnTasks
 * during run() declares a new gang, allocated all or nothing on its own (gang-launcher.ts plans
 * each gang separately against the held offers). A gang's promise resolves once each of its tasks
 * was RUNNING, and rejects if one of them ends first, the gang is killed, or the system stops.
 */
import { StoppedError, TaskError } from '@mesosgot/common/internal';
import { isTerminalPhase, type TaskEntry } from './task-table.js';

/**
 * What a failed task does: `stop` ends the whole system, `restart` relaunches it (up to
 * `--max-restarts`), `isolate` ends its gang alone (its other tasks are killed; the others go on).
 */
export type GangFailurePolicy = 'stop' | 'restart' | 'isolate';

/** What a gang's promise resolves with. */
export interface GangInfo {
  /** 0 for the tasks declared before run(), then 1, 2, … in spawn order. */
  readonly gang: number;
  /** Its task ids, `<name>-<index>`, numbering continuing each name's. */
  readonly taskIds: readonly string[];
}

interface Gang extends GangInfo {
  /** Overrides `--task-failure-policy` for this gang; undefined = the configured policy. */
  policy: GangFailurePolicy | undefined;
  /** Tasks seen RUNNING at least once. */
  readonly running: Set<string>;
  /** True once the promise settled (all RUNNING, or rejected). */
  settled: boolean;
  /** True once the gang ended on its own (isolate, kill): its failures no longer stop anything. */
  ended: boolean;
  readonly promise: Promise<GangInfo>;
  resolve: (info: GangInfo) => void;
  reject: (error: Error) => void;
}

export class GangRegistry {
  /** Every gang of the run, by id; bound: the spawn calls made. */
  private readonly gangs = new Map<number, Gang>();
  private nextId = 0;

  /** Gangs declared so far (including an empty gang 0). */
  get size(): number {
    return this.gangs.size;
  }

  /**
   * Registers a gang of `entries` (already in the task table, `entry.gang` set to `id`) and
   * returns its promise. The promise is marked handled: a caller that never awaits it does not
   * turn a rejection into an unhandled-rejection crash.
   */
  add(entries: readonly TaskEntry[], policy: GangFailurePolicy | undefined): Promise<GangInfo> {
    const id = entries[0]?.gang ?? this.nextId;
    let resolve!: (info: GangInfo) => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<GangInfo>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.catch(() => undefined);
    const gang: Gang = { gang: id, taskIds: entries.map((e) => e.id), policy, running: new Set(), settled: false, ended: false, promise, resolve, reject };
    this.gangs.set(id, gang);
    this.nextId = Math.max(this.nextId, id + 1);
    return promise;
  }

  /** The id the next gang gets. */
  peekNextId(): number {
    return this.nextId;
  }

  /** Adds tasks to an existing gang (gang 0 grows with each spawn before run()). */
  extend(id: number, entries: readonly TaskEntry[], policy: GangFailurePolicy | undefined): Promise<GangInfo> {
    const gang = this.gangs.get(id);
    if (gang === undefined) return this.add(entries, policy);
    (gang.taskIds as string[]).push(...entries.map((e) => e.id));
    if (policy !== undefined) gang.policy = policy;
    return gang.promise;
  }

  policyOf(entry: TaskEntry): GangFailurePolicy | undefined {
    return this.gangs.get(entry.gang)?.policy;
  }

  info(id: number): GangInfo | undefined {
    const gang = this.gangs.get(id);
    return gang === undefined ? undefined : { gang: gang.gang, taskIds: [...gang.taskIds] };
  }

  /** True when `entry`'s gang was ended on purpose (killed or isolated): its ends are expected. */
  isEnded(entry: TaskEntry): boolean {
    return this.gangs.get(entry.gang)?.ended === true;
  }

  /** Task ids of gang `id` (empty for an unknown gang). */
  taskIdsOf(id: number): readonly string[] {
    return this.gangs.get(id)?.taskIds ?? [];
  }

  /** A task of the gang is RUNNING: resolves the gang's promise when it was the last one. */
  running(entry: TaskEntry): void {
    const gang = this.gangs.get(entry.gang);
    if (gang === undefined || gang.settled) return;
    gang.running.add(entry.id);
    if (gang.running.size === gang.taskIds.length) {
      gang.settled = true;
      gang.resolve({ gang: gang.gang, taskIds: [...gang.taskIds] });
    }
  }

  /** A task of the gang ended before its gang was all RUNNING (and will not be relaunched). */
  endedEarly(entry: TaskEntry, reason: string): void {
    const gang = this.gangs.get(entry.gang);
    if (gang === undefined || gang.settled) return;
    gang.settled = true;
    gang.reject(new TaskError(entry.id, `gang ${entry.gang} did not start: ${reason}`));
  }

  /** Rejects the gang's promise (if still waiting) and marks it ended. */
  fail(id: number, error: Error): void {
    const gang = this.gangs.get(id);
    if (gang === undefined) return;
    gang.ended = true;
    if (gang.settled) return;
    gang.settled = true;
    gang.reject(error);
  }

  /** The system stops: every gang still waiting rejects with StoppedError. */
  stopAll(reason: string): void {
    for (const gang of this.gangs.values()) {
      if (gang.settled) continue;
      gang.settled = true;
      gang.reject(new StoppedError(`gang ${gang.gang} did not start: ${reason}`));
    }
  }

  /** Live tasks of gang `id` according to `lookup`. */
  liveTasks(id: number, lookup: (taskId: string) => TaskEntry | undefined): TaskEntry[] {
    const out: TaskEntry[] = [];
    for (const taskId of this.taskIdsOf(id)) {
      const e = lookup(taskId);
      if (e !== undefined && !isTerminalPhase(e.phase)) out.push(e);
    }
    return out;
  }
}
