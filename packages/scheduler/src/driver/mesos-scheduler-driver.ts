/**
 * MesosSchedulerDriver: libmesos' SchedulerDriver over the v1 HTTP scheduler API. It wires the
 * parts together; each concern lives in its own file: subscription.ts (re-subscribe loop),
 * connection-state.ts, call-queue.ts, callback-queue.ts, acknowledgements.ts, events/dispatch.ts.
 */
import {
  DEFAULT_CONTENT_TYPE,
  exponentialBackoff,
  DriverStoppedError,
  type AgentID,
  type ExecutorID,
  type Filters,
  type FrameworkInfo,
  type KillPolicy,
  type OfferID,
  type OfferOperation,
  type SchedulerCall,
  type SchedulerEvent,
  type TaskID,
  type TaskInfo,
  type TaskStatus,
} from '@mesosgot/common/internal';
import { EventEmitter } from 'eventemitter3';
import { setMaxListeners } from 'node:events';
import * as calls from '../calls/index.js';
import { callbacksFor, invokeCallback } from '../events/dispatch.js';
import type { SchedulerCallback, SchedulerCallbackArgs } from '../events/scheduler-callback.js';
import type { Scheduler } from '../scheduler.js';
import { Acknowledgements } from './acknowledgements.js';
import { CallQueue, MAX_QUEUED_CALLS } from './call-queue.js';
import { CallbackQueue } from './callback-queue.js';
import { ConnectionState, type Subscription } from './connection-state.js';
import { createMasterDetector } from './create-master-detector.js';
import { DEFAULT_BACKOFF_INITIAL_MS, DEFAULT_BACKOFF_MAX_MS, type SchedulerDriverOptions } from './driver-options.js';
import { DEFAULT_HEARTBEAT_TIMEOUT_FACTOR } from './heartbeat-watchdog.js';
import { HttpMasterTransport } from './http-master-transport.js';
import { StaticMasterDetector } from './static-master-detector.js';
import type { MasterDetector } from './master-detector.js';
import type { MasterTransport } from './master-transport.js';
import type { DriverStatus, SchedulerDriver } from './scheduler-driver.js';
import { StatusStream, type ConnectionStatus } from './status-stream.js';
import { SubscriptionLoop, type SubscriptionSink } from './subscription.js';

export class MesosSchedulerDriver implements SchedulerDriver, SubscriptionSink {
  readonly events = new EventEmitter<SchedulerCallbackArgs>();
  /** Lifecycle status; written by start() and #finish() only. */
  #status: DriverStatus = 'DRIVER_NOT_STARTED';
  /** True from stop() on: the loop must not re-subscribe after TEARDOWN closes the stream. */
  #isStopping = false;
  readonly #frameworkInfo: FrameworkInfo;
  readonly #detector: MasterDetector;
  readonly #transport: MasterTransport;
  readonly #state: ConnectionState;
  readonly #calls: CallQueue;
  readonly #callbacks: CallbackQueue;
  readonly #acks: Acknowledgements;
  readonly #statusStream = new StatusStream();
  /** Aborted by stop/abort: ends the subscription loop (and its stream) and queued calls. */
  readonly #stopController = new AbortController();
  readonly #loop: SubscriptionLoop;
  #loopDone: Promise<void> = Promise.resolve();
  /** Settles when stop/abort has released everything. */
  #finished: Promise<DriverStatus> | undefined;
  #resolveClosed!: (error: Error | undefined) => void;
  readonly #closed = new Promise<Error | undefined>((resolve) => (this.#resolveClosed = resolve));

