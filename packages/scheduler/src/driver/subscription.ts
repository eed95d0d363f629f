/**
 * The re-subscribe loop (docs/protocol.md, "Subscribing", "Heartbeats",
 * "Failover timeout"), kept apart from event handling
 * (cf. mesos-go extras/scheduler/controller): ask the detector for a master, SUBSCRIBE, read the
 * RecordIO stream under a heartbeat watchdog, hand events to the sink in stream order; when the
 * stream ends, back off and subscribe again with the framework id — until the driver stops, or a
 * fatal refusal ends the loop. What events *mean* to the framework is the sink's business.
 */
import {
  delay,
  type Backoff,
  MasterDetectionError,
  MesosHttpError,
  ProtocolError,
  TimeoutError,
  type SchedulerCall,
  type SchedulerEvent,
} from '@mesosgot/common/internal';
import { decodeEvent, eventProtobufParser, parseEventJson } from '../events/decode.js';
import type { ConnectionState, Subscription } from './connection-state.js';
import { HeartbeatWatchdog } from './heartbeat-watchdog.js';
import type { MasterDetector } from './master-detector.js';
import type { MasterTransport } from './master-transport.js';

/** Where the loop reports; the driver implements it. */
export interface SubscriptionSink {
  connecting(masterUrl: string, attempt: number): void;
  /** SUBSCRIBED arrived; the state is already `subscribed`. Resolves when queued for dispatch. */
  subscribed(subscription: Subscription, isReregistration: boolean): Promise<void>;
  /** Any other event but HEARTBEAT and ERROR, in stream order. Resolves when queued (backpressure). */
  event(event: SchedulerEvent): Promise<void>;
  /** An ERROR event or a protocol problem that does not end the driver; re-subscribing follows. */
  error(message: string, cause: Error | undefined): void;
  /** The current attempt ended; the state is already `disconnected`. `wasSubscribed`: SUBSCRIBED had arrived. */
  disconnected(error: Error | undefined, wasSubscribed: boolean): void;
  reconnecting(delayMs: number, error: Error | undefined): void;
  /** The master refused for good; the loop has ended. The driver aborts. */
  fatal(message: string, cause: Error | undefined): void;
}

export interface SubscriptionLoopOptions {
  detector: MasterDetector;
  transport: MasterTransport;
  state: ConnectionState;
  sink: SubscriptionSink;
  /** The SUBSCRIBE to send now (it carries the latest framework id, docs/protocol.md, "Subscribing"). */
  subscribeCall: () => SchedulerCall;
  /** Delays between attempts; reset after every SUBSCRIBED. */
  backoff: Backoff;
  heartbeatTimeoutFactor: number;
  /** Deadline for SUBSCRIBED once the SUBSCRIBE is sent (headers and first record); default DEFAULT_SUBSCRIBED_TIMEOUT_MS. */
  subscribedTimeoutMs?: number;
  /** Aborted by stop()/abort(): the loop ends without reporting. */
  signal: AbortSignal;
  /** False once stop() began: TEARDOWN closes the stream and that must not start a new attempt. */
  shouldResubscribe: () => boolean;
}

/**
 * How long a master may take to answer SUBSCRIBE with its first record. A real master sends
 * SUBSCRIBED right after the 200 headers; one that sends headers and then nothing (or part of
 * a record) would otherwise hold the driver forever, since the heartbeat watchdog only starts
 * with SUBSCRIBED.
 */
export const DEFAULT_SUBSCRIBED_TIMEOUT_MS = 15_000;

/**
 * A subscription that lasted less than this does not reset the backoff: a master that answers
 * SUBSCRIBED and drops the stream at once is retried with growing delays, not in a tight loop.
 */
export const STABLE_SUBSCRIPTION_MS = 2_000;

/** ERROR messages after which re-subscribing cannot work (docs/protocol.md, "Subscribing", "Failover timeout", "Teardown and shutdown"). */
const FATAL_ERROR_MESSAGES = [/Framework has been removed/i, /Framework failed over/i];

type AttemptEnd =
  | { kind: 'lost'; error: Error | undefined; wasSubscribed: boolean; wasStable?: boolean }
  | { kind: 'fatal'; message: string; cause: Error | undefined };

/** A master's answer that will not change by retrying: any 4xx but 408/429 (docs/protocol.md, "Scheduler endpoint answers"). */
function isRefusal(error: unknown): error is MesosHttpError {
  return error instanceof MesosHttpError && error.status >= 400 && error.status < 500 && error.status !== 408 && !error.retryable;
}

export class SubscriptionLoop {
  /** Aborts the attempt in progress (watchdog, leader change, a call saw the subscription lost). */
  #attemptAbort: AbortController | undefined;
  /** Detector URL of the attempt in progress, to compare with leader changes. */
  #attemptMaster: string | undefined;

  constructor(private readonly options: SubscriptionLoopOptions) {}

  /** Runs until stop/abort or a fatal refusal. Never rejects. */
  async run(): Promise<void> {
    const { signal, sink } = this.options;
    void this.#watchLeader();
    const delays = this.options.backoff;
    while (!signal.aborted) {
      const end = await this.#attempt();
      if (signal.aborted || !this.options.shouldResubscribe()) return;
      if (end.kind === 'fatal') return sink.fatal(end.message, end.cause);
      if (end.wasStable === true) delays.reset();
      const delayMs = delays.next().value;
      sink.reconnecting(delayMs, end.error);
      // Rejects only with signal.reason on stop/abort, which the loop condition then sees.
      await delay(delayMs, { signal }).catch(() => undefined);
    }
  }

  /** Drops the current subscription if it is still `attempt` (e.g. a call got 403): re-subscribe. */
  dropSubscription(attempt: number, reason: Error): void {
    if (this.options.state.isCurrent(attempt)) this.#attemptAbort?.abort(reason);
  }

