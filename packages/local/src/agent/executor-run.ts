/**
 * One custom executor's container on the agent, from launch to exit (mesos-v1-protocol.md
 * §7.4, §8.1, §8.4): sandbox + fetch + process, the registration timeout, queued tasks
 * delivered after SUBSCRIBED, KILL and SHUTDOWN, and the agent-generated updates for the
 * tasks left when the process ends.
 */
import { randomUUID } from 'node:crypto';
import {
  isTerminalState,
  type Base64,
  type ExecutorCall,
  type ExecutorInfo,
  type FrameworkID,
  type FrameworkInfo,
  type KillPolicy,
  type TaskInfo,
  type TaskState,
  type TaskStatus,
  type TaskStatusReason,
} from '@mesosgot/common';
import type { AgentContext } from './agent-context.js';
import { agentStatus, stampExecutorStatus } from './agent-task-status.js';
import type { ExecutorEventStream } from './executor-event-stream.js';
import { executorEnvironment } from './executor-env.js';
import { fetchUris } from './fetcher.js';
import { ContainerProcess, type ContainerExit } from './launcher.js';
import { createSandbox } from './sandbox.js';
import { durationInfoToMs, formatStoutDuration } from '@mesosgot/common';

/**
 * launching → registering → subscribed → terminating → terminated. `recovering`: the agent
 * restarted and waits for this checkpointed executor to re-subscribe.
 */
export type ExecutorRunState = 'launching' | 'registering' | 'recovering' | 'subscribed' | 'terminating' | 'terminated';

