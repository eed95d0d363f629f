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

/**
 * The arguments of every Scheduler callback, minus the driver: the event map of the driver's
 * eventemitter3 emitter (`driver.events`) and the unit dispatch produces.
 */
export interface SchedulerCallbackArgs {
  registered: [frameworkId: FrameworkID, masterInfo: MasterInfo];
  reregistered: [masterInfo: MasterInfo];
  disconnected: [];
  resourceOffers: [offers: Offer[]];
  offerRescinded: [offerId: OfferID];
  statusUpdate: [status: TaskStatus];
  frameworkMessage: [executorId: ExecutorID, agentId: AgentID, data: Uint8Array];
  slaveLost: [agentId: AgentID];
  agentLost: [agentId: AgentID];
  executorLost: [executorId: ExecutorID, agentId: AgentID, status: number];
  error: [message: string, cause?: Error];
  inverseOffers: [offers: InverseOffer[]];
  inverseOfferRescinded: [offerId: OfferID];
  operationStatusUpdate: [status: OperationStatus];
}

export type SchedulerCallbackName = keyof SchedulerCallbackArgs;

/** One callback to run: its name and arguments, as a discriminated union on `name`. */
export type SchedulerCallback = {
  [K in SchedulerCallbackName]: { name: K; args: SchedulerCallbackArgs[K] };
}[SchedulerCallbackName];
