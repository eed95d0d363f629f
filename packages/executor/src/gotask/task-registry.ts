/**
 * The default AppTaskExecutor: task functions registered by kind, a task dispatched by the
 * kind in its id (`floor-3` → `floor`).
 */
import { InvalidArgumentError, TaskError } from '@mesosgot/common/internal';
import type { AppTaskExecutor, TaskFunc, TaskFuncOptions, TaskLaunch } from './task-func.js';

export class TaskRegistry implements AppTaskExecutor {
  /** Written by `register` only, before the executor runs. */
  readonly #funcs = new Map<string, TaskFunc>();
  /** Written by `register` only, beside #funcs. */
  readonly #options = new Map<string, TaskFuncOptions>();

  /**
   * Registers `fn` for tasks whose id is `<kind>-<index>`. Throws InvalidArgumentError for an
   * empty kind, a non-function, bad options, or a kind registered twice.
   */
  register(kind: string, fn: TaskFunc, options: TaskFuncOptions = {}): void {
    if (typeof kind !== 'string' || kind.length === 0) throw new InvalidArgumentError('kind', kind, 'must be a non-empty string');
    if (typeof fn !== 'function') throw new InvalidArgumentError(`task function of "${kind}"`, fn, 'must be a function');
    if (this.#funcs.has(kind)) throw new InvalidArgumentError('kind', kind, 'already has a task function');
    if (options === null || typeof options !== 'object') throw new InvalidArgumentError(`options of "${kind}"`, options, 'must be { inline?: boolean }');
    if (options.inline !== undefined && typeof options.inline !== 'boolean') throw new InvalidArgumentError(`options of "${kind}".inline`, options.inline, 'must be a boolean');
    this.#funcs.set(kind, fn);
    this.#options.set(kind, { ...options });
  }

  /** The spawn's `inline` if it gave one, else the kind's registered option, else false (a thread). */
  isInline(launch: TaskLaunch): boolean {
    return launch.inline ?? this.#options.get(launch.kind)?.inline ?? false;
  }

  /** Registered kinds, in registration order. */
  kinds(): string[] {
    return [...this.#funcs.keys()];
  }

  get size(): number {
    return this.#funcs.size;
  }

  /** Throws TaskError naming the kind and every registered one when none matches. */
  taskFunc(launch: TaskLaunch): TaskFunc {
    const fn = this.#funcs.get(launch.kind);
    if (fn !== undefined) return fn;
    const known = this.kinds().map((k) => JSON.stringify(k)).join(', ') || 'none';
    throw new TaskError(launch.taskId, `no task function registered for kind ${JSON.stringify(launch.kind)} (registered: ${known})`);
  }
}
