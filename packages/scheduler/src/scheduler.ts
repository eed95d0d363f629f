/**
 * The framework's side of the driver: libmesos' `Scheduler` callbacks, in TypeScript names.
 * Every method is optional. The driver calls them one at a time, in stream order; when one
 * returns a promise the next waits for it to settle (backpressure on the event stream).
 */
import type {
  AgentID,
  ExecutorID,
  FrameworkID,
  InverseOffer,
  MasterInfo,
  Offer,
  OfferID,
  OperationStatus,
  TaskStatus,
} from '@mesosgot/common/internal';
import type { SchedulerDriver } from './driver/scheduler-driver.js';

type Result = void | Promise<void>;

/**
 * libmesos' `Scheduler` callbacks, every one optional, given to MesosSchedulerDriver. They are
 * called one at a time in stream order; a returned promise delays the next callback (and,
 * with implicit acknowledgements, the acknowledgement of the update being handled). Arguments
 * are Mesos' wire shapes (snake_case).
 */
export interface Scheduler {
  /** First SUBSCRIBED of this driver without a framework id given (a new framework). */
  registered?(driver: SchedulerDriver, frameworkId: FrameworkID, masterInfo: MasterInfo): Result;
  /** SUBSCRIBED after a disconnection, or the first SUBSCRIBED of a driver started with `frameworkInfo.id` (failover). */
  reregistered?(driver: SchedulerDriver, masterInfo: MasterInfo): Result;
  /** The subscription was lost (EOF, socket error, heartbeat silence, ERROR); the driver re-subscribes by itself. */
  disconnected?(driver: SchedulerDriver): Result;
  /** OFFERS: one event may carry offers from many agents (docs/protocol.md, "Scheduler events"). */
  resourceOffers?(driver: SchedulerDriver, offers: Offer[]): Result;
  /** RESCIND: the offer is dead; accepting or declining it is invalid. */
  offerRescinded?(driver: SchedulerDriver, offerId: OfferID): Result;
  /** UPDATE. With implicit acknowledgements the driver ACKs after this settles (docs/protocol.md, "Acknowledgements"). */
  statusUpdate?(driver: SchedulerDriver, status: TaskStatus): Result;
  /** MESSAGE from an executor (best effort, docs/protocol.md, "Framework messages"); `data` is the raw bytes. */
  frameworkMessage?(driver: SchedulerDriver, executorId: ExecutorID, agentId: AgentID, data: Uint8Array): Result;
  /** FAILURE without executor_id: the agent is gone (libmesos' name). */
  slaveLost?(driver: SchedulerDriver, agentId: AgentID): Result;
  /** Alias of slaveLost, called after it with the same argument. */
  agentLost?(driver: SchedulerDriver, agentId: AgentID): Result;
  /**
   * FAILURE with executor_id: the executor exited. `status` is the raw POSIX wait status
   * (exit code = (status >> 8) & 0xff), -1 when unknown (docs/protocol.md, "Scheduler events").
   */
  executorLost?(driver: SchedulerDriver, executorId: ExecutorID, agentId: AgentID, status: number): Result;
  /**
   * An ERROR event, a subscription the master refused, or a malformed stream. `cause` is the
   * typed error when there is one (MesosHttpError, ProtocolError). When the error is fatal the
   * driver is already aborted when this runs; otherwise it re-subscribes afterwards.
   */
  error?(driver: SchedulerDriver, message: string, cause?: Error): Result;
  /** INVERSE_OFFERS (maintenance); not part of libmesos' original interface. */
  inverseOffers?(driver: SchedulerDriver, offers: InverseOffer[]): Result;
  /** RESCIND_INVERSE_OFFER. */
  inverseOfferRescinded?(driver: SchedulerDriver, offerId: OfferID): Result;
  /** UPDATE_OPERATION_STATUS (operations with an id, docs/protocol.md, "Scheduler events"). Never acknowledged by the driver. */
  operationStatusUpdate?(driver: SchedulerDriver, status: OperationStatus): Result;
}
