/**
 * One custom executor's container on the agent, from launch to exit (docs/protocol.md,
 * "Executor rules", "Launch path", "Executor termination"): the launch (launch-container.ts), the registration timeout, SUBSCRIBE
 * and the executor's calls, KILL and SHUTDOWN, agent crash and recovery, and the report when
 * the process ends. Which tasks it has, and the updates the agent writes for them itself, are
 * kept by ExecutorTasks (executor-tasks.ts).
 */
import { randomUUID } from 'node:crypto';
import {
  durationInfoToMs,
  formatStoutDuration,
  type Base64,
  type ContentType,
  type ExecutorCall,
  type ExecutorInfo,
  type FrameworkID,
  type FrameworkInfo,
  type KillPolicy,
  type Resource,
  type TaskInfo,
  type TaskState,
  type TaskStatus,
} from '@mesosgot/common/internal';
import type { AgentContext } from './agent-context.js';
import { isPartitionAware, stampExecutorStatus } from './agent-task-status.js';
import type { ExecutorEventStream } from './executor-event-stream.js';
import { EXECUTOR_TERMINATED, ExecutorTasks, type Termination } from './executor-tasks.js';
import { launchContainer } from './launch-container.js';
import { linkVolumes, persistentVolumes } from './persistent-volumes.js';
import type { ContainerExit, ContainerProcess } from './launcher.js';

/**
 * launching → registering → subscribed → terminating → terminated. `recovering`: the agent
 * restarted and waits for this checkpointed executor to re-subscribe.
 */
export type ExecutorRunState = 'launching' | 'registering' | 'recovering' | 'subscribed' | 'terminating' | 'terminated';

type SubscribePayload = Extract<ExecutorCall, { type: 'SUBSCRIBE' }>['subscribe'];

export class ExecutorRun {
  readonly containerId = randomUUID();
  readonly frameworkId: string;
  readonly executorId: string;
  /** Written by the state machine methods below only. */
  state: ExecutorRunState = 'launching';
  /** The framework is being shut down: Mesos sends no updates for its leftover tasks. */
  frameworkTerminating = false;
  sandbox = '';
  process: ContainerProcess | undefined;
  /** Queued (until SUBSCRIBED, docs/protocol.md, "Launch path") and launched tasks, with the latest state of each. */
  readonly #tasks: ExecutorTasks;
  #stream: ExecutorEventStream | undefined;

  /** Encoding of the current subscription stream, as the executor's `Accept` chose it. */
  get streamContentType(): ContentType | undefined {
    return this.#stream?.contentType;
  }
  #termination: Termination | undefined;
  /** The registration timeout (start) or re-registration timeout (recover); cleared by SUBSCRIBE. */
  #timer: NodeJS.Timeout | undefined;
  /** SIGKILL at the end of the shutdown grace period (docs/protocol.md, "Executor termination"). */
  #shutdownTimer: NodeJS.Timeout | undefined;
  /** Set by the exit listener; read when the agent comes back from a crash. */
  #exit: ContainerExit | undefined;
  #reported = false;
  /** The agent asked it to go (SHUTDOWN or destroy): a non-zero exit is then no failure of its own. */
  #isShutdownRequested = false;
  /** Persistent volumes of the executor and its tasks (linked into the sandbox); written by addTask. */
  readonly #volumes: Resource[] = [];

  constructor(
    private readonly ctx: AgentContext,
    framework: FrameworkInfo & { id: FrameworkID },
    readonly executorInfo: ExecutorInfo,
  ) {
    this.frameworkId = framework.id.value;
    this.executorId = executorInfo.executor_id.value;
    this.#tasks = new ExecutorTasks(ctx, framework, this.executorId);
    this.#volumes.push(...persistentVolumes(executorInfo.resources));
  }