  /**
   * Validates its arguments synchronously (InvalidArgumentError for a bad master list or
   * FrameworkInfo); opens no connection until start(). `master`: a URL, `host:port`, a
   * comma-separated list or array of them, a `zk://host:port,…/path` URL, or a MasterDetector.
   */
  constructor(
    private readonly scheduler: Scheduler,
    frameworkInfo: FrameworkInfo,
    master: string | readonly string[] | MasterDetector,
    private readonly options: SchedulerDriverOptions = {},
  ) {
    this.#frameworkInfo = { ...frameworkInfo };
    if (options.credential !== undefined) this.#frameworkInfo.principal ??= options.credential.principal;
    calls.subscribe(this.#frameworkInfo); // throws InvalidArgumentError now rather than at start()
    // zk:// ⇒ ZooKeeper detection; URLs or host:port lists ⇒ tried in turn; a detector as given.
    this.#detector = createMasterDetector(master);
    this.#transport =
      options.transport ??
      new HttpMasterTransport({
        ...(options.credential ?? {}),
        ...(options.tlsCa === undefined ? {} : { ca: options.tlsCa }),
        ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
        ...(this.#detector instanceof StaticMasterDetector ? { knownMasters: this.#detector.masters } : {}),
        contentType: options.contentType ?? DEFAULT_CONTENT_TYPE,
      });
    this.#state = new ConnectionState(frameworkInfo.id);
    // Calls in flight (call-queue.ts bounds them) and the callers of the driver's waits listen on
    // the stop signal; not a leak.
    setMaxListeners(MAX_QUEUED_CALLS + 16, this.#stopController.signal);
    this.#calls = new CallQueue(this.#transport, this.#state, (s, e) => this.#loop.dropSubscription(s.attempt, e), this.#stopController.signal);
    this.#callbacks = new CallbackQueue(
      (cb) => invokeCallback(cb, this.scheduler, this, this.events),
      (cb) => this.#status === 'DRIVER_RUNNING' || cb.name === 'error',
      (error) => void this.#finish('DRIVER_ABORTED', error instanceof Error ? error : new Error(String(error)), false),
    );
    this.#acks = new Acknowledgements(options.implicitAcknowledgements ?? true, (call) => this.#calls.send(call), (status, error) =>
      this.#statusStream.publish({ type: 'acknowledgementFailed', taskId: status.task_id.value, error }),
    );
    this.#loop = new SubscriptionLoop({
      detector: this.#detector,
      transport: this.#transport,
      state: this.#state,
      sink: this,
      subscribeCall: () => this.#subscribeCall(),
      backoff: exponentialBackoff({
        initialMs: options.backoff?.initialMs ?? DEFAULT_BACKOFF_INITIAL_MS,
        maxMs: options.backoff?.maxMs ?? DEFAULT_BACKOFF_MAX_MS,
        ...(options.backoff?.jitter === undefined ? {} : { jitter: options.backoff.jitter }),
      }),
      heartbeatTimeoutFactor: options.heartbeatTimeoutFactor ?? DEFAULT_HEARTBEAT_TIMEOUT_FACTOR,
      ...(options.subscribedTimeoutMs === undefined ? {} : { subscribedTimeoutMs: options.subscribedTimeoutMs }),
      signal: this.#stopController.signal,
      shouldResubscribe: () => !this.#isStopping,
    });
  }

  get driverStatus(): DriverStatus {
    return this.#status;
  }

  async start(): Promise<DriverStatus> {
    if (this.#status !== 'DRIVER_NOT_STARTED') return this.#status;
    this.#status = 'DRIVER_RUNNING';
    this.#loopDone = this.#loop.run();
    return this.#status;
  }

  async stop(failover = false): Promise<DriverStatus> {
    if (this.#status !== 'DRIVER_RUNNING') return this.#finished ?? this.#status;
    this.#isStopping = true;
    let teardownError: unknown;
    // stop() flushes: calls already made go out before TEARDOWN or the stream closes.
    await this.#calls.onIdle();
    if (!failover && this.#state.phase === 'subscribed') {
      await this.#calls.send(calls.teardown()).catch((error: unknown) => (teardownError = error));
    }
    const status = await this.#finish('DRIVER_STOPPED', undefined, true);
    if (teardownError !== undefined) throw teardownError;
    return status;
  }

  async abort(): Promise<DriverStatus> {
    if (this.#status !== 'DRIVER_RUNNING') return this.#finished ?? this.#status;
    return this.#finish('DRIVER_ABORTED', new DriverStoppedError('driver aborted'), false);
  }

  async join(): Promise<DriverStatus> {
    if (this.#status === 'DRIVER_NOT_STARTED') return this.#status;
    await this.#closed;
    return this.#finished ?? this.#status;
  }

  async run(): Promise<DriverStatus> {
    await this.start();
    return this.join();
  }

  status(options: { signal?: AbortSignal } = {}): AsyncIterable<ConnectionStatus> {
    return this.#statusStream.subscribe(options);
  }

  closed(): Promise<Error | undefined> {
    return this.#closed;
  }

  /** Calls stop() (with TEARDOWN); resolves once the driver has released everything. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  requestResources(requests: Parameters<typeof calls.request>[0]): Promise<DriverStatus> {
    return this.#send(() => calls.request(requests));
  }
  launchTasks(offerIds: readonly OfferID[], tasks: readonly TaskInfo[], filters?: Filters): Promise<DriverStatus> {
    return this.#send(() => calls.launch(offerIds, tasks, filters));
  }
  killTask(taskId: TaskID, agentId?: AgentID, killPolicy?: KillPolicy): Promise<DriverStatus> {
    return this.#send(() => calls.kill(taskId, agentId, killPolicy));
  }
  acceptOffers(offerIds: readonly OfferID[], operations: readonly OfferOperation[], filters?: Filters): Promise<DriverStatus> {
    return this.#send(() => calls.accept(offerIds, operations, filters));
  }
  declineOffer(offerId: OfferID, filters?: Filters): Promise<DriverStatus> {
    return this.#send(() => calls.decline([offerId], filters));
  }
  reviveOffers(roles?: readonly string[]): Promise<DriverStatus> {
    return this.#send(() => calls.revive(roles));
  }
  suppressOffers(roles?: readonly string[]): Promise<DriverStatus> {
    return this.#send(() => calls.suppress(roles));
  }
  acknowledgeStatusUpdate(status: TaskStatus): Promise<DriverStatus> {
    return this.#whenRunning(() => this.#acks.explicit(status));
  }
  sendFrameworkMessage(executorId: ExecutorID, agentId: AgentID, data: Uint8Array | string): Promise<DriverStatus> {
    return this.#send(() => calls.message(executorId, agentId, data));
  }
  reconcileTasks(statuses: Parameters<typeof calls.reconcile>[0]): Promise<DriverStatus> {
    return this.#send(() => calls.reconcile(statuses));
  }
  shutdownExecutor(executorId: ExecutorID, agentId: AgentID): Promise<DriverStatus> {
    return this.#send(() => calls.shutdown(executorId, agentId));
  }

  // ---- SubscriptionSink: the loop reports here ------------------------------------------

  /** @hidden The subscription loop reports here (SubscriptionSink); not for applications. */
  connecting(masterUrl: string, attempt: number): void {
    this.#statusStream.publish({ type: 'connecting', masterUrl, attempt });
  }

  /** @hidden The subscription loop reports here (SubscriptionSink); not for applications. */
  async subscribed(s: Subscription, isReregistration: boolean): Promise<void> {
    this.#statusStream.publish({
      type: 'connected',
      masterUrl: s.masterUrl,
      frameworkId: s.frameworkId.value,
      streamId: s.streamId,
      isReregistration,
    });
    const event: SchedulerEvent = { type: 'SUBSCRIBED', subscribed: { framework_id: s.frameworkId, master_info: s.masterInfo } };
    for (const cb of callbacksFor(event, { isReregistration })) await this.#callbacks.push(cb);
    const reconcile = this.options.reconcileOnSubscribe;
    if (reconcile !== undefined && reconcile !== false) {
      const tasks = reconcile === true ? [] : reconcile();
      // A failure here is the subscription's failure, which the loop sees and reports itself.
      this.#calls.send(calls.reconcile(tasks)).catch(() => undefined);
    }
  }

  /** @hidden The subscription loop reports here (SubscriptionSink); not for applications. */
  async event(event: SchedulerEvent): Promise<void> {
    for (const cb of callbacksFor(event, { isReregistration: this.#state.isReregistration })) {
      await this.#callbacks.push(cb, cb.name === 'statusUpdate' ? () => this.#acks.afterStatusUpdate(cb.args[0]) : undefined);
    }
  }

  /** @hidden The subscription loop reports here (SubscriptionSink); not for applications. */
  error(message: string, cause: Error | undefined): void {
    void this.#callbacks.push({ name: 'error', args: cause === undefined ? [message] : [message, cause] });
  }

  /** @hidden The subscription loop reports here (SubscriptionSink); not for applications. */
  disconnected(error: Error | undefined, wasSubscribed: boolean): void {
    if (this.#isStopping) return;
    this.#statusStream.publish({ type: 'disconnected', error });
    if (wasSubscribed) void this.#callbacks.push({ name: 'disconnected', args: [] });
  }

  /** @hidden The subscription loop reports here (SubscriptionSink); not for applications. */
  reconnecting(delayMs: number, error: Error | undefined): void {
    this.#statusStream.publish({ type: 'reconnecting', delayMs, error });
  }

  /** @hidden The subscription loop reports here (SubscriptionSink); not for applications. */
  fatal(message: string, cause: Error | undefined): void {
    const error = cause ?? new DriverStoppedError(`master refused the framework: ${message}`);
    // libmesos aborts the driver before it calls error(); the error callback still runs.
    // join() resolves after that callback ran (#finish waits for the callback queue here; the
    // loop, not a callback, calls fatal(), so that wait cannot deadlock).
    void this.#finish('DRIVER_ABORTED', error, false, true);
    void this.#callbacks.push({ name: 'error', args: cause === undefined ? [message] : [message, cause] });
  }

  // ---- internals --------------------------------------------------------------------------

  #subscribeCall(): SchedulerCall {
    const id = this.#state.frameworkId;
    const info: FrameworkInfo = id === undefined ? this.#frameworkInfo : { ...this.#frameworkInfo, id };
    return calls.subscribe(info, { suppressedRoles: this.options.suppressedRoles ?? [] });
  }

  /** Builds (throwing InvalidArgumentError synchronously, as a rejection) and sends a call while running. */
  #send(build: () => SchedulerCall): Promise<DriverStatus> {
    return this.#whenRunning(() => this.#calls.send(build()));
  }

  async #whenRunning(action: () => Promise<void>): Promise<DriverStatus> {
    if (this.#status !== 'DRIVER_RUNNING' || this.#isStopping) return this.#status;
    await action();
    return this.#status;
  }

  /** Ends the driver once: status, loop, queued calls, sockets, detector; then `closed()` resolves. */
  #finish(
    final: 'DRIVER_STOPPED' | 'DRIVER_ABORTED',
    error: Error | undefined,
    isGraceful: boolean,
    shouldAwaitCallbacks = false,
  ): Promise<DriverStatus> {
    this.#finished ??= (async () => {
      this.#status = final;
      this.#isStopping = true;
      this.#state.close();
      this.#stopController.abort(error ?? new DriverStoppedError('driver stopped'));
      await this.#loopDone;
      if (shouldAwaitCallbacks) await this.#callbacks.onIdle();
      if (isGraceful) await this.#calls.onIdle();
      await this.#transport.close();
      await this.#detector.close?.();
      this.#statusStream.publish({ type: 'stopped', driverStatus: final, error });
      this.#resolveClosed(error);
      return final;
    })();
    return this.#finished;
  }
}
