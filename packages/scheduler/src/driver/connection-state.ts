/**
 * The driver's connection to the master, as one state machine (cf. mesos-go httpsched/state.go).
 * Every transition goes through `#enter`, which refuses the ones the protocol does not allow, so a
 * late callback from a dead stream cannot, say, mark a new subscription disconnected.
 *
 *   idle ──► connecting ──► subscribed ──► disconnected ──► connecting …
 *     │          │               │               │
 *     └──────────┴───────────────┴───────────────┴──► closed (stop/abort; terminal)
 */
import { MesosGotError, NotSubscribedError, type FrameworkID, type MasterInfo, type SchedulerCallType } from '@mesosgot/common/internal';

export type ConnectionPhase = 'idle' | 'connecting' | 'subscribed' | 'disconnected' | 'closed';

/** What a live subscription carries: every call needs its stream id (docs/protocol.md, "Stream id"). */
export interface Subscription {
  readonly masterUrl: string;
  readonly streamId: string;
  readonly frameworkId: FrameworkID;
  readonly masterInfo: MasterInfo;
  /** Interval announced in SUBSCRIBED; undefined = the master sends no heartbeats (docs/protocol.md, "Heartbeats"). */
  readonly heartbeatIntervalSeconds: number | undefined;
  /** Attempt number that produced it (see ConnectionState.attempt). */
  readonly attempt: number;
}

export type ConnectionSnapshot =
  | { phase: 'idle' }
  | { phase: 'connecting'; attempt: number }
  | ({ phase: 'subscribed' } & Subscription)
  | { phase: 'disconnected'; error: Error | undefined }
  | { phase: 'closed' };

const ALLOWED: Readonly<Record<ConnectionPhase, readonly ConnectionPhase[]>> = {
  idle: ['connecting', 'closed'],
  connecting: ['subscribed', 'disconnected', 'closed'],
  subscribed: ['disconnected', 'closed'],
  disconnected: ['connecting', 'closed'],
  closed: [],
};

/** A transition the state machine forbids: a driver bug, never a master's fault. */
class IllegalTransitionError extends MesosGotError {
  readonly code = 'MESOSGOT_ILLEGAL_TRANSITION';
}

export class ConnectionState {
  /** Written only by #enter. */
  #snapshot: ConnectionSnapshot = { phase: 'idle' };
  /**
   * The framework id to re-subscribe with: from `frameworkInfo.id` at construction (failover),
   * then from every SUBSCRIBED. Written by the constructor and `subscribed()` only.
   */
  #frameworkId: FrameworkID | undefined;
  /** Counts SUBSCRIBE attempts; a stream only acts on state while its attempt is current. */
  #attempt = 0;
  /** True once any SUBSCRIBED arrived on this driver (next ones are re-registrations). */
  #hasSubscribed = false;

  constructor(frameworkId?: FrameworkID) {
    this.#frameworkId = frameworkId === undefined ? undefined : { value: frameworkId.value };
  }

  get snapshot(): ConnectionSnapshot {
    return this.#snapshot;
  }
  get phase(): ConnectionPhase {
    return this.#snapshot.phase;
  }
  get frameworkId(): FrameworkID | undefined {
    return this.#frameworkId;
  }
  get attempt(): number {
    return this.#attempt;
  }
  /** SUBSCRIBED now means `reregistered`: an earlier one arrived, or we failed over with a known id. */
  get isReregistration(): boolean {
    return this.#hasSubscribed || this.#frameworkId !== undefined;
  }

  /** Starts a SUBSCRIBE attempt; returns its number. */
  connecting(): number {
    this.#attempt += 1;
    this.#enter({ phase: 'connecting', attempt: this.#attempt });
    return this.#attempt;
  }

  /** SUBSCRIBED arrived on the stream of `subscription.attempt`; returns false if that attempt is stale. */
  subscribed(subscription: Subscription): boolean {
    if (!this.isCurrent(subscription.attempt) || this.phase !== 'connecting') return false;
    this.#enter({ phase: 'subscribed', ...subscription });
    this.#frameworkId = { value: subscription.frameworkId.value };
    this.#hasSubscribed = true;
    return true;
  }

  /**
   * The subscription of `attempt` ended (or never came up). Returns true when that moved the
   * state to disconnected, false when the attempt is stale or the driver already closed.
   */
  disconnected(attempt: number, error?: Error): boolean {
    if (!this.isCurrent(attempt) || (this.phase !== 'connecting' && this.phase !== 'subscribed')) return false;
    this.#enter({ phase: 'disconnected', error });
    return true;
  }

  /** stop()/abort(): terminal. Idempotent. */
  close(): void {
    if (this.phase !== 'closed') this.#enter({ phase: 'closed' });
  }

  isCurrent(attempt: number): boolean {
    return attempt === this.#attempt && this.phase !== 'closed';
  }

  /** The live subscription, or NotSubscribedError at once (calls fail fast while disconnected). */
  requireSubscription(callType: SchedulerCallType): Subscription {
    const s = this.#snapshot;
    if (s.phase !== 'subscribed') throw new NotSubscribedError(callType);
    return s;
  }

  #enter(next: ConnectionSnapshot): void {
    if (!ALLOWED[this.#snapshot.phase].includes(next.phase)) {
      throw new IllegalTransitionError(`connection state ${this.#snapshot.phase} → ${next.phase} is not allowed`);
    }
    this.#snapshot = next;
  }
}
