/**
 * How an executor driver ends: SHUTDOWN or the agent gone for good (shutdown callback, then
 * stop within the grace period), stop() (flush, then close) and abort() (close now). Every path
 * funnels into one close that releases the stream, the call connection and the timers, then
 * settles join() and closed().
 */
import { CallLanes, DriverStoppedError, TimeoutError } from '@mesosgot/common/internal';
import type { AgentTransport } from './agent-transport.js';
import type { CallbackQueue } from './callback-queue.js';
import { deferred } from './deferred.js';
import type { Unacknowledged } from './unacknowledged.js';

/** libmesos' driver Status values that an executor driver can be in. */
export type DriverStatus = 'DRIVER_NOT_STARTED' | 'DRIVER_RUNNING' | 'DRIVER_ABORTED' | 'DRIVER_STOPPED';

/** Part of the grace period kept for closing sockets and exiting before the agent's SIGKILL. */
const SHUTDOWN_MARGIN_MS = 1_000;
const SHUTDOWN_MARGIN_FRACTION = 0.2;

export interface DriverLifecycleOptions {
  stopTimeoutMs: number;
  shutdownGracePeriodMs: number;
  callbacks: CallbackQueue;
  unacknowledged: Unacknowledged;
  transport: AgentTransport;
  /** True while the event stream is open, so ACKNOWLEDGED can still arrive. */
  isStreamAlive: () => boolean;
  /** Called once when closing begins (the connection state becomes `closed`). */
  onClosing: () => void;
  /** Queues the executor's `shutdown` callback; resolves when it is queued. */
  runShutdownCallback: () => Promise<void>;
}

