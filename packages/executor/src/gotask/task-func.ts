/**
 * What an application gives a GoTaskExecutor: one async task function per task kind
 * (docs/design.md, "Public API"), or a whole AppTaskExecutor that picks them itself.
 */
import type {
  KindOf,
  ProtocolSpec,
  ReceiveChannel,
  SendChannel,
  TaskInfo,
  TaskInMsg,
  TaskMsg,
  TaskOutMsg,
} from '@mesosgot/common/internal';
import type { TaskContext } from './task-context.js';

/**
 * A task's body. `input` carries the scheduler's messages to this task and is closed to tell it
 * to stop (kill, shutdown, lost scheduler); `output` goes to the scheduler function, each message
 * stamped with this task's id whatever `taskName` it carries. `args` is `[taskId, ...spawnArgs]`
 * (mesosgot's rule), `env` the spawn's env plus the assigned ports (PORT0 …, PORTS), `context`
 * what the task was given (resources, agent, host). Resolving means TASK_FINISHED, rejecting
 * TASK_FAILED with the error's message; after a kill either means TASK_KILLED.
 *
 * By default the function runs on a worker thread of its own (task-thread.ts): it must not rely
 * on closures or state of the executor's main thread, only on what it is passed and the module
 * it is defined in, which the thread loads again.
 */
export type TaskFunc = (
  input: ReceiveChannel<TaskMsg>,
  output: SendChannel<TaskMsg>,
  args: string[],
  env: Record<string, string>,
  context: TaskContext,
) => Promise<void>;

/** How a task kind runs, given at registerTaskFunc (a spawn's `inline` overrides it). */
export interface TaskFuncOptions {
  /**
   * Run on the executor's main thread instead of a worker thread of its own. Wins for light,
   * message-heavy tasks (no thread to start, no hop between threads); loses as soon as the task
   * computes, because it then stalls every other task's messages. Default false.
   */
  inline?: boolean;
}

/**
 * A task function of kind K under a typed protocol (`registerTaskFunc(protocol, kind, fn)`):
 * `input` yields what K tasks accept, `output` takes what they send; otherwise as TaskFunc.
 */
export type TypedTaskFunc<S extends ProtocolSpec, K extends KindOf<S>> = (
  input: ReceiveChannel<TaskInMsg<S, K>>,
  output: SendChannel<TaskOutMsg<S, K>>,
  args: string[],
  env: Record<string, string>,
  context: TaskContext,
) => Promise<void>;

/** mesosgot's AppTask form: an object whose `run` is the task function. */
export interface AppTask {
  /** The task function. */
  run: TaskFunc;
}

/** One launched task, as an AppTaskExecutor sees it. */
export interface TaskLaunch {
  /** TaskInfo.task_id.value, `<kind>-<index>`. */
  readonly taskId: string;
  /** The part of the task id before its last `-` (the whole id when it has none). */
  readonly kind: string;
  /** `[taskId, ...spec.args]`, as the task function gets them. */
  readonly args: string[];
  /** The spawn's environment, as the task function gets it. */
  readonly env: Record<string, string>;
  /** The TaskInfo Mesos delivered in LAUNCH. */
  readonly task: TaskInfo;
  /** The spawn's choice (`spawnTask(..., { inline })`), undefined when it made none. */
  readonly inline?: boolean;
}

/**
 * Chooses the function that runs a launched task. The default (TaskRegistry) dispatches on the
 * task kind to the functions registered with `registerTaskFunc`; an application may supply its
 * own. Throwing ends that task as TASK_FAILED with the error's message; nothing else is affected.
 */
export interface AppTaskExecutor {
  /** Returns the function that runs `launch`; called once per launched task. */
  taskFunc(launch: TaskLaunch): TaskFunc;
  /**
   * Whether this launch runs on the main thread (see TaskFuncOptions.inline). Absent: the spawn's
   * choice, else a worker thread. Asked on the main thread only.
   */
  isInline?(launch: TaskLaunch): boolean;
}

/** `<name>-<index>` → `<name>`: everything before the last `-` (mesosgot's task id rule). */
export function taskKind(taskId: string): string {
  const dash = taskId.lastIndexOf('-');
  return dash <= 0 ? taskId : taskId.slice(0, dash);
}
