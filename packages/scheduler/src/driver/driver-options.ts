import type { ReconcileTask } from '../calls/reconcile.js';
import type { MasterTransport } from './master-transport.js';

/** First re-subscribe delay; doubles per failed attempt (§6.2: exponential, jittered). */
export const DEFAULT_BACKOFF_INITIAL_MS = 500;
/** Re-subscribe delay cap (§6.2 suggests ≈ 15 s). */
export const DEFAULT_BACKOFF_MAX_MS = 15_000;

export interface BackoffSettings {
  initialMs?: number;
  maxMs?: number;
}

/** Options of MesosSchedulerDriver besides the Scheduler, FrameworkInfo and master. */
export interface SchedulerDriverOptions {
  /** ACK status updates after the statusUpdate callback settles. Default true (§6.8). */
  implicitAcknowledgements?: boolean;
  /** Heartbeat intervals of silence before the connection counts as lost. Default 5 (§6.2). */
  heartbeatTimeoutFactor?: number;
  /** Re-subscribe backoff. */
  backoff?: BackoffSettings;
  /** HTTP Basic framework authentication (§11); `frameworkInfo.principal` defaults to it. */
  credential?: { principal: string; secret: string };
  /** PEM CA certificate(s) for https masters. */
  tlsCa?: string | Buffer;
  /** Per-call deadline; default 75 s (§2.3). */
  requestTimeoutMs?: number;
  /**
   * Reconcile after every SUBSCRIBED (§6.9): true = implicit (all tasks the master knows), a
   * function = explicit for the tasks it returns. Default false.
   */
  reconcileOnSubscribe?: boolean | (() => readonly ReconcileTask[]);
  /** Roles whose offers stay suppressed when subscribing. */
  suppressedRoles?: readonly string[];
  /** Replaces the HTTP transport (tests, custom stacks). */
  transport?: MasterTransport;
}

/**
 * Jittered exponential delays: initial, 2×, 4× … capped at max; each drawn uniformly from
 * [d/2, d] so that many frameworks restarted together do not re-subscribe in lockstep.
 */
export function* backoffDelays({ initialMs = DEFAULT_BACKOFF_INITIAL_MS, maxMs = DEFAULT_BACKOFF_MAX_MS }: BackoffSettings = {}): Generator<number, never> {
  // TODO(common backoff): switch to @mesosgot/common's exponentialBackoff once it is exported.
  for (let d = Math.min(initialMs, maxMs); ; d = Math.min(d * 2, maxMs)) yield d / 2 + (Math.random() * d) / 2;
}
