/**
 * The scheduler's outgoing calls (docs/protocol.md, "Connections", "Acknowledgements"), in the
 * lanes of @mesosgot/common's CallLanes: ACKNOWLEDGEs are repeatable (the agent ignores a
 * repeated one), keyed by task and pipelined, up to ACK_CONCURRENCY at once; every other call
 * goes one at a time in send() order, after every ACKNOWLEDGE queued before it was answered (a
 * relaunch after a failure relies on the master having the failed update's ACK before the
 * ACCEPT that reuses its task id, "Launch validation"). A task has at most one update waiting
 * for its ACK (the agent sends the next one after it), so the ACKs in flight at one time are
 * for different tasks. The event stream never waits on this queue.
 *
 * A call is checked against the subscription twice: when queued (fail fast with
 * NotSubscribedError while disconnected) and when sent (the stream id must be the current one,
 * docs/protocol.md, "Stream id", or the master answers 400).
 */
import { CallLanes, MesosHttpError, type SchedulerCall } from '@mesosgot/common/internal';
import type { ConnectionState, Subscription } from './connection-state.js';
import type { MasterTransport } from './master-transport.js';

export { MAX_QUEUED_CALLS } from '@mesosgot/common/internal';
/** ACKNOWLEDGEs in flight at most (MesosHttpClient sends up to CALL_PIPELINING_DEPTH at once). */
export const ACK_CONCURRENCY = 16;

/**
 * The driver's outgoing calls (see the module comment for their order). Holds no timer or
 * socket of its own; the close signal rejects everything queued.
 */
export class CallQueue {
  readonly #lanes: CallLanes;

  constructor(
    private readonly transport: MasterTransport,
    private readonly state: ConnectionState,
    /** Told when the master says this subscription is gone (403, stale stream id): re-subscribe. */
    private readonly onSubscriptionLost: (subscription: Subscription, error: MesosHttpError) => void,
    /** Aborted by the driver's abort(): every queued or in-flight call rejects with its reason. */
    closeSignal: AbortSignal,
  ) {
    this.#lanes = new CallLanes({ concurrency: ACK_CONCURRENCY, closeSignal });
  }

  /**
   * Sends `call` with framework_id stamped. Rejects at once with NotSubscribedError while not
   * subscribed, later with MesosHttpError when refused. `signal` aborts a call still queued or in
   * flight with `signal.reason`; the queue's close signal aborts every call with its reason.
   */
  send(call: SchedulerCall, options: { signal?: AbortSignal } = {}): Promise<void> {
    try {
      this.state.requireSubscription(call.type);
    } catch (error) {
      return Promise.reject(error);
    }
    const isAck = call.type === 'ACKNOWLEDGE';
    return this.#lanes.add((signal) => this.#send(call, signal, isAck), {
      ...(isAck ? { isRepeatable: true, key: call.acknowledge.task_id.value } : {}),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  }

  /** Resolves when every queued call has been sent (or failed). */
  onIdle(): Promise<void> {
    return this.#lanes.onIdle();
  }

  async #send(call: SchedulerCall, signal: AbortSignal, isAck: boolean): Promise<void> {
    // Re-checked here: the subscription may have changed while the call waited its turn.
    const subscription = this.state.requireSubscription(call.type);
    const stamped: SchedulerCall = { ...call, framework_id: { value: subscription.frameworkId.value } };
    try {
      await this.transport.call(subscription.masterUrl, stamped, { streamId: subscription.streamId, signal, ...(isAck ? { isRepeatable: true } : {}) });
    } catch (error) {
      if (error instanceof MesosHttpError && error.subscriptionLost) this.onSubscriptionLost(subscription, error);
      throw error;
    }
  }
}
