/**
 * Outgoing calls, in two lanes (docs/protocol.md, "Connections" and "Acknowledgements"):
 *
 * - the ordered lane: every call but ACKNOWLEDGE, one at a time, in send() order, on one
 *   keep-alive connection (the master keeps the order of one connection only);
 * - the acknowledgement lane: up to ACK_CONCURRENCY ACKNOWLEDGEs at once, pipelined on that
 *   connection. Mesos needs acknowledgements in order only per task, and a task never has two
 *   updates waiting for theirs: the agent sends a task's next update only once the previous
 *   one is acknowledged, so every ACKNOWLEDGE queued at one time belongs to a different task
 *   (or repeats one, which the agent ignores).
 *
 * An ordered call waits until every ACKNOWLEDGE queued before it was answered: a relaunch
 * after a failure relies on the master having the failed update's ACK before the ACCEPT that
 * reuses its task id ("Launch validation"). ACKNOWLEDGEs may overtake ordered calls and each
 * other. The event stream never waits on this queue.
 *
 * A call is checked against the subscription twice: when queued (fail fast with
 * NotSubscribedError while disconnected) and when sent (the stream id must be the current one,
 * docs/protocol.md, "Stream id", or the master answers 400).
 */
import { MesosHttpError, type SchedulerCall } from '@mesosgot/common/internal';
import type { ConnectionState, Subscription } from './connection-state.js';
import type { MasterTransport } from './master-transport.js';

/** Calls waiting to be sent at most, per lane; beyond it `send` waits (backpressure on the caller). */
export const MAX_QUEUED_CALLS = 1024;
/** ACKNOWLEDGEs in flight at most: the depth of HTTP pipelining on the calls connection. */
export const ACK_CONCURRENCY = 16;

/** One call waiting for its turn or in flight. */
interface Job {
  readonly call: SchedulerCall;
  /** Aborts the HTTP exchange: the queue's close signal, or it combined with the caller's. */
  readonly signal: AbortSignal;
  /**
   * Acknowledgement lane: this ACK's number. Ordered lane: the number of the last ACK queued
   * before it, which must be answered before this call goes out.
   */
  readonly ackSeq: number;
  /** Taken from its lane's queue (in flight or done); written by Lane.take. */
  isStarted: boolean;
  /** Resolved, rejected or cancelled; a settled job still queued is skipped. */
  isSettled: boolean;
  resolve(): void;
  reject(error: unknown): void;
}

/** A FIFO of jobs with a bound; `running` counts the lane's calls in flight. */
class Lane {
  /** Queued jobs from `head` on; settled (cancelled) ones are skipped when reached. */
  #jobs: Job[] = [];
  #head = 0;
  /** Queued jobs not settled: what the MAX_QUEUED_CALLS bound counts. */
  waiting = 0;
  running = 0;
  /** Callers waiting for room (FIFO), woken one per freed slot. */
  readonly roomWaiters: { resolve(): void; reject(error: unknown): void }[] = [];

  constructor(readonly concurrency: number) {}

  push(job: Job): void {
    this.#jobs.push(job);
    this.waiting++;
  }

  /** The first queued job still waiting, without taking it. */
  peek(): Job | undefined {
    while (this.#head < this.#jobs.length && this.#jobs[this.#head]!.isSettled) this.#head++;
    if (this.#head > 1024 && this.#head * 2 > this.#jobs.length) {
      this.#jobs = this.#jobs.slice(this.#head);
      this.#head = 0;
    }
    return this.#jobs[this.#head];
  }

  take(): Job {
    const job = this.peek()!;
    job.isStarted = true;
    this.#head++;
    this.waiting--;
    return job;
  }

  /** Empties the queue, handing each waiting job to `each`. */
  drain(each: (job: Job) => void): void {
    const jobs = this.#jobs.slice(this.#head);
    this.#jobs = [];
    this.#head = 0;
    this.waiting = 0;
    for (const job of jobs) if (!job.isSettled) each(job);
  }
}

/**
 * The driver's outgoing calls (see the module comment for the lanes and their order). Holds no
 * timer or socket of its own; the close signal rejects everything queued.
 */
export class CallQueue {
  readonly #ordered = new Lane(1);
  readonly #acks = new Lane(ACK_CONCURRENCY);
  /** Number of the last ACKNOWLEDGE queued; written only by send(). */
  #ackSeq = 0;
  /** Numbers of the ACKNOWLEDGEs in flight (at most ACK_CONCURRENCY). */
  readonly #acksInFlight = new Set<number>();
  /** onIdle() callers, resolved when both lanes are empty and nothing is in flight. */
  #idleWaiters: (() => void)[] = [];