/** Why a container ended, when the agent knows better than "Executor terminated" (§8.4). */
interface Termination {
  state: TaskState;
  reason: TaskStatusReason;
  message: string;
}

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
  /** Tasks waiting for SUBSCRIBED (§8.1), in launch order. */
  readonly #queued: TaskInfo[] = [];
  /** Tasks handed to the executor, with the latest state the agent has seen for each. */
  readonly #launched = new Map<string, { info: TaskInfo; state: TaskState }>();
  #stream: ExecutorEventStream | undefined;
  #termination: Termination | undefined;
  #timer: NodeJS.Timeout | undefined;
  #shutdownTimer: NodeJS.Timeout | undefined;
  /** Set by the exit listener; read when the agent comes back from a crash. */
  #exit: ContainerExit | undefined;
  #reported = false;

  constructor(
    private readonly ctx: AgentContext,
    framework: FrameworkInfo & { id: FrameworkID },
    readonly executorInfo: ExecutorInfo,
  ) {
    this.frameworkId = framework.id.value;
    this.executorId = executorInfo.executor_id.value;
  }

  get checkpoint(): boolean {
    return this.ctx.framework(this.frameworkId)?.checkpoint === true;
  }

  /** Creates the sandbox, fetches the URIs and starts the process; failures end the run (§8.4). */
  async start(): Promise<void> {
    const command = this.executorInfo.command ?? {};
    try {
      this.sandbox = await createSandbox({
        workDir: this.ctx.workDir,
        agentId: this.ctx.agentId,
        frameworkId: this.frameworkId,
        executorId: this.executorId,
        containerId: this.containerId,
      });
      const fetched = await fetchUris(command.uris ?? [], this.sandbox);
      if (fetched.kind === 'failed') throw new Error(fetched.message);
      if (this.#isEnding()) return;
      const graceMs = this.#gracePeriodMs();
      this.process = await ContainerProcess.launch(command, {
        cwd: this.sandbox,
        env: executorEnvironment({
          frameworkId: this.frameworkId,
          executorId: this.executorId,
          agentId: this.ctx.agentId,
          agentEndpoint: this.ctx.endpoint,
          sandbox: this.sandbox,
          checkpoint: this.checkpoint,
          shutdownGracePeriod: formatStoutDuration(graceMs),
          recoveryTimeout: this.ctx.timeouts.recoveryTimeout,
          subscriptionBackoffMax: formatStoutDuration(this.ctx.timeouts.reregistrationTimeoutMs),
          command,
        }),
      });
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

  /** Queues the task until SUBSCRIBED, or delivers it now (§8.1). */
  addTask(task: TaskInfo): void {
    if (this.state === 'subscribed' && this.#stream) {
      this.#launched.set(task.task_id.value, { info: task, state: 'TASK_STAGING' });
      this.#stream.send({ type: 'LAUNCH', launch: { task } });
    } else {
      this.#queued.push(task);
    }
  }

  hasTask(taskId: string): boolean {
    return this.#launched.has(taskId) || this.#queued.some((task) => task.task_id.value === taskId);
  }

  /** Every task of this executor with the latest state the agent saw (queued ones are STAGING). */
  tasks(): { info: TaskInfo; state: TaskState }[] {
    return [
      ...this.#queued.map((info) => ({ info, state: 'TASK_STAGING' as const })),
      ...[...this.#launched.values()].map(({ info, state }) => ({ info, state })),
    ];
  }

  /** The ids of tasks that are not terminal yet (queued or launched). */
  liveTaskIds(): string[] {
    return [
      ...this.#queued.map((task) => task.task_id.value),
      ...[...this.#launched].filter(([, entry]) => !isTerminalState(entry.state)).map(([id]) => id),
    ];
  }

  /**
   * SUBSCRIBE accepted: SUBSCRIBED first, then queued LAUNCHes; a re-subscribe replaces (and
   * closes) the older stream (§7.4.8) and replays the executor's unacknowledged updates (§7.4.7).
   */
  subscribe(stream: ExecutorEventStream, payload: SubscribePayload): void {
    if (this.state === 'terminating' || this.state === 'terminated') {
      // §7.5: a terminating executor's SUBSCRIBE gets a stream with just SHUTDOWN.
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
    for (const task of payload.unacknowledged_tasks ?? []) {
      if (!this.#launched.has(task.task_id.value)) this.#launched.set(task.task_id.value, { info: task, state: 'TASK_STAGING' });
    }
    for (const update of payload.unacknowledged_updates ?? []) {
      if (update?.status?.uuid !== undefined) this.update(update.status);
    }
    if (recovering) this.#loseStagingTasks(payload.unacknowledged_tasks ?? []);
    for (const task of this.#queued.splice(0)) this.addTask(task);
  }

  /**
   * An executor UPDATE (already validated): stamp, hand to the status-update manager and
   * ACKNOWLEDGE at once (§7.4.5). An update naming another agent is dropped unacknowledged (§7.4.4).
   */
  update(status: TaskStatus): void {
    if (status.agent_id !== undefined && status.agent_id.value !== this.ctx.agentId) return;
    const stamped = stampExecutorStatus(status, this.ctx.agentId, {
      containerId: this.containerId,
      ...(this.process ? { executorPid: this.process.pid } : {}),
    });
    if (this.ctx.enqueueUpdate(this.frameworkId, stamped) === 'dropped') return;
    const entry = this.#launched.get(status.task_id.value);
    if (entry && !isTerminalState(entry.state)) entry.state = status.state;
    this.#stream?.send({ type: 'ACKNOWLEDGED', acknowledged: { task_id: status.task_id, uuid: status.uuid! } });
  }

  /** Executor MESSAGE → master (§8.3). */
  messageFromExecutor(data: Base64): void {
    this.ctx.executorMessage(this.frameworkId, this.executorId, data);
  }

  /** Scheduler MESSAGE → MESSAGE event; dropped unless subscribed (§6.10). */
  messageToExecutor(data: Base64): void {
    if (this.state === 'subscribed') this.#stream?.send({ type: 'MESSAGE', message: { data } });
  }

  /** §6.7: a queued task dies here (TASK_KILLED, REASON_TASK_KILLED_DURING_LAUNCH); a launched one gets KILL. */
  kill(taskId: string, killPolicy?: KillPolicy): void {
    const index = this.#queued.findIndex((task) => task.task_id.value === taskId);
    if (index >= 0) {
      const [task] = this.#queued.splice(index, 1);
      this.ctx.enqueueUpdate(
        this.frameworkId,
        agentStatus({
          taskId: task!.task_id,
          state: 'TASK_KILLED',
          reason: 'REASON_TASK_KILLED_DURING_LAUNCH',
          message: 'Killed before delivery to the executor',
          agentId: this.ctx.agentId,
          executorId: this.executorId,
        }),
      );
      // Mesos shuts down a still-registering executor left without tasks, so single-task
      // executors do not linger (slave.cpp killTask).
      if (this.#queued.length === 0 && this.liveTaskIds().length === 0) this.shutdown();
      return;
    }
    if (this.state === 'subscribed' && this.#launched.has(taskId)) {
      this.#stream?.send({
        type: 'KILL',
        kill: { task_id: { value: taskId }, ...(killPolicy ? { kill_policy: killPolicy } : {}) },
      });
    }
  }

  /** SHUTDOWN event, then SIGKILL of the process group after the grace period (§7.3, §8.4). */
  shutdown(): void {
    if (this.state === 'terminating' || this.state === 'terminated') return;
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
    clearTimeout(this.#timer);
    clearTimeout(this.#shutdownTimer);
    this.#timer = undefined;
    this.#shutdownTimer = undefined;
  }

  /**
   * The agent restarted: wait `reregistrationTimeoutMs` for the executor to re-subscribe,
   * else destroy it (TASK_LOST/TASK_GONE, REASON_EXECUTOR_REREGISTRATION_TIMEOUT, §7.5).
   */
  recover(): void {
    if (this.state === 'terminated') return;
    if (this.state !== 'terminating') this.state = 'recovering';
    const timeoutMs = this.ctx.timeouts.reregistrationTimeoutMs;
    this.#timer = setTimeout(() => {
      if (this.state === 'subscribed') return;
      const partitionAware = this.ctx
        .framework(this.frameworkId)
        ?.capabilities?.some((capability) => capability.type === 'PARTITION_AWARE');
      this.#termination = {
        state: partitionAware ? 'TASK_GONE' : 'TASK_LOST',
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
    clearTimeout(this.#timer);
    clearTimeout(this.#shutdownTimer);
    this.#timer = undefined;
    this.#shutdownTimer = undefined;
    this.#stream?.end();
    this.#stream = undefined;
    // A dead agent notices nothing; a restarted one finds out through recover().
    if (this.ctx.isCrashed) return;
    this.#finish(exit.waitStatus);
  }

  /** Sends the updates for every task left (§8.4) and tells the master; once. */
  #finish(waitStatus: number): void {
    if (this.#reported) return;
    this.#reported = true;
    this.state = 'terminated';
    const termination = this.#termination ?? {
      state: 'TASK_FAILED' as const,
      reason: 'REASON_EXECUTOR_TERMINATED' as const,
      message: 'Executor terminated',
    };
    // The recorded agent sends FAILURE before the tasks' updates reach the scheduler.
    this.ctx.executorExited(this.frameworkId, this.executorId, waitStatus);
    if (this.frameworkTerminating) return;
    for (const taskId of this.liveTaskIds()) {
      this.ctx.enqueueUpdate(
        this.frameworkId,
        agentStatus({ taskId: { value: taskId }, ...termination, agentId: this.ctx.agentId, executorId: this.executorId }),
      );
    }
    this.#queued.length = 0;
  }

  /** §7.4.7: launched tasks still STAGING that the executor does not know were lost in the restart. */
  #loseStagingTasks(known: TaskInfo[]): void {
    const knownIds = new Set(known.map((task) => task.task_id.value));
    const partitionAware = this.ctx
      .framework(this.frameworkId)
      ?.capabilities?.some((capability) => capability.type === 'PARTITION_AWARE');
    for (const [taskId, entry] of this.#launched) {
      if (entry.state !== 'TASK_STAGING' || knownIds.has(taskId)) continue;
      entry.state = partitionAware ? 'TASK_DROPPED' : 'TASK_LOST';
      this.ctx.enqueueUpdate(
        this.frameworkId,
        agentStatus({
          taskId: { value: taskId },
          state: entry.state,
          reason: 'REASON_AGENT_RESTARTED',
          message: 'Task launched during agent restart',
          agentId: this.ctx.agentId,
          executorId: this.executorId,
        }),
      );
    }
  }

  /** Read through a method: the state changes across the awaits of start(). */
  #isEnding(): boolean {
    return this.state === 'terminating' || this.state === 'terminated';
  }

  #gracePeriodMs(): number {
    return durationInfoToMs(this.executorInfo.shutdown_grace_period) ?? this.ctx.timeouts.shutdownGracePeriodMs;
  }
}
