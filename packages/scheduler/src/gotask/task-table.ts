/**
 * Every task a GoTaskScheduler declared (`spawnTask`/`spawnTasks`), with where it runs and how
 * far it got. Task ids are `<name>-<index>` (mesosgot's rule); the table is the one place that
 * maps an id to its executor, agent and phase.
 */
import {
  parseResourceMap,
  type ResourceRequest,
  InvalidArgumentError,
  isTerminalState,
  type ResourceMap,
  type TaskStatus,
} from '@mesosgot/common/internal';

/** What `spawnTasks` takes per group. */
export interface SpawnSpec {
  name: string;
  count: number;
  resources: ResourceMap;
  /** Passed to the task function after its id: `args = [taskId, ...args]`. */
  args?: readonly string[];
  env?: Readonly<Record<string, string>>;
  /** Main thread (true) or threads of their own (false) on the executor; default: the kind's choice. */
  inline?: boolean;
}

/**
 * pending: waiting for offers; launching: in an ACCEPT not yet answered; launched: the master
 * took it; running: TASK_RUNNING seen; then one of the terminal phases.
 */
export type TaskPhase = 'pending' | 'launching' | 'launched' | 'running' | 'finished' | 'failed' | 'killed' | 'lost';

export interface TaskEntry {
  readonly id: string;
  readonly name: string;
  readonly index: number;
  readonly request: ResourceRequest;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly inline: boolean | undefined;
  phase: TaskPhase;
  agentId: string | undefined;
  executorId: string | undefined;
  /** Relaunches so far (failure policy `restart`). */
  restarts: number;
  /** Its gang (gang-registry.ts): 0 for tasks declared before run(), then one per spawn during run(). */
  readonly gang: number;
  lastStatus: TaskStatus | undefined;
}

/** Task names become ids and stream keys: no path separators, whitespace or control characters. */
const NAME_PATTERN = /^[^\s/\\\p{Cc}]{1,200}$/u;

export class TaskTable {
  private readonly byId = new Map<string, TaskEntry>();
  private readonly names = new Set<string>();
  /** Next index per task name: a gang spawned during run() continues its name's numbering. */
  private readonly nextIndex = new Map<string, number>();
  /** Callers of whenLaunched(), by task id; bound: one per waiting caller. */
  private readonly launchWaiters = new Map<string, (() => void)[]>();

  /**
   * Declares every group (`count` tasks `<name>-0 … <name>-(count-1)` each), all or none.
   * Throws InvalidArgumentError (and adds nothing) for a bad or repeated name, a count that is
   * not a positive integer, bad resources, args or env.
   */
  addAll(specs: readonly SpawnSpec[], gang = 0, isContinuing = false): TaskEntry[] {
    const batchNames = new Set<string>();
    const added: TaskEntry[] = [];
    for (const spec of specs) {
      if (spec === null || typeof spec !== 'object') throw new InvalidArgumentError('spec', spec, 'must be { name, count, resources }');
      if (batchNames.has(spec.name)) throw new InvalidArgumentError('name', spec.name, 'tasks of this name were already spawned');
      added.push(...this.prepare(spec, gang, isContinuing));
      batchNames.add(spec.name);
    }
    for (const entry of added) {
      this.names.add(entry.name);
      this.byId.set(entry.id, entry);
      this.nextIndex.set(entry.name, Math.max(this.nextIndex.get(entry.name) ?? 0, entry.index + 1));
    }
    return added;
  }

  /**
   * A task a predecessor spawned during its run() and the master still runs (failover,
   * gang-discovery.ts): added as it was, pending until reconciliation adopts it. Its name's
   * numbering continues after the highest index seen. Returns undefined (and adds nothing) when
   * the id is already declared.
   */
  adopt(task: Omit<TaskEntry, 'phase' | 'agentId' | 'executorId' | 'restarts' | 'lastStatus'>): TaskEntry | undefined {
    if (this.byId.has(task.id)) return undefined;
    const entry: TaskEntry = { ...task, phase: 'pending', agentId: undefined, executorId: undefined, restarts: 0, lastStatus: undefined };
    this.byId.set(entry.id, entry);
    this.names.add(entry.name);
    this.nextIndex.set(entry.name, Math.max(this.nextIndex.get(entry.name) ?? 0, entry.index + 1));
    return entry;
  }

  /** A task that never launched is dropped from its gang (kill): it ends as killed. */
  killPending(entry: TaskEntry): void {
    if (entry.phase !== 'pending') return;
    entry.phase = 'killed';
    this.wakeAll(entry.id);
  }

