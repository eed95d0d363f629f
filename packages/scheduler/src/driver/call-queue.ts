/**
 * Outgoing calls, in order, one at a time (docs/protocol.md, "Connections": ordering holds only per
 * connection, so calls are serialized on one keep-alive connection). The event stream never
 * waits on this queue. A call is checked against the subscription twice: when queued (fail fast
 * with NotSubscribedError while disconnected) and when sent (the stream id must be the current
 * one, docs/protocol.md, "Stream id", or the master answers 400).
 */
import { MesosHttpError, type SchedulerCall } from '@mesosgot/common/internal';
import { setMaxListeners } from 'node:events';
import PQueue from 'p-queue';
import type { ConnectionState, Subscription } from './connection-state.js';
import type { MasterTransport } from './master-transport.js';

/** Calls waiting to be sent at most; beyond it `send` waits (backpressure on the caller). */
export const MAX_QUEUED_CALLS = 1024;

export class CallQueue {
  /** Concurrency 1: the order of send() is the order on the wire. */
  readonly #queue = new PQueue({ concurrency: 1 });

  constructor(
    private readonly transport: MasterTransport,
    private readonly state: ConnectionState,
    /** Told when the master says this subscription is gone (403, stale stream id): re-subscribe. */
    private readonly onSubscriptionLost: (subscription: Subscription, error: MesosHttpError) => void,
    /** Aborted by the driver's abort(): every queued or in-flight call rejects with its reason. */
    private readonly closeSignal: AbortSignal,
  ) {
    // Every queued call listens on closeSignal until it settles: up to MAX_QUEUED_CALLS plus the
    // callers waiting for room. That is by design, not a leak, so lift Node's warning at 10.
    setMaxListeners(0, closeSignal);
  }

  /**
   * Sends `call` with framework_id stamped. Rejects at once with NotSubscribedError while not
   * subscribed, later with MesosHttpError when refused. `signal` aborts a call still queued or in
   * flight with `signal.reason`.
   */
  async send(call: SchedulerCall, options: { signal?: AbortSignal } = {}): Promise<void> {
    this.state.requireSubscription(call.type);
    const signal = options.signal ? AbortSignal.any([options.signal, this.closeSignal]) : this.closeSignal;
    if (this.#queue.size >= MAX_QUEUED_CALLS) await this.#queue.onSizeLessThan(MAX_QUEUED_CALLS);
    await this.#queue.add(
      async () => {
        // Re-checked here: the subscription may have changed while the call waited its turn.
        const subscription = this.state.requireSubscription(call.type);
        const stamped: SchedulerCall = { ...call, framework_id: { value: subscription.frameworkId.value } };
        try {
          await this.transport.call(subscription.masterUrl, stamped, { streamId: subscription.streamId, signal });
        } catch (error) {
          if (error instanceof MesosHttpError && error.subscriptionLost) this.onSubscriptionLost(subscription, error);
          throw error;
        }
      },
      // p-queue rejects a task still waiting when this aborts, so nothing is left pending.
      { signal },
    );
  }

  /** Resolves when every queued call has been sent (or failed). */
  onIdle(): Promise<void> {
    return this.#queue.onIdle();
  }
}