  /** Creates the sandbox, fetches the URIs and starts the process; failures end the run (docs/protocol.md, "Executor termination"). */
  async start(): Promise<void> {
    try {
      this.process = await launchContainer(this.ctx, {
        frameworkId: this.frameworkId,
        executorId: this.executorId,
        containerId: this.containerId,
        command: this.executorInfo.command ?? {},
        checkpoint: this.ctx.framework(this.frameworkId)?.checkpoint === true,
        shutdownGracePeriodMs: this.#gracePeriodMs(),
        onSandbox: (sandbox) => (this.sandbox = sandbox),
        volumes: () => this.#volumes,
        isCancelled: () => this.#isEnding(),
      });
      if (this.process === undefined) return;
    } catch (error) {
      this.#termination = {
        state: 'TASK_FAILED',
        reason: 'REASON_CONTAINER_LAUNCH_FAILED',
        message: `Failed to launch container: ${error instanceof Error ? error.message : String(error)}`,
      };
      this.#finish(-1);
      return;
    }
    void this.process.exited.then((exit) => this.#onExit(exit));
    if (this.#isEnding()) {
      // Shut down (or destroyed) while it was still being launched: nothing to wait for.
      this.process.kill('SIGKILL');
      return;
    }
    this.state = 'registering';
    const timeoutMs = this.ctx.timeouts.registrationTimeoutMs;
    this.#timer = setTimeout(() => {
      if (this.state !== 'registering') return;
      this.#termination = {
        state: 'TASK_FAILED',
        reason: 'REASON_EXECUTOR_REGISTRATION_TIMEOUT',
        message: `Executor did not register within ${formatStoutDuration(timeoutMs)}`,
      };
      this.state = 'terminating';
      this.process?.kill('SIGKILL');
    }, timeoutMs);
  }

  /** Queues the task until SUBSCRIBED, or delivers it now (docs/protocol.md, "Launch path"). */
  addTask(task: TaskInfo): void {
    this.#addVolumes(persistentVolumes(task.resources));
    if (this.state === 'subscribed' && this.#stream) {
      this.#tasks.launched(task);
      this.#stream.send({ type: 'LAUNCH', launch: { task } });
    } else {
      this.#tasks.queue(task);
    }
  }

  /**
   * Volumes of tasks given before the sandbox exists are linked by start(); later ones now. A
   * link that cannot be made leaves the task without its volume, as the task then finds out.
   */
  #addVolumes(volumes: Resource[]): void {
    if (volumes.length === 0) return;
    this.#volumes.push(...volumes);
    if (this.sandbox !== '') void linkVolumes(this.ctx.workDir, this.sandbox, volumes).catch(() => undefined);
  }

  hasTask(taskId: string): boolean {
    return this.#tasks.has(taskId);
  }

  /** Every task of this executor with the latest state the agent saw (queued ones are STAGING). */
  tasks(): { info: TaskInfo; state: TaskState }[] {
    return this.#tasks.all();
  }

  /**
   * SUBSCRIBE accepted: SUBSCRIBED first, then queued LAUNCHes; a re-subscribe replaces (and
   * closes) the older stream (docs/protocol.md, "Executor rules", rule 8) and replays the executor's unacknowledged updates (docs/protocol.md, "Executor rules", rule 7).
   */
  subscribe(stream: ExecutorEventStream, payload: SubscribePayload): void {
    if (this.state === 'terminating' || this.state === 'terminated') {
      // docs/protocol.md, "Agent restarts": a terminating executor's SUBSCRIBE gets a stream with just SHUTDOWN.
      stream.send({ type: 'SHUTDOWN' });
      stream.end();
      return;
    }
    const recovering = this.state === 'recovering';
    const previous = this.#stream;
    this.#stream = stream;
    previous?.end();
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.state = 'subscribed';
    stream.onClose(() => {
      if (this.#stream === stream) this.#stream = undefined;
    });
    const framework = this.ctx.framework(this.frameworkId);
    stream.send({
      type: 'SUBSCRIBED',
      subscribed: {
        executor_info: { ...this.executorInfo, framework_id: { value: this.frameworkId } },
        framework_info: framework ?? { user: '', name: '', id: { value: this.frameworkId } },
        agent_info: this.ctx.agentInfo(),
        container_id: { value: this.containerId },
      },
    });
    this.#tasks.adopt(payload.unacknowledged_tasks ?? []);
    for (const update of payload.unacknowledged_updates ?? []) {
      if (update?.status?.uuid !== undefined) this.update(update.status);
    }
    if (recovering) this.#tasks.loseStaging(payload.unacknowledged_tasks ?? []);
    for (const task of this.#tasks.takeQueued()) this.addTask(task);
  }

  /**
   * An executor UPDATE (already validated): stamp, hand to the status-update manager and
   * ACKNOWLEDGE at once (docs/protocol.md, "Executor rules", rule 5). An update naming another agent is dropped unacknowledged (docs/protocol.md, "Executor rules", rule 4).
   */
  update(status: TaskStatus): void {
    if (status.agent_id !== undefined && status.agent_id.value !== this.ctx.agentId) return;
    const stamped = stampExecutorStatus(status, this.ctx.agentId, {
      containerId: this.containerId,
      ...(this.process ? { executorPid: this.process.pid } : {}),
    });
    if (this.ctx.enqueueUpdate(this.frameworkId, stamped) === 'dropped') return;
    this.#tasks.observe(status);
    this.#stream?.send({ type: 'ACKNOWLEDGED', acknowledged: { task_id: status.task_id, uuid: status.uuid! } });
  }

  /** Executor MESSAGE → master (docs/protocol.md, "Framework messages"). */
  messageFromExecutor(data: Base64): void {
    this.ctx.executorMessage(this.frameworkId, this.executorId, data);
  }

  /** Scheduler MESSAGE → MESSAGE event; dropped unless subscribed (docs/protocol.md, "Framework messages"). */
  messageToExecutor(data: Base64): void {
    if (this.state === 'subscribed') this.#stream?.send({ type: 'MESSAGE', message: { data } });
  }

  /** docs/protocol.md, "Killing tasks": a queued task dies here (TASK_KILLED, REASON_TASK_KILLED_DURING_LAUNCH); a launched one gets KILL. */
  kill(taskId: string, killPolicy?: KillPolicy): void {
    if (this.#tasks.killQueued(taskId)) {
      // Mesos shuts down a still-registering executor left without tasks, so single-task
      // executors do not linger (slave.cpp killTask). liveIds() counts the queued ones too.
      if (this.#tasks.liveIds().length === 0) this.shutdown();
      return;
    }
    if (this.state === 'subscribed' && this.#tasks.isLaunched(taskId)) {
      this.#stream?.send({
        type: 'KILL',
        kill: { task_id: { value: taskId }, ...(killPolicy ? { kill_policy: killPolicy } : {}) },
      });
    }
  }

  /** SHUTDOWN event, then SIGKILL of the process group after the grace period (docs/protocol.md, "Executor events", "Executor termination"). */
  shutdown(): void {
    if (this.state === 'terminating' || this.state === 'terminated') return;
    this.#isShutdownRequested = true;
    const wasLaunching = this.state === 'launching';
    this.state = 'terminating';
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (wasLaunching) return; // start() sees the state and kills the process as soon as it exists.
    this.#stream?.send({ type: 'SHUTDOWN' });
    this.#shutdownTimer = setTimeout(() => this.process?.kill('SIGKILL'), this.#gracePeriodMs());
  }

  /** The agent process "died": drop the stream abruptly and stop every timer (the process lives on). */
  crash(): void {
    this.#stream?.destroy();
    this.#stream = undefined;
    this.#clearTimers();
  }

  /**
   * The agent restarted: wait `reregistrationTimeoutMs` for the executor to re-subscribe,
   * else destroy it (TASK_LOST/TASK_GONE, REASON_EXECUTOR_REREGISTRATION_TIMEOUT, docs/protocol.md, "Agent restarts").
   */
  recover(): void {
    if (this.state === 'terminated') return;
    if (this.state !== 'terminating') this.state = 'recovering';
    const timeoutMs = this.ctx.timeouts.reregistrationTimeoutMs;
    this.#timer = setTimeout(() => {
      if (this.state === 'subscribed') return;
      this.#termination = {
        state: isPartitionAware(this.ctx.framework(this.frameworkId)) ? 'TASK_GONE' : 'TASK_LOST',
        reason: 'REASON_EXECUTOR_REREGISTRATION_TIMEOUT',
        message: `Executor did not reregister within ${formatStoutDuration(timeoutMs)}`,
      };
      this.state = 'terminating';
      if (this.#exit) this.#finish(this.#exit.waitStatus);
      else this.process?.kill('SIGKILL');
    }, timeoutMs);
  }

  /**
   * Kills the container now and reports nothing: the agent forgets it (a crash of an agent
   * whose framework does not checkpoint, or stop() after a crash).
   */
  destroy(): void {
    this.#isShutdownRequested = true;
    this.crash();
    this.#reported = true;
    this.state = 'terminated';
    this.process?.kill('SIGKILL');
  }

  /** Test hook and last resort: signal the executor's process group now. */
  signal(signal: NodeJS.Signals): void {
    this.process?.kill(signal);
  }

  #onExit(exit: ContainerExit): void {
    this.#exit = exit;
    this.#clearTimers();
    this.#stream?.end();
    this.#stream = undefined;
    // A dead agent notices nothing; a restarted one finds out through recover().
    if (this.ctx.isCrashed) return;
    this.#finish(exit.waitStatus);
  }

  /** Sends the updates for every task left (docs/protocol.md, "Executor termination") and tells the master; once. */
  #finish(waitStatus: number): void {
    if (this.#reported) return;
    this.#reported = true;
    this.state = 'terminated';
    const termination = this.#termination ?? EXECUTOR_TERMINATED;
    // The recorded agent sends FAILURE before the tasks' updates reach the scheduler.
    const why = this.#failure(waitStatus);
    this.ctx.executorExited(this.frameworkId, this.executorId, waitStatus, why === undefined || this.sandbox === '' ? undefined : { why, sandbox: this.sandbox });
    if (this.frameworkTerminating) return;
    this.#tasks.endAll(termination);
  }

  /**
   * Why this executor failed, for keeping its sandbox: it exited non-zero (or by a signal)
   * without being asked to go, or one of its tasks ended TASK_FAILED; undefined otherwise.
   */
  #failure(waitStatus: number): string | undefined {
    if (waitStatus !== 0 && !this.#isShutdownRequested) {
      if (this.#termination !== undefined) return this.#termination.message;
      return this.#exit?.signal ? `killed by ${this.#exit.signal}` : `exited with status ${this.#exit?.code ?? waitStatus}`;
    }
    const failed = this.#tasks.all().find((task) => task.state === 'TASK_FAILED');
    return failed === undefined ? undefined : `task ${failed.info.task_id.value} failed`;
  }

  /** The registration / re-registration deadline and the shutdown grace timer. */
  #clearTimers(): void {
    clearTimeout(this.#timer);
    clearTimeout(this.#shutdownTimer);
    this.#timer = undefined;
    this.#shutdownTimer = undefined;
  }

  /** Read through a method: the state changes across the awaits of start(). */
  #isEnding(): boolean {
    return this.state === 'terminating' || this.state === 'terminated';
  }

  #gracePeriodMs(): number {
    return durationInfoToMs(this.executorInfo.shutdown_grace_period) ?? this.ctx.timeouts.shutdownGracePeriodMs;
  }
}