export class DriverLifecycle {
  readonly #options: DriverLifecycleOptions;
  /** Aborted when closing: ends the stream loop and in-flight calls. */
  readonly #controller = new AbortController();
  /** The driver's calls; each in flight gets a signal of its own that closing aborts. */
  readonly calls = new CallLanes({ closeSignal: this.#controller.signal });
  /** Aborted by abort(): cuts a running stop()'s flush short. */
  readonly #flushCut = new AbortController();
  readonly #started = deferred<void>();
  readonly #ended = deferred<DriverStatus>();
  readonly #closedReason = deferred<Error | undefined>();
  /** Renewed by notify(): flush waits on it for acknowledgements and state changes. */
  #change = deferred<void>();
  #status: DriverStatus = 'DRIVER_NOT_STARTED';
  #loopDone: Promise<void> = Promise.resolve();
  #isShuttingDown = false;
  #closing: Promise<DriverStatus> | undefined;

  constructor(options: DriverLifecycleOptions) {
    this.#options = options;
    // start() hands this promise out; nobody may be listening when stop() comes first.
    this.#started.promise.catch(() => undefined);
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }
  get status(): DriverStatus {
    return this.#status;
  }
  get isShuttingDown(): boolean {
    return this.#isShuttingDown;
  }
  get isClosing(): boolean {
    return this.#closing !== undefined;
  }

  /** The stream loop is running; `loopDone` settles when it has released its socket. */
  begin(loopDone: Promise<void>): void {
    this.#status = 'DRIVER_RUNNING';
    // The loop rejects with the abort reason when we close it: that is its normal end.
    this.#loopDone = loopDone.catch(() => undefined);
  }
  markStarted(): void {
    this.#started.resolve();
  }
  started(): Promise<void> {
    return this.#started.promise;
  }
  join(): Promise<DriverStatus> {
    return this.#ended.promise;
  }
  closed(): Promise<Error | undefined> {
    return this.#closedReason.promise;
  }
  /** Something a flush may wait for changed (an acknowledgement, the connection state). */
  notify(): void {
    const change = this.#change;
    this.#change = deferred<void>();
    change.resolve();
  }

  /**
   * SHUTDOWN (reason undefined) or the agent gone for good (reason set): run the executor's
   * shutdown callback, if `runCallback`, then close, all within the grace period less a margin.
   * The close flushes queued calls but waits for no ACKNOWLEDGED (see #closeOnce).
   */
  async shutdown(reason: Error | undefined, runCallback: boolean): Promise<void> {
    if (this.#isShuttingDown || this.#closing) return;
    this.#isShuttingDown = true;
    const grace = this.#options.shutdownGracePeriodMs;
    const budget = Math.max(0, grace - Math.min(SHUTDOWN_MARGIN_MS, grace * SHUTDOWN_MARGIN_FRACTION));
    const deadline = Date.now() + budget;
    let status: DriverStatus = reason ? 'DRIVER_ABORTED' : 'DRIVER_STOPPED';
    let why = reason;
    if (runCallback) {
      await this.#options.runShutdownCallback();
      if (!(await this.#before(this.#options.callbacks.idle(), deadline))) {
        why ??= new TimeoutError('the executor shutdown callback did not finish within the grace period', budget);
        status = 'DRIVER_ABORTED';
      }
    }
    await this.#close(status, why, deadline);
  }

  stop(): Promise<DriverStatus> {
    return this.#close('DRIVER_STOPPED', undefined, Date.now() + this.#options.stopTimeoutMs);
  }

  abort(): Promise<DriverStatus> {
    this.#flushCut.abort();
    return this.#close('DRIVER_ABORTED', undefined, Date.now());
  }

  #close(status: DriverStatus, reason: Error | undefined, deadline: number): Promise<DriverStatus> {
    this.#closing ??= this.#closeOnce(status, reason, deadline);
    return this.#closing;
  }

  async #closeOnce(status: DriverStatus, reason: Error | undefined, deadline: number): Promise<DriverStatus> {
    const { unacknowledged, isStreamAlive, callbacks, transport } = this.#options;
    const calls = this.calls;
    if (this.#status === 'DRIVER_RUNNING') {
      // Flush: calls already queued (each UPDATE answered 202: the agent has it, docs/protocol.md, "Executor calls")...
      await this.#before(calls.onIdle(), deadline);
      // ...then, on stop(), the ACKNOWLEDGED of every update sent (docs/design.md, "Streams and cancellation"). Not after SHUTDOWN
      // or with the agent gone: this driver never re-subscribes then, so an unacknowledged update
      // would never be resent, and after a TEARDOWN the agent drops the updates of the framework
      // being shut down without acknowledging them (Mesos slave.cpp statusUpdate;
      // docs/protocol.md, "Teardown and shutdown"): waiting would only burn the grace period. The last updates are best effort.
      while (!this.#isShuttingDown && unacknowledged.hasPendingUpdates && isStreamAlive()) {
        if (!(await this.#before(this.#change.promise, deadline))) break;
      }
    }
    const final = this.#flushCut.signal.aborted ? 'DRIVER_ABORTED' : status;
    this.#options.onClosing();
    callbacks.close();
    // Calls still queued are dropped with the driver's end; those in flight end with the abort below.
    calls.close(new DriverStoppedError('executor driver closed before the call was sent'));
    this.#controller.abort(new DriverStoppedError(`executor driver ${final === 'DRIVER_STOPPED' ? 'stopped' : 'aborted'}`));
    await this.#loopDone;
    await transport.close();
    this.#status = final;
    this.#started.reject(reason ?? new DriverStoppedError('the executor driver ended before it subscribed'));
    this.#closedReason.resolve(reason);
    this.#ended.resolve(final);
    return final;
  }

  /** True if `promise` settled before `deadline` (and before abort() cut the flush). */
  async #before(promise: Promise<unknown>, deadline: number): Promise<boolean> {
    const cut = this.#flushCut.signal;
    if (cut.aborted) return false;
    let timer: NodeJS.Timeout | undefined;
    let onCut: (() => void) | undefined;
    const expired = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
      onCut = () => resolve(false);
      cut.addEventListener('abort', onCut, { once: true });
    });
    try {
      return await Promise.race([promise.then(() => true, () => true), expired]);
    } finally {
      clearTimeout(timer);
      if (onCut) cut.removeEventListener('abort', onCut);
    }
  }
}