  /**
   * `isContinuing` (a gang spawned during run()): a name already used gets ids after its last
   * one (`worker-8` after `worker-7`) instead of being refused.
   */
  private prepare(spec: SpawnSpec, gang: number, isContinuing: boolean): TaskEntry[] {
    const { name, count } = spec;
    if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
      throw new InvalidArgumentError('name', name, 'a task name is 1–200 characters without whitespace, "/" or "\\"');
    }
    if (this.names.has(name) && !isContinuing) throw new InvalidArgumentError('name', name, 'tasks of this name were already spawned');
    if (!Number.isSafeInteger(count) || count < 1) throw new InvalidArgumentError(`${name}.count`, count, 'must be a positive integer');
    const request = parseResourceMap(spec.resources, `${name}.resources`);
    if (request.resources.length === 0 && Object.keys(request.rangeCounts).length === 0) {
      throw new InvalidArgumentError(`${name}.resources`, spec.resources, 'a task needs some resources (Mesos refuses empty ones)');
    }
    const args = spec.args ?? [];
    if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) throw new InvalidArgumentError(`${name}.args`, args, 'must be an array of strings');
    const env = spec.env ?? {};
    if (env === null || typeof env !== 'object' || Array.isArray(env) || !Object.values(env).every((v) => typeof v === 'string')) {
      throw new InvalidArgumentError(`${name}.env`, env, 'must map names to strings');
    }
    if (spec.inline !== undefined && typeof spec.inline !== 'boolean') throw new InvalidArgumentError(`${name}.inline`, spec.inline, 'must be a boolean');
    const frozenArgs = Object.freeze([...args]);
    const frozenEnv = Object.freeze({ ...env });
    const out: TaskEntry[] = [];
    const first = this.nextIndex.get(name) ?? 0;
    for (let index = first; index < first + count; index++) {
      const id = `${name}-${index}`;
      // `a-1` with index 0 and `a` with index 10 differ, but `a-1`+`0` vs `a`+… never collide
      // in practice; a clash would make two tasks share a stream, so it is refused.
      if (this.byId.has(id)) throw new InvalidArgumentError('name', name, `task id ${id} clashes with another spawn's task`);
      out.push({ id, name, index, request, args: frozenArgs, env: frozenEnv, inline: spec.inline, phase: 'pending', agentId: undefined, executorId: undefined, restarts: 0, lastStatus: undefined, gang });
    }
    return out;
  }

  get(id: string): TaskEntry | undefined {
    return this.byId.get(id);
  }

  get size(): number {
    return this.byId.size;
  }

  all(): IterableIterator<TaskEntry> {
    return this.byId.values();
  }

  pending(): TaskEntry[] {
    return [...this.byId.values()].filter((t) => t.phase === 'pending');
  }

  /** Tasks not yet in a terminal phase. */
  live(): TaskEntry[] {
    return [...this.byId.values()].filter((t) => !isTerminalPhase(t.phase));
  }

  /** The master took the task: wake whoever waits to message it. */
  markLaunched(entry: TaskEntry, agentId: string, executorId: string): void {
    // A status update may have overtaken the ACCEPT's answer: never move a task backwards.
    if (entry.phase === 'launching' || entry.phase === 'pending') entry.phase = 'launched';
    entry.agentId = agentId;
    entry.executorId = executorId;
    const waiters = this.launchWaiters.get(entry.id);
    this.launchWaiters.delete(entry.id);
    for (const wake of waiters ?? []) wake();
  }

  /** Applies a status update; returns the entry (undefined for an id we never declared). */
  applyStatus(status: TaskStatus): TaskEntry | undefined {
    const entry = this.byId.get(status.task_id.value);
    if (entry === undefined) return undefined;
    entry.lastStatus = status;
    if (status.agent_id !== undefined) entry.agentId = status.agent_id.value;
    switch (status.state) {
      case 'TASK_RUNNING':
        entry.phase = 'running';
        break;
      case 'TASK_FINISHED':
        entry.phase = 'finished';
        break;
      case 'TASK_FAILED':
      case 'TASK_ERROR':
        entry.phase = 'failed';
        break;
      case 'TASK_KILLED':
        entry.phase = 'killed';
        break;
      default:
        if (isTerminalState(status.state)) entry.phase = 'lost';
        else if (status.state === 'TASK_UNREACHABLE' || status.state === 'TASK_UNKNOWN') entry.phase = 'lost';
    }
    if (isTerminalPhase(entry.phase)) this.wakeAll(entry.id);
    return entry;
  }

  /**
   * Resolves once the task is launched (or ends without ever launching, or `signal` aborts:
   * the caller re-checks the phase). Used to hold messages for a task not launched yet.
   */
  whenLaunched(entry: TaskEntry, signal: AbortSignal): Promise<void> {
    if (entry.phase !== 'pending' && entry.phase !== 'launching') return Promise.resolve();
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        const list = this.launchWaiters.get(entry.id);
        if (list) this.launchWaiters.set(entry.id, list.filter((w) => w !== wake));
        resolve();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      let list = this.launchWaiters.get(entry.id);
      if (list === undefined) this.launchWaiters.set(entry.id, (list = []));
      list.push(wake);
    });
  }

  private wakeAll(id: string): void {
    const waiters = this.launchWaiters.get(id);
    this.launchWaiters.delete(id);
    for (const wake of waiters ?? []) wake();
  }
}

export function isTerminalPhase(phase: TaskPhase): boolean {
  return phase === 'finished' || phase === 'failed' || phase === 'killed' || phase === 'lost';
}
