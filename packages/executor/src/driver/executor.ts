/**
 * The libmesos `Executor` callbacks (Mesos framework development guide), every one optional.
 * The driver calls them one at a time in stream order; a callback may return a promise, and
 * the next callback waits for it. Data in Mesos' wire shapes (snake_case), as libmesos passes
 * protobufs.
 */
import type { AgentInfo, ExecutorInfo, FrameworkInfo, TaskID, TaskInfo } from '@mesosgot/common/internal';
import type { ExecutorDriver } from './executor-driver.js';

/** What a callback returns: nothing, or a promise the driver waits for before the next callback. */
export type CallbackResult = void | Promise<void>;

/**
 * The libmesos `Executor` callbacks, every one optional, given to MesosExecutorDriver. They are
 * called one at a time in stream order; a returned promise delays the next callback. Arguments
 * are Mesos' wire shapes (snake_case). A callback that throws or rejects is reported to `error`.
 */
export interface Executor {
  /** First SUBSCRIBED of this driver. */
  registered?(driver: ExecutorDriver, executorInfo: ExecutorInfo, frameworkInfo: FrameworkInfo, agentInfo: AgentInfo): CallbackResult;
  /** SUBSCRIBED again after the agent connection was lost and regained (agent restart, docs/protocol.md, "Agent restarts"). */
  reregistered?(driver: ExecutorDriver, agentInfo: AgentInfo): CallbackResult;
  /** The agent connection dropped. With checkpointing the driver is re-subscribing; without, shutdown follows. */
  disconnected?(driver: ExecutorDriver): CallbackResult;
  /** LAUNCH (and each task of a LAUNCH_GROUP, in order): start the task, then send TASK_RUNNING. */
  launchTask?(driver: ExecutorDriver, task: TaskInfo): CallbackResult;
  /** KILL: stop the task, then send a terminal update (usually TASK_KILLED). */
  killTask?(driver: ExecutorDriver, taskId: TaskID): CallbackResult;
  /** MESSAGE from the scheduler: the raw bytes (best effort delivery, docs/protocol.md, "Framework messages"). */
  frameworkMessage?(driver: ExecutorDriver, data: Uint8Array): CallbackResult;
  /**
   * SHUTDOWN from the agent, or the agent gone for good: kill every task (send TASK_KILLED).
   * The driver stops after this returns (or its promise settles), within the grace period.
   */
  shutdown?(driver: ExecutorDriver): CallbackResult;
  /** A malformed or unknown event, an ERROR event, a callback that threw, or a fatal driver error. */
  error?(driver: ExecutorDriver, message: string): CallbackResult;
}
