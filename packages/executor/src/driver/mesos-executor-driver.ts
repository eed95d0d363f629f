/**
 * The libmesos `ExecutorDriver`, over the v1 executor HTTP API (docs/protocol.md, "Executor calls").
 * Who does what: SubscriptionLoop keeps the stream open, decodeEvent checks each record,
 * this class turns events into bookkeeping (Unacknowledged) and serialized callbacks
 * (CallbackQueue), and DriverLifecycle owns shutdown and stop.
 *
 * Process exit: the driver never ends the process. When the agent sends SHUTDOWN or is gone
 * for good, it calls the executor's `shutdown`, flushes, releases its sockets and timers and
 * resolves `join()`/`run()`. The executor program decides how to exit (GoTaskExecutor.run()
 * returns; a hand-written `main` exits with 0 for DRIVER_STOPPED and 1 otherwise after
 * `run()`, which also covers tasks it forgot to stop). The agent SIGKILLs anything
 * still alive after the grace period.
 */
import { EventEmitter } from 'eventemitter3';
import {
  assertNever,
  InvalidArgumentError,
  MesosHttpError,
  newStatusUuid,
  NotSubscribedError,
  ProtocolError,
  type CallLanes,
  type ExecutorCall,
  type ExecutorEvent,
  type TaskInfo,
  type TaskStatus,
} from '@mesosgot/common/internal';
import { message } from '../calls/message.js';
import { subscribe } from '../calls/subscribe.js';
import { stampStatus, update } from '../calls/update.js';
import type { ExecutorIds } from '../calls/executor-ids.js';
import { decodeEvent } from '../events/decode.js';
import { loadAgentEnv, type AgentEnv } from './agent-env.js';
import type { AgentTransport } from './agent-transport.js';
import { CallbackQueue } from './callback-queue.js';
import { canTransition, type ConnectionState } from './connection-state.js';
import { DriverLifecycle, type DriverStatus } from './driver-lifecycle.js';
import type { Executor } from './executor.js';
import type { ExecutorDriver, ExecutorDriverEvents } from './executor-driver.js';
import { HttpAgentTransport } from './http-agent-transport.js';
import { SubscriptionLoop } from './subscription-loop.js';
import { Unacknowledged } from './unacknowledged.js';

/** Options of MesosExecutorDriver; every one has a default suited to running under a Mesos agent. */
export interface ExecutorDriverOptions {
  /** Where MESOS_* come from. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Bound on stop()'s flush of calls and acknowledgements, in ms. Default DEFAULT_STOP_TIMEOUT_MS. */
  stopTimeoutMs?: number;
  /** Jitter for re-subscribe delays, in [0, 1). Default Math.random. */
  random?: () => number;
  /** Replaces the HTTP transport (tests). */
  transport?: AgentTransport;
  /** Deadline for SUBSCRIBED after each SUBSCRIBE, in ms (default 15 s); then the stream counts as broken. */
  subscribedTimeoutMs?: number;
}

/** How long stop() waits for in-flight calls and acknowledgements before closing anyway. */
export const DEFAULT_STOP_TIMEOUT_MS = 2_000;

export class MesosExecutorDriver implements ExecutorDriver {
  readonly events = new EventEmitter<ExecutorDriverEvents>();
  /** The configuration read from the environment at construction. */
  readonly agentEnv: AgentEnv;
  readonly #executor: Executor;
  readonly #ids: ExecutorIds;
  readonly #transport: AgentTransport;
  readonly #unacknowledged = new Unacknowledged();
  readonly #callbacks: CallbackQueue;
  /**
   * Calls leave in CallLanes' order (docs/protocol.md, "Connections"): UPDATEs pipelined, one at a
   * time per task (the agent ignores a repeated uuid); MESSAGEs one at a time, each after the
   * UPDATEs sent before it were answered.
   */
  readonly #calls: CallLanes;
  readonly #lifecycle: DriverLifecycle;
  readonly #random: (() => number) | undefined;
  readonly #subscribedTimeoutMs: number | undefined;
  /** Written only by #transition. */
  #state: ConnectionState = 'connecting';
  #loop: SubscriptionLoop | undefined;
  #hasRegistered = false;

