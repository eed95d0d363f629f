/**
 * Keeps the executor's event stream open (docs/protocol.md, "Agent restarts"), apart from what the
 * events mean (the driver decides that): SUBSCRIBE, read records, and when the stream breaks
 * either give up (no checkpointing, or the agent refused us) or re-SUBSCRIBE after a random
 * delay in [0, MESOS_SUBSCRIPTION_BACKOFF_MAX] until MESOS_RECOVERY_TIMEOUT has passed since
 * the connection was lost (the C++ library's behaviour).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DriverStoppedError,
  loadWireCodecs,
  MesosHttpError,
  ProtocolError,
  TimeoutError,
  type ExecutorCall,
} from '@mesosgot/common/internal';
import type { AgentTransport } from './agent-transport.js';

/**
 * Floor of the wait between attempts: with MESOS_SUBSCRIPTION_BACKOFF_MAX=0 (or an unlucky
 * draw) a refused connection would otherwise spin the CPU for the whole recovery timeout.
 */
export const MIN_RESUBSCRIBE_DELAY_MS = 20;

/**
 * How long the agent may take to answer SUBSCRIBE with its first record. A real agent sends
 * SUBSCRIBED at once; after it, silence is normal (agents send HEARTBEAT every 30 minutes), so
 * only the first record has a deadline. Without it an agent that sent headers and then
 * nothing would hold the executor forever.
 */
export const DEFAULT_SUBSCRIBED_TIMEOUT_MS = 15_000;

export interface SubscriptionLoopOptions {
  transport: AgentTransport;
  /** Builds each SUBSCRIBE afresh, so it carries the unacknowledged lists of that moment. */
  subscribeCall: () => ExecutorCall;
  isCheckpointing: boolean;
  recoveryTimeoutMs: number;
  subscriptionBackoffMaxMs: number;
  /** Each record, parsed JSON or the ProtocolError of a record that is not JSON. Awaited. */
  onRecord: (record: unknown) => Promise<void>;
  /** A stream that had been marked subscribed broke; `willRetry` says whether we re-subscribe. */
  onDisconnected: (cause: Error, willRetry: boolean) => void;
  /** False once the driver is shutting down: a broken stream then just ends the loop. */
  canReconnect: () => boolean;
  /** Jitter source, in [0, 1). */
  random?: () => number;
  /** Deadline for the first record of each SUBSCRIBE; default DEFAULT_SUBSCRIBED_TIMEOUT_MS. */
  subscribedTimeoutMs?: number;
  signal: AbortSignal;
}

export class SubscriptionLoop {
  readonly #options: SubscriptionLoopOptions;
  /** Written by markSubscribed (driver, on SUBSCRIBED) and by the loop when a stream ends. */
  #isSubscribed = false;

  constructor(options: SubscriptionLoopOptions) {
    this.#options = options;
  }

  /** The driver saw SUBSCRIBED on the current stream: a later break counts as a disconnection. */
  markSubscribed(): void {
    this.#isSubscribed = true;
  }

  /**
   * Runs until the agent is gone for good, then resolves with why (a DriverStoppedError whose
   * cause is the last failure). Rejects with `signal.reason` once the signal aborts; the stream
   * socket is closed either way.
   */
  async run(): Promise<DriverStoppedError> {
    const { signal, isCheckpointing, recoveryTimeoutMs, subscriptionBackoffMaxMs } = this.#options;
    const random = this.#options.random ?? Math.random;
    /** When the current outage began (the recovery timer's start, docs/protocol.md, "Agent restarts"); the start for the first SUBSCRIBE. */
    let lostAt = Date.now();
    let isFirstAttempt = true;
    for (;;) {
      const cause = await this.#streamOnce();
      signal.throwIfAborted();
      const wasSubscribed = this.#isSubscribed;
      this.#isSubscribed = false;
      if (wasSubscribed) lostAt = Date.now();
      const refused = cause instanceof MesosHttpError && !cause.retryable;
      const willRetry = isCheckpointing && !refused && this.#options.canReconnect();
      if (wasSubscribed) this.#options.onDisconnected(cause, willRetry);
      if (!willRetry) {
        const why = refused
          ? 'the agent refused SUBSCRIBE'
          : !this.#options.canReconnect()
            ? 'the agent connection closed during shutdown'
            : isFirstAttempt && !wasSubscribed
              ? 'the agent could not be reached and MESOS_CHECKPOINT is not 1'
              : 'the agent connection was lost and MESOS_CHECKPOINT is not 1';
        return new DriverStoppedError(`${why}: ${cause.message}`, { cause });
      }
      isFirstAttempt = false;
      const deadline = lostAt + recoveryTimeoutMs;
      const jitter = Math.max(MIN_RESUBSCRIBE_DELAY_MS, random() * subscriptionBackoffMaxMs);
      const wait = Math.min(jitter, Math.max(0, deadline - Date.now()));
      await sleep(wait, undefined, { signal });
      if (Date.now() >= deadline) {
        const timeout = new TimeoutError('agent did not come back within MESOS_RECOVERY_TIMEOUT', recoveryTimeoutMs);
        return new DriverStoppedError(`recovery timeout: ${timeout.message}; last failure: ${cause.message}`, { cause: timeout });
      }
    }
  }

  /** One SUBSCRIBE and its stream, to the end. Resolves with why it ended (never rejects unless aborted). */
  async #streamOnce(): Promise<Error> {
    const { transport, signal } = this.#options;
    const timeoutMs = this.#options.subscribedTimeoutMs ?? DEFAULT_SUBSCRIBED_TIMEOUT_MS;
    const attempt = new AbortController();
    const deadline = setTimeout(() => attempt.abort(new TimeoutError('no SUBSCRIBED from the agent', timeoutMs)), timeoutMs);
    try {
      const records = await transport.subscribe(this.#options.subscribeCall(), AbortSignal.any([signal, attempt.signal]));
      const parse = transport.contentType === 'protobuf' ? await protobufParser() : parseJson;
      for await (const record of records) {
        clearTimeout(deadline);
        await this.#options.onRecord(parse(record));
      }
      return new ProtocolError('the agent closed the executor subscription stream');
    } catch (error) {
      signal.throwIfAborted();
      if (attempt.signal.aborted) return attempt.signal.reason as Error;
      return error instanceof Error ? error : new Error(String(error));
    } finally {
      clearTimeout(deadline);
      // Ends the stream's socket if the loop left it early (deadline, or a record handler threw).
      attempt.abort();
    }
  }
}

/** Same for protobuf (docs/protobuf.md), once its schema is loaded: the record as a wire object, or the ProtocolError. */
async function protobufParser(): Promise<(record: Buffer) => unknown> {
  const { EXECUTOR_EVENT_CODEC } = await loadWireCodecs();
  return (record) => {
    try {
      return EXECUTOR_EVENT_CODEC.fromBinary(record);
    } catch (error) {
      return error;
    }
  };
}

/** A record that is not JSON is reported, not fatal: RecordIO framing is still intact after it. */
function parseJson(record: Buffer): unknown {
  try {
    return JSON.parse(record.toString('utf8'));
  } catch (cause) {
    return new ProtocolError(`executor event is not JSON: ${(cause as Error).message}`, undefined, { cause });
  }
}
