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

/**
 * A task's body. `input` carries the scheduler's messages to this task and is closed to tell it
 * to stop (kill, shutdown, lost scheduler); `output` goes to the scheduler function, each message
 * stamped with this task's id whatever `taskName` it carries. `args` is `[taskId, ...spawnArgs]`
 * (mesosgot's rule), `env` the spawn's env. Resolving means TASK_FINISHED, rejecting TASK_FAILED
 * with the error's message; after a kill either means TASK_KILLED.
 */
export type TaskFunc = (
  input: ReceiveChannel<TaskMsg>,
  output: SendChannel<TaskMsg>,
  args: string[],
  env: Record<string, string>,
) => Promise<void>;

/**
 * A task function of kind K under a typed protocol (`registerTaskFunc(protocol, kind, fn)`):
 * `input` yields what K tasks accept, `output` takes what they send; otherwise as TaskFunc.
 */
export type TypedTaskFunc<S extends ProtocolSpec, K extends KindOf<S>> = (
  input: ReceiveChannel<TaskInMsg<S, K>>,
  output: SendChannel<TaskOutMsg<S, K>>,
  args: string[],
  env: Record<string, string>,
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
}

/**
 * Chooses the function that runs a launched task. The default (TaskRegistry) dispatches on the
 * task kind to the functions registered with `registerTaskFunc`; an application may supply its
 * own. Throwing ends that task as TASK_FAILED with the error's message; nothing else is affected.
 */
export interface AppTaskExecutor {
  /** Returns the function that runs `launch`; called once per launched task. */
  taskFunc(launch: TaskLaunch): TaskFunc;
}

/** `<name>-<index>` → `<name>`: everything before the last `-` (mesosgot's task id rule). */
export function taskKind(taskId: string): string {
  const dash = taskId.lastIndexOf('-');
  return dash <= 0 ? taskId : taskId.slice(0, dash);
}
