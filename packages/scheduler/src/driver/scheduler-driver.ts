/**
 * The driver contract: libmesos' `SchedulerDriver`, promise-based. MesosSchedulerDriver
 * (mesos-scheduler-driver.ts) implements it over the v1 HTTP API.
 */
import type {
  AgentID,
  ExecutorID,
  Filters,
  KillPolicy,
  OfferID,
  OfferOperation,
  TaskInfo,
  TaskStatus,
} from '@mesosgot/common/internal';
import type { EventEmitter } from 'eventemitter3';
import type { ReconcileTask } from '../calls/reconcile.js';
import type { ResourceRequest } from '../calls/request.js';
import type { SchedulerCallbackArgs } from '../events/scheduler-callback.js';
import type { ConnectionStatus } from './status-stream.js';

/** libmesos' driver status. Terminal: ABORTED and STOPPED. */
export type DriverStatus = 'DRIVER_NOT_STARTED' | 'DRIVER_RUNNING' | 'DRIVER_ABORTED' | 'DRIVER_STOPPED';

/**
 * Every call method: resolves with the driver status once the master accepted the call (202,
 * which means queued, not done, docs/protocol.md, "Scheduler endpoint answers"). When the driver is not running it sends nothing and
 * resolves with the current status (libmesos semantics). Rejects with NotSubscribedError at once
 * while disconnected, with MesosHttpError when the master refuses the call, with
 * InvalidArgumentError (thrown synchronously, before I/O) for malformed arguments.
 */
export interface SchedulerDriver {
  /** Current status. */
  readonly driverStatus: DriverStatus;
  /** The same callbacks as the Scheduler, minus the driver argument, for extra listeners. */
  readonly events: EventEmitter<SchedulerCallbackArgs>;

  /** Starts subscribing in the background; resolves DRIVER_RUNNING at once (or the status if not NOT_STARTED). */
  start(): Promise<DriverStatus>;
  /**
   * Flushes queued calls, then: failover=false sends TEARDOWN (the master kills all tasks, docs/protocol.md, "Teardown and shutdown");
   * failover=true just closes the stream, leaving tasks running for failover_timeout so another
   * driver with the same framework id can take over. Resolves DRIVER_STOPPED once sockets and
   * timers are gone. Rejects only if TEARDOWN itself is refused (the driver is stopped anyway).
   * While disconnected no TEARDOWN can be sent (it needs a stream id, docs/protocol.md, "Stream id"): the master then
   * removes the framework when its failover_timeout expires (docs/protocol.md, "Failover timeout").
   */
  stop(failover?: boolean): Promise<DriverStatus>;
  /** Stops at once without flushing or TEARDOWN; resolves DRIVER_ABORTED when sockets are gone. */
  abort(): Promise<DriverStatus>;
  /** Resolves with the terminal status once the driver stopped or aborted. Never rejects. */
  join(): Promise<DriverStatus>;
  /** start() then join(). */
  run(): Promise<DriverStatus>;

  /** REQUEST resources; Mesos' default allocator ignores it. */
  requestResources(requests: readonly ResourceRequest[]): Promise<DriverStatus>;
  /**
   * ACCEPT `offerIds` with one LAUNCH of `tasks`; resources the tasks do not use are declined
   * with `filters` (default refuse_seconds 5). An empty `tasks` declines the offers.
   */
  launchTasks(offerIds: readonly OfferID[], tasks: readonly TaskInfo[], filters?: Filters): Promise<DriverStatus>;
  /** KILL a task; the outcome arrives as a status update (TASK_KILLED, or TASK_LOST for an unknown task). */
  killTask(taskId: TaskInfo['task_id'], agentId?: AgentID, killPolicy?: KillPolicy): Promise<DriverStatus>;
  /** ACCEPT `offerIds` with the given operations; unused resources are declined with `filters`. */
  acceptOffers(offerIds: readonly OfferID[], operations: readonly OfferOperation[], filters?: Filters): Promise<DriverStatus>;
  /** DECLINE one offer; `filters.refuse_seconds` (default 5) keeps its resources away that long. */
  declineOffer(offerId: OfferID, filters?: Filters): Promise<DriverStatus>;
  /** REVIVE for the given roles (all when omitted). */
  reviveOffers(roles?: readonly string[]): Promise<DriverStatus>;
  /** SUPPRESS for the given roles (all when omitted). */
  suppressOffers(roles?: readonly string[]): Promise<DriverStatus>;
  /** ACKNOWLEDGE; only with `implicitAcknowledgements: false`. Updates without uuid are refused (InvalidArgumentError). */
  acknowledgeStatusUpdate(status: TaskStatus): Promise<DriverStatus>;
  /** MESSAGE to an executor: best effort, at most once; `data` is bytes or UTF-8 text. */
  sendFrameworkMessage(executorId: ExecutorID, agentId: AgentID, data: Uint8Array | string): Promise<DriverStatus>;
  /** RECONCILE: empty list = implicit (all tasks the master knows), docs/protocol.md, "Reconciliation". */
  reconcileTasks(statuses: readonly ReconcileTask[]): Promise<DriverStatus>;
  /** SHUTDOWN one executor (v1 only). */
  shutdownExecutor(executorId: ExecutorID, agentId: AgentID): Promise<DriverStatus>;

  /**
   * Connection status changes as an async iterable (one consumer per call). Ends after the
   * `stopped` entry; `break` or `signal` unsubscribes.
   */
  status(options?: { signal?: AbortSignal }): AsyncIterable<ConnectionStatus>;
  /** Resolves once the driver stopped or aborted, with the error that ended it (undefined for stop()). */
  closed(): Promise<Error | undefined>;
}
