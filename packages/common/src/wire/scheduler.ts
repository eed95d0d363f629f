/**
 * v1 scheduler API envelopes (docs/protocol.md, "Scheduler calls"), as discriminated unions on `type`.
 */
import type {
  AgentID,
  Base64,
  ExecutorID,
  Filters,
  FrameworkID,
  FrameworkInfo,
  KillPolicy,
  MasterInfo,
  Offer,
  OfferID,
  OfferOperation,
  OperationID,
  OperationStatus,
  Resource,
  ResourceProviderID,
  TaskID,
  TaskStatus,
} from './mesos.js';

// ---- Calls (client → master) -----------------------------------------------

/** The payload of a scheduler SUBSCRIBE call. */
export interface SubscribePayload {
  framework_info: FrameworkInfo;
  suppressed_roles?: string[];
  offer_constraints?: Record<string, unknown>;
}

interface CallBase {
  framework_id?: FrameworkID;
}

/** A call of the v1 scheduler API, discriminated on `type` (docs/protocol.md, "Scheduler calls"). */
export type SchedulerCall =
  | (CallBase & { type: 'SUBSCRIBE'; subscribe: SubscribePayload })
  | (CallBase & { type: 'TEARDOWN' })
  | (CallBase & { type: 'ACCEPT'; accept: { offer_ids: OfferID[]; operations?: OfferOperation[]; filters?: Filters } })
  | (CallBase & { type: 'DECLINE'; decline: { offer_ids: OfferID[]; filters?: Filters } })
  | (CallBase & { type: 'ACCEPT_INVERSE_OFFERS'; accept_inverse_offers: { inverse_offer_ids: OfferID[]; filters?: Filters } })
  | (CallBase & { type: 'DECLINE_INVERSE_OFFERS'; decline_inverse_offers: { inverse_offer_ids: OfferID[]; filters?: Filters } })
  | (CallBase & { type: 'REVIVE'; revive?: { roles?: string[] } })
  | (CallBase & { type: 'SUPPRESS'; suppress?: { roles?: string[] } })
  | (CallBase & { type: 'KILL'; kill: { task_id: TaskID; agent_id?: AgentID; kill_policy?: KillPolicy } })
  | (CallBase & { type: 'SHUTDOWN'; shutdown: { executor_id: ExecutorID; agent_id: AgentID } })
  | (CallBase & { type: 'ACKNOWLEDGE'; acknowledge: { agent_id: AgentID; task_id: TaskID; uuid: Base64 } })
  | (CallBase & {
      type: 'ACKNOWLEDGE_OPERATION_STATUS';
      acknowledge_operation_status: {
        agent_id: AgentID;
        resource_provider_id?: ResourceProviderID;
        uuid: Base64;
        operation_id: OperationID;
      };
    })
  | (CallBase & { type: 'RECONCILE'; reconcile: { tasks?: { task_id: TaskID; agent_id?: AgentID }[] } })
  | (CallBase & {
      type: 'RECONCILE_OPERATIONS';
      reconcile_operations: { operations?: { operation_id: OperationID; agent_id?: AgentID }[] };
    })
  | (CallBase & { type: 'MESSAGE'; message: { agent_id: AgentID; executor_id: ExecutorID; data: Base64 } })
  | (CallBase & { type: 'REQUEST'; request: { requests?: { agent_id?: AgentID; resources?: Resource[] }[] } })
  | (CallBase & { type: 'UPDATE_FRAMEWORK'; update_framework: SubscribePayload });

/** The `type` of a SchedulerCall. */
export type SchedulerCallType = SchedulerCall['type'];

/** Every SchedulerCallType. */
export const SCHEDULER_CALL_TYPES: readonly SchedulerCallType[] = [
  'SUBSCRIBE',
  'TEARDOWN',
  'ACCEPT',
  'DECLINE',
  'ACCEPT_INVERSE_OFFERS',
  'DECLINE_INVERSE_OFFERS',
  'REVIVE',
  'SUPPRESS',
  'KILL',
  'SHUTDOWN',
  'ACKNOWLEDGE',
  'ACKNOWLEDGE_OPERATION_STATUS',
  'RECONCILE',
  'RECONCILE_OPERATIONS',
  'MESSAGE',
  'REQUEST',
  'UPDATE_FRAMEWORK',
];

// ---- Events (master → client) -----------------------------------------------

/** A maintenance request to give resources back (carried by INVERSE_OFFERS events). */
export interface InverseOffer {
  id: OfferID;
  framework_id: FrameworkID;
  agent_id?: AgentID;
  unavailability?: Record<string, unknown>;
  resources?: Resource[];
}

/** An event of the v1 scheduler API stream, discriminated on `type` (docs/protocol.md, "Scheduler events"). */
export type SchedulerEvent =
  | {
      type: 'SUBSCRIBED';
      subscribed: { framework_id: FrameworkID; heartbeat_interval_seconds?: number; master_info?: MasterInfo };
    }
  | { type: 'OFFERS'; offers: { offers?: Offer[] } }
  | { type: 'INVERSE_OFFERS'; inverse_offers: { inverse_offers?: InverseOffer[] } }
  | { type: 'RESCIND'; rescind: { offer_id: OfferID } }
  | { type: 'RESCIND_INVERSE_OFFER'; rescind_inverse_offer: { inverse_offer_id: OfferID } }
  | { type: 'UPDATE'; update: { status: TaskStatus } }
  | { type: 'UPDATE_OPERATION_STATUS'; update_operation_status: { status: OperationStatus } }
  | { type: 'MESSAGE'; message: { agent_id: AgentID; executor_id: ExecutorID; data: Base64 } }
  | { type: 'FAILURE'; failure: { agent_id?: AgentID; executor_id?: ExecutorID; status?: number } }
  | { type: 'ERROR'; error: { message: string } }
  | { type: 'HEARTBEAT' };

/** The `type` of a SchedulerEvent. */
export type SchedulerEventType = SchedulerEvent['type'];

/** Every SchedulerEventType. */
export const SCHEDULER_EVENT_TYPES: readonly SchedulerEventType[] = [
  'SUBSCRIBED',
  'OFFERS',
  'INVERSE_OFFERS',
  'RESCIND',
  'RESCIND_INVERSE_OFFER',
  'UPDATE',
  'UPDATE_OPERATION_STATUS',
  'MESSAGE',
  'FAILURE',
  'ERROR',
  'HEARTBEAT',
];

/** Path of the scheduler API on a master (docs/protocol.md, "Endpoints"). */
export const SCHEDULER_API_PATH = '/api/v1/scheduler';
/** Header carrying the subscription's stream id (docs/protocol.md, "Stream id"). */
export const STREAM_ID_HEADER = 'mesos-stream-id';