  /** Reads the environment; throws InvalidArgumentError naming a missing or malformed MESOS_* variable. */
  constructor(executor: Executor, options: ExecutorDriverOptions = {}) {
    this.#executor = executor;
    this.agentEnv = loadAgentEnv(options.env ?? process.env);
    this.#ids = { frameworkId: this.agentEnv.frameworkId, executorId: this.agentEnv.executorId };
    this.#transport = options.transport ?? new HttpAgentTransport(this.agentEnv);
    this.#random = options.random;
    this.#subscribedTimeoutMs = options.subscribedTimeoutMs;
    this.#callbacks = new CallbackQueue((error, what) => this.#callbackFailed(error, what));
    this.#lifecycle = new DriverLifecycle({
      stopTimeoutMs: options.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS,
      shutdownGracePeriodMs: this.agentEnv.shutdownGracePeriodMs,
      callbacks: this.#callbacks,
      unacknowledged: this.#unacknowledged,
      transport: this.#transport,
      isStreamAlive: () => this.#state === 'subscribed',
      onClosing: () => this.#transition('closed'),
      runShutdownCallback: () => this.#deliver('shutdown', () => this.#executor.shutdown?.(this)),
    });
    this.#calls = this.#lifecycle.calls;
  }

  get driverStatus(): DriverStatus {
    return this.#lifecycle.status;
  }

  /** Where the connection to the agent stands: connecting, subscribed, reconnecting, lost or closed. */
  get connectionState(): ConnectionState {
    return this.#state;
  }

  /** Updates sent and not yet ACKNOWLEDGED, oldest first (what the next SUBSCRIBE would replay). */
  unacknowledgedUpdates(): TaskStatus[] {
    return this.#unacknowledged.updates();
  }

  /** Launched tasks none of whose updates was ACKNOWLEDGED yet. */
  unacknowledgedTasks(): TaskInfo[] {
    return this.#unacknowledged.tasks();
  }

  closed(): Promise<Error | undefined> {
    return this.#lifecycle.closed();
  }

  start(): Promise<DriverStatus> {
    if (this.#lifecycle.status !== 'DRIVER_NOT_STARTED') {
      return Promise.reject(new InvalidArgumentError('driver.status', this.#lifecycle.status, 'start() may be called only once'));
    }
    const loop = new SubscriptionLoop({
      transport: this.#transport,
      subscribeCall: () => this.#subscribeCall(),
      isCheckpointing: this.agentEnv.isCheckpointing,
      recoveryTimeoutMs: this.agentEnv.recoveryTimeoutMs,
      subscriptionBackoffMaxMs: this.agentEnv.subscriptionBackoffMaxMs,
      onRecord: (record) => this.#onRecord(record),
      onDisconnected: (_cause, willRetry) => {
        this.#transition(willRetry ? 'reconnecting' : 'lost');
        void this.#deliver('disconnected', () => this.#executor.disconnected?.(this));
      },
      canReconnect: () => !this.#lifecycle.isShuttingDown,
      ...(this.#random ? { random: this.#random } : {}),
      ...(this.#subscribedTimeoutMs === undefined ? {} : { subscribedTimeoutMs: this.#subscribedTimeoutMs }),
      signal: this.#lifecycle.signal,
    });
    this.#loop = loop;
    this.#lifecycle.begin(
      loop.run().then((reason) => {
        this.#transition('lost');
        // Never registered: no tasks to shut down, start() rejects with the reason.
        void this.#lifecycle.shutdown(reason, this.#hasRegistered);
      }),
    );
    return this.#lifecycle.started().then(() => 'DRIVER_RUNNING' as const);
  }

  stop(): Promise<DriverStatus> {
    return this.#lifecycle.stop();
  }

  abort(): Promise<DriverStatus> {
    return this.#lifecycle.abort();
  }

  join(): Promise<DriverStatus> {
    return this.#lifecycle.join();
  }

  async run(): Promise<DriverStatus> {
    // A start() failure also ends the driver: join() then resolves with DRIVER_ABORTED.
    await this.start().catch(() => undefined);
    return this.join();
  }

  sendStatusUpdate(status: TaskStatus): Promise<void> {
    const stamped = stampStatus(this.#ids, status, newStatusUuid()) as TaskStatus & { uuid: string };
    if (this.#state === 'reconnecting' && !this.#lifecycle.isClosing) {
      // Agent restarting: the re-SUBSCRIBE carries it (how Mesos executors survive restarts, docs/protocol.md, "Agent restarts").
      this.#unacknowledged.addUpdate(stamped);
      return Promise.resolve();
    }
    if (this.#state !== 'subscribed' || this.#lifecycle.isClosing) return Promise.reject(new NotSubscribedError('UPDATE'));
    this.#unacknowledged.addUpdate(stamped);
    return this.#send(update(this.#ids, stamped), stamped.task_id.value).catch((error: unknown) => {
      if (error instanceof MesosHttpError && !error.retryable) {
        this.#unacknowledged.discardUpdate(stamped.uuid);
        throw error;
      }
      // Lost on the way (agent dying, 503 while recovering): a checkpointing executor resends it
      // with the next SUBSCRIBE; without checkpointing the driver is about to shut down.
      if (this.agentEnv.isCheckpointing && this.#state !== 'lost' && this.#state !== 'closed') return;
      this.#unacknowledged.discardUpdate(stamped.uuid);
      throw error;
    });
  }

  sendFrameworkMessage(data: Uint8Array | string): Promise<void> {
    if (this.#state !== 'subscribed' || this.#lifecycle.isClosing) return Promise.reject(new NotSubscribedError('MESSAGE'));
    return this.#send(message(this.#ids, data));
  }

  /** Calls stop(); resolves once the driver has released everything. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** Queues `call`; an UPDATE names its task (`updateOf`), which makes it repeatable. */
  #send(call: ExecutorCall, updateOf?: string): Promise<void> {
    const isRepeatable = updateOf !== undefined;
    return this.#calls.add(
      // The call's own signal (closing aborts it): one abort listener per call, on no shared signal.
      (signal) => this.#transport.send(call, signal, isRepeatable ? { isRepeatable } : {}),
      isRepeatable ? { isRepeatable, key: updateOf } : {},
    );
  }

  #subscribeCall(): ExecutorCall {
    return subscribe(this.#ids, { tasks: this.#unacknowledged.tasks(), updates: this.#unacknowledged.updates() });
  }

  #transition(next: ConnectionState): void {
    if (this.#state === next && next !== 'subscribed') return;
    if (!canTransition(this.#state, next)) return; // e.g. a late stream event after close: state stays closed
    this.#state = next;
    this.#lifecycle.notify();
  }

  async #onRecord(record: unknown): Promise<void> {
    if (this.#state === 'closed') return;
    if (record instanceof ProtocolError) return this.#report(record.message);
    let event: ExecutorEvent;
    try {
      event = decodeEvent(record);
    } catch (error) {
      return this.#report((error as Error).message);
    }
    await this.#handleEvent(event);
  }

  async #handleEvent(event: ExecutorEvent): Promise<void> {
    switch (event.type) {
      case 'SUBSCRIBED': {
        const { executor_info, framework_info, agent_info } = event.subscribed;
        this.#transition('subscribed');
        this.#loop?.markSubscribed();
        if (!this.#hasRegistered) {
          this.#hasRegistered = true;
          const queued = this.#deliver('registered', () => this.#executor.registered?.(this, executor_info, framework_info, agent_info), [executor_info, framework_info, agent_info]);
          this.#lifecycle.markStarted();
          return queued;
        }
        return this.#deliver('reregistered', () => this.#executor.reregistered?.(this, agent_info), [agent_info]);
      }
      case 'LAUNCH':
        return this.#launch([event.launch.task]);
      case 'LAUNCH_GROUP':
        // libmesos' Executor has no group callback: each task is launched in order.
        return this.#launch(event.launch_group.task_group.tasks ?? []);
      case 'KILL': {
        const taskId = event.kill.task_id;
        return this.#deliver('killTask', () => this.#executor.killTask?.(this, taskId), [taskId]);
      }
      case 'ACKNOWLEDGED': {
        const { task_id, uuid } = event.acknowledged;
        if (this.#unacknowledged.acknowledge(task_id.value, uuid)) {
          this.events.emit('acknowledged', task_id, uuid);
          this.#lifecycle.notify();
        }
        return;
      }
      case 'MESSAGE': {
        const data = Buffer.from(event.message.data, 'base64');
        return this.#deliver('frameworkMessage', () => this.#executor.frameworkMessage?.(this, data), [data]);
      }
      case 'SHUTDOWN':
        void this.#lifecycle.shutdown(undefined, true);
        return;
      case 'ERROR':
        return this.#report(`agent sent ERROR: ${event.error.message}`);
      case 'HEARTBEAT':
        return;
      default:
        return assertNever(event, 'executor event');
    }
  }

  async #launch(tasks: TaskInfo[]): Promise<void> {
    for (const task of tasks) {
      this.#unacknowledged.addTask(task);
      await this.#deliver('launchTask', () => this.#executor.launchTask?.(this, task), [task]);
    }
  }

  #report(text: string): Promise<void> {
    return this.#deliver('error', () => this.#executor.error?.(this, text), [text]);
  }

  /** Queues one callback and its emitter event, behind every earlier one. */
  #deliver<K extends keyof ExecutorDriverEvents>(
    name: K,
    callback: () => unknown,
    args?: ExecutorDriverEvents[K],
  ): Promise<void> {
    return this.#callbacks.enqueue(name, () => {
      (this.events.emit as (event: K, ...rest: unknown[]) => boolean)(name, ...((args ?? []) as unknown[]));
      return callback();
    });
  }

  #callbackFailed(error: unknown, what: string): void {
    const text = `${what} callback failed: ${error instanceof Error ? error.message : String(error)}`;
    // A failing error callback is not reported again (that could loop); the emitter still sees it.
    if (what === 'error') {
      this.events.emit('error', text);
      return;
    }
    void this.#report(text);
  }
}