  async #attempt(): Promise<AttemptEnd> {
    const { state, detector, transport, sink, signal } = this.options;
    const attempt = state.connecting();
    const abort = new AbortController();
    this.#attemptAbort = abort;
    const attemptSignal = AbortSignal.any([signal, abort.signal]);
    const watchdog = new HeartbeatWatchdog((ms) =>
      abort.abort(
        wasSubscribed
          ? new TimeoutError('no event from the master for the heartbeat timeout', ms)
          : new TimeoutError('no SUBSCRIBED from the master', ms),
      ),
    );
    let wasSubscribed = false;
    let subscribedAt = 0;
    let end: AttemptEnd;
    try {
      const masterUrl = await detector.nextMaster({ signal: attemptSignal });
      this.#attemptMaster = masterUrl;
      sink.connecting(masterUrl, attempt);
      const subscribedTimeoutMs = this.options.subscribedTimeoutMs ?? DEFAULT_SUBSCRIBED_TIMEOUT_MS;
      watchdog.arm(subscribedTimeoutMs);
      const opened = await transport.subscribe(masterUrl, this.options.subscribeCall(), { signal: attemptSignal });
      const parse = opened.contentType === 'protobuf' ? await eventProtobufParser() : parseEventJson;
      for await (const record of opened.records) {
        watchdog.kick();
        // Bad framing, JSON or protobuf (thrown by the parse step) leaves the stream unusable: reconnect. A
        // well-framed event that fails validation (an unknown type from a newer Mesos, a missing
        // field) is reported and skipped, so one odd event does not cost the subscription.
        const json = parse(record);
        let event: SchedulerEvent;
        try {
          event = decodeEvent(json);
        } catch (error) {
          if (!wasSubscribed || !(error instanceof ProtocolError)) throw error;
          sink.error(error.message, error);
          continue;
        }
        if (!wasSubscribed && event.type !== 'SUBSCRIBED' && event.type !== 'ERROR') {
          throw new ProtocolError(`first event of a subscription was ${event.type}, expected SUBSCRIBED`);
        }
        if (event.type === 'HEARTBEAT') continue;
        if (event.type === 'ERROR') {
          const message = event.error.message;
          // A first-record ERROR is the master refusing this SUBSCRIBE (docs/protocol.md, "Subscribing"): same answer next time.
          if (!wasSubscribed || FATAL_ERROR_MESSAGES.some((re) => re.test(message))) return { kind: 'fatal', message, cause: undefined };
          sink.error(message, undefined);
          throw new ProtocolError(`master sent ERROR: ${message}`);
        }
        if (event.type === 'SUBSCRIBED') {
          if (wasSubscribed) throw new ProtocolError('second SUBSCRIBED on one stream');
          const { framework_id, heartbeat_interval_seconds, master_info } = event.subscribed;
          const subscription: Subscription = {
            masterUrl: opened.masterUrl,
            streamId: opened.streamId,
            frameworkId: framework_id,
            masterInfo: master_info!,
            heartbeatIntervalSeconds: heartbeat_interval_seconds,
            attempt,
          };
          const isReregistration = state.isReregistration;
          if (!state.subscribed(subscription)) break;
          wasSubscribed = true;
          subscribedAt = Date.now();
          watchdog.start(heartbeat_interval_seconds, this.options.heartbeatTimeoutFactor);
          await sink.subscribed(subscription, isReregistration);
          continue;
        }
        await sink.event(event);
      }
      end = { kind: 'lost', error: undefined, wasSubscribed };
    } catch (error) {
      // Our own abort (watchdog, leader change, a call saw the subscription lost) is a lost
      // connection whatever the reason's type, never a refusal.
      end = abort.signal.aborted && error === abort.signal.reason ? { kind: 'lost', error: abort.signal.reason as Error, wasSubscribed } : this.#classify(error, wasSubscribed);
    } finally {
      watchdog.stop();
      // Closes the stream's socket if it is still open (a new SUBSCRIBE always uses a new one, docs/protocol.md, "Connections").
      abort.abort();
      this.#attemptAbort = undefined;
    }
    if (end.kind === 'lost') end.wasStable = wasSubscribed && Date.now() - subscribedAt >= STABLE_SUBSCRIPTION_MS;
    if (end.kind === 'lost' && state.disconnected(attempt, end.error)) sink.disconnected(end.error, wasSubscribed);
    return end;
  }

  #classify(error: unknown, wasSubscribed: boolean): AttemptEnd {
    const cause = error instanceof Error ? error : new Error(String(error));
    if (this.options.signal.aborted) return { kind: 'lost', error: cause, wasSubscribed };
    if (isRefusal(error)) return { kind: 'fatal', message: error.message, cause: error };
    if (error instanceof ProtocolError && !/^master sent ERROR/.test(error.message)) {
      // The master (or something in between) broke the protocol: report it, then retry afresh.
      this.options.sink.error(error.message, error);
    }
    return { kind: 'lost', error: cause, wasSubscribed };
  }

  /** Leader changes pushed by the detector (ZooKeeper) drop a subscription to another master. */
  async #watchLeader(): Promise<void> {
    const { detector, signal } = this.options;
    if (detector.leaderChanges === undefined) return;
    try {
      for await (const leader of detector.leaderChanges({ signal })) {
        if (this.#attemptMaster !== undefined && leader !== this.#attemptMaster) {
          this.#attemptAbort?.abort(new MasterDetectionError(`leading master changed to ${leader}`));
        }
      }
    } catch {
      // Ends with signal.reason on stop/abort; a detector failure only loses push updates, and
      // nextMaster() still reports errors on the next attempt.
    }
  }
}