  constructor(
    private readonly transport: MasterTransport,
    private readonly state: ConnectionState,
    /** Told when the master says this subscription is gone (403, stale stream id): re-subscribe. */
    private readonly onSubscriptionLost: (subscription: Subscription, error: MesosHttpError) => void,
    /** Aborted by the driver's abort(): every queued or in-flight call rejects with its reason. */
    private readonly closeSignal: AbortSignal,
  ) {
    // One listener for every queued call (in-flight ones get the signal itself).
    closeSignal.addEventListener('abort', () => this.#close(closeSignal.reason), { once: true });
  }

  /**
   * Sends `call` with framework_id stamped. Rejects at once with NotSubscribedError while not
   * subscribed, later with MesosHttpError when refused. `signal` aborts a call still queued or in
   * flight with `signal.reason`; the queue's close signal aborts every call with its reason.
   */
  async send(call: SchedulerCall, options: { signal?: AbortSignal } = {}): Promise<void> {
    this.state.requireSubscription(call.type);
    this.closeSignal.throwIfAborted();
    options.signal?.throwIfAborted();
    const lane = call.type === 'ACKNOWLEDGE' ? this.#acks : this.#ordered;
    while (lane.waiting >= MAX_QUEUED_CALLS) await this.#room(lane, options.signal);
    const signal = options.signal ? AbortSignal.any([options.signal, this.closeSignal]) : this.closeSignal;
    const ackSeq = lane === this.#acks ? ++this.#ackSeq : this.#ackSeq;
    await new Promise<void>((resolve, reject) => {
      const onCallerAbort = (): void => {
        // Only a queued call is cancelled here; one in flight rejects through its transport.
        if (job.isSettled || job.isStarted) return;
        job.isSettled = true;
        lane.waiting--;
        this.#wakeRoom(lane);
        reject(options.signal!.reason);
        this.#pump();
      };
      const settle = (): void => {
        job.isSettled = true;
        options.signal?.removeEventListener('abort', onCallerAbort);
      };
      const job: Job = {
        call,
        signal,
        ackSeq,
        isStarted: false,
        isSettled: false,
        resolve: () => {
          settle();
          resolve();
        },
        reject: (error) => {
          settle();
          reject(error);
        },
      };
      options.signal?.addEventListener('abort', onCallerAbort, { once: true });
      lane.push(job);
      this.#pump();
    });
  }

  /** Resolves when every queued call has been sent (or failed). */
  onIdle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #isIdle(): boolean {
    return this.#ordered.waiting + this.#ordered.running + this.#acks.waiting + this.#acks.running === 0;
  }

  /** Starts every call whose turn it is. */
  #pump(): void {
    while (this.#acks.running < this.#acks.concurrency && this.#acks.peek() !== undefined) {
      const job = this.#acks.take();
      this.#wakeRoom(this.#acks);
      this.#acksInFlight.add(job.ackSeq);
      void this.#run(job, this.#acks);
    }
    const next = this.#ordered.peek();
    if (this.#ordered.running === 0 && next !== undefined && this.#oldestUnansweredAck() > next.ackSeq) {
      this.#ordered.take();
      this.#wakeRoom(this.#ordered);
      void this.#run(next, this.#ordered);
    }
    if (this.#isIdle() && this.#idleWaiters.length > 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  /** Number of the oldest ACKNOWLEDGE queued or in flight; Infinity when there is none. */
  #oldestUnansweredAck(): number {
    let oldest = this.#acks.peek()?.ackSeq ?? Infinity;
    for (const seq of this.#acksInFlight) if (seq < oldest) oldest = seq;
    return oldest;
  }

  async #run(job: Job, lane: Lane): Promise<void> {
    lane.running++;
    let subscription: Subscription | undefined;
    try {
      // Re-checked here: the subscription may have changed while the call waited its turn.
      subscription = this.state.requireSubscription(job.call.type);
      const stamped: SchedulerCall = { ...job.call, framework_id: { value: subscription.frameworkId.value } };
      await this.transport.call(subscription.masterUrl, stamped, {
        streamId: subscription.streamId,
        signal: job.signal,
        // A repeated ACKNOWLEDGE is ignored by the agent, so it may ride the pipeline (and be
        // sent again on a new connection when this one fails before its answer).
        ...(lane === this.#acks ? { isRepeatable: true } : {}),
      });
      job.resolve();
    } catch (error) {
      if (subscription !== undefined && error instanceof MesosHttpError && error.subscriptionLost) this.onSubscriptionLost(subscription, error);
      job.reject(error);
    } finally {
      lane.running--;
      if (lane === this.#acks) this.#acksInFlight.delete(job.ackSeq);
      this.#pump();
    }
  }

  /** Resolves when `lane` may have room; rejects with the caller's or the queue's abort reason. */
  #room(lane: Lane, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const i = lane.roomWaiters.indexOf(waiter);
        if (i !== -1) lane.roomWaiters.splice(i, 1);
        reject(signal!.reason);
      };
      const waiter = {
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject: (error: unknown) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      lane.roomWaiters.push(waiter);
    });
  }

  #wakeRoom(lane: Lane): void {
    if (lane.waiting < MAX_QUEUED_CALLS) lane.roomWaiters.shift()?.resolve();
  }

  /** The close signal fired: every queued call and every caller waiting for room rejects. */
  #close(reason: unknown): void {
    for (const lane of [this.#ordered, this.#acks]) {
      lane.drain((job) => job.reject(reason));
      for (const waiter of lane.roomWaiters.splice(0)) waiter.reject(reason);
    }
    this.#pump();
  }
}
