/**
 * The libmesos `ExecutorDriver` contract, promise-based. MesosExecutorDriver
 * (mesos-executor-driver.ts) implements it over the v1 executor HTTP API.
 */
import type { EventEmitter } from 'eventemitter3';
import type { AgentInfo, ExecutorInfo, FrameworkInfo, TaskID, TaskInfo, TaskStatus } from '@mesosgot/common/internal';
import type { DriverStatus } from './driver-lifecycle.js';

export type { DriverStatus } from './driver-lifecycle.js';

/** The libmesos ExecutorDriver contract. */
export interface ExecutorDriver {
  /** Current libmesos status. */
  readonly driverStatus: DriverStatus;
  /** The callbacks' events minus the driver argument, for extra listeners (emitted just before each callback). */
  readonly events: EventEmitter<ExecutorDriverEvents>;
  /**
   * Subscribes to the agent. Resolves DRIVER_RUNNING at the first SUBSCRIBED (the `registered`
   * callback is then queued; unlike the scheduler driver, which resolves at once, so that calls
   * made after `await start()` cannot meet NotSubscribedError). Rejects with DriverStoppedError
   * when the driver ends first (agent unreachable or refusing, stop/abort), and with
   * InvalidArgumentError when called twice.
   */
  start(): Promise<DriverStatus>;
  /**
   * Flushes (in-flight calls, then acknowledgements of sent updates, bounded by `stopTimeoutMs`),
   * then closes the stream and connections. Resolves with DRIVER_STOPPED once they are gone.
   * Safe to call from a callback: it does not wait for callbacks. Once SHUTDOWN came, the
   * driver's own close flushes the calls only: updates sent then are best effort (no re-subscribe
   * could resend them, and an agent tearing the framework down never acknowledges them).
   */
  stop(): Promise<DriverStatus>;
  /** Like stop() without the flush; resolves with DRIVER_ABORTED. */
  abort(): Promise<DriverStatus>;
  /** Resolves with the final status once the driver has stopped or aborted and released everything. */
  join(): Promise<DriverStatus>;
  /** start() then join(). Resolves with DRIVER_ABORTED (and no rejection) if the agent is never reached. */
  run(): Promise<DriverStatus>;
  /**
   * UPDATE with a fresh uuid, SOURCE_EXECUTOR and this executor's id; kept until ACKNOWLEDGED.
   * Throws InvalidArgumentError synchronously (TASK_STAGING, missing task id). Resolves on the
   * agent's 202; rejects with MesosHttpError when the agent refuses it (then it is forgotten).
   * While re-subscribing (checkpointing) it resolves at once: the update rides on the next
   * SUBSCRIBE; a network failure is treated the same. Otherwise, when not subscribed, rejects with
   * NotSubscribedError.
   */
  sendStatusUpdate(status: TaskStatus): Promise<void>;
  /** MESSAGE to the scheduler. Rejects with NotSubscribedError unless subscribed, MesosHttpError if refused. */
  sendFrameworkMessage(data: Uint8Array | string): Promise<void>;
  /** Resolves once the driver ended, with why: undefined after stop() or SHUTDOWN, the error otherwise. */
  closed(): Promise<Error | undefined>;
}

/** Events on `driver.events`: each callback's arguments without the driver, emitted just before the callback. */
export interface ExecutorDriverEvents {
  /** Before the `registered` callback: the first SUBSCRIBED. */
  registered: [executorInfo: ExecutorInfo, frameworkInfo: FrameworkInfo, agentInfo: AgentInfo];
  /** Before the `reregistered` callback: SUBSCRIBED again after an agent restart. */
  reregistered: [agentInfo: AgentInfo];
  /** Before the `disconnected` callback: the agent connection dropped. */
  disconnected: [];
  /** Before the `launchTask` callback: a task to start. */
  launchTask: [task: TaskInfo];
  /** Before the `killTask` callback: a task to kill. */
  killTask: [taskId: TaskID];
  /** Before the `frameworkMessage` callback: a message from the scheduler. */
  frameworkMessage: [data: Uint8Array];
  /** Before the `shutdown` callback: the agent asked the executor to end. */
  shutdown: [];
  /** Before the `error` callback. */
  error: [message: string];
  /** Not a libmesos callback: an update of ours was ACKNOWLEDGED by the agent (emitted at once). */
  acknowledged: [taskId: TaskID, uuid: string];
}
