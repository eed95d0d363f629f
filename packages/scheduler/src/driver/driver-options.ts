import type { ContentType } from '@mesosgot/common/internal';
import type { ReconcileTask } from '../calls/reconcile.js';
import type { MasterTransport } from './master-transport.js';

/** First re-subscribe delay; doubles per failed attempt (docs/protocol.md, "Heartbeats": exponential, jittered). */
export const DEFAULT_BACKOFF_INITIAL_MS = 500;
/** Re-subscribe delay cap (docs/protocol.md, "Heartbeats" suggests ≈ 15 s). */
export const DEFAULT_BACKOFF_MAX_MS = 15_000;

/** Re-subscribe backoff (common's exponentialBackoff, jittered); reset once a subscription lasted 2 s. */
export interface BackoffSettings {
  /** First delay, doubled after each failed attempt; default DEFAULT_BACKOFF_INITIAL_MS (500 ms). */
  initialMs?: number;
  /** Longest delay; default DEFAULT_BACKOFF_MAX_MS (15 s). */
  maxMs?: number;
  /** Random share of each delay, [0, 1]; default common's DEFAULT_BACKOFF_JITTER. */
  jitter?: number;
}

/** Options of MesosSchedulerDriver besides the Scheduler, FrameworkInfo and master. */
export interface SchedulerDriverOptions {
  /** ACK status updates after the statusUpdate callback settles. Default true (docs/protocol.md, "Acknowledgements"). */
  implicitAcknowledgements?: boolean;
  /** Heartbeat intervals of silence before the connection counts as lost. Default 5 (docs/protocol.md, "Heartbeats"). */
  heartbeatTimeoutFactor?: number;
  /** Re-subscribe backoff. */
  backoff?: BackoffSettings;
  /** Deadline for SUBSCRIBED after a SUBSCRIBE is sent; default 15 s, then disconnect and retry with backoff. */
  subscribedTimeoutMs?: number;
  /** HTTP Basic framework authentication (docs/protocol.md, "Authentication"); `frameworkInfo.principal` defaults to it. */
  credential?: {
    /** The framework's principal. */
    principal: string;
    /** Its secret; it cannot contain `:`. */
    secret: string;
  };
  /** PEM CA certificate(s) for https masters. */
  tlsCa?: string | Buffer;
  /** Per-call deadline; default 75 s (docs/protocol.md, "Connections"). */
  requestTimeoutMs?: number;
  /**
   * Encoding of calls and events (docs/protobuf.md): `json` or `protobuf`
   * (`application/x-protobuf`, what Mesos' own C++ library speaks). Default DEFAULT_CONTENT_TYPE.
   */
  contentType?: ContentType;
  /**
   * Reconcile after every SUBSCRIBED (docs/protocol.md, "Reconciliation"): true = implicit (all tasks the master knows), a
   * function = explicit for the tasks it returns. Default false.
   */
  reconcileOnSubscribe?: boolean | (() => readonly ReconcileTask[]);
  /** Roles whose offers stay suppressed when subscribing. */
  suppressedRoles?: readonly string[];
  /** Replaces the HTTP transport (tests, custom stacks). */
  transport?: MasterTransport;
}
