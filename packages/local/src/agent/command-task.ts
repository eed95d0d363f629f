/**
 * A command task (TaskInfo with `command`, no `executor`), run the way Mesos' built-in
 * command executor runs it (docs/protocol.md, "Ids", "Killing tasks"; shapes recorded in
 * test/fixtures/real-mesos/session-scheduler.jsonl): its own container whose executor id is
 * the task id, TASK_STARTING and TASK_RUNNING from SOURCE_EXECUTOR with executor_id set,
 * then TASK_FINISHED on exit 0 or TASK_FAILED "Command exited with status N".
 * The local agent plays the command executor itself, so no extra process sits in between.
 */
import { randomUUID } from 'node:crypto';
import { constants as osConstants } from 'node:os';
import {
  newStatusUuid,
  type ExecutorInfo,
  type FrameworkID,
  type FrameworkInfo,
  type KillPolicy,
  type TaskInfo,
  type TaskState,
  type TaskStatus,
} from '@mesosgot/common/internal';
import type { AgentContext } from './agent-context.js';
import { agentStatus, orderTaskStatus, stampExecutorStatus } from './agent-task-status.js';
import { launchContainer } from './launch-container.js';
import { persistentVolumes } from './persistent-volumes.js';
import type { ContainerExit, ContainerProcess } from './launcher.js';
import { durationInfoToMs } from '@mesosgot/common/internal';

/** Mesos' command executor gives a killed task 3 s between SIGTERM and SIGKILL unless its kill policy says otherwise. */
export const DEFAULT_COMMAND_KILL_GRACE_MS = 3_000;

export class CommandTask {
  readonly containerId = randomUUID();
  readonly frameworkId: string;
  readonly taskId: string;
  /** Its task id, or the id of the default executor whose task group it belongs to. */
  readonly executorId: string;
  /** The last state reported; written by #report. */
  state: TaskState | undefined;
  process: ContainerProcess | undefined;
  sandbox = '';
  /** Set by kill(); decides TASK_KILLED over FINISHED/FAILED when the process ends. */
  #killed = false;
  /** Set by destroy(): report nothing more. */
  #abandoned = false;
  #killTimer: NodeJS.Timeout | undefined;
  readonly #done: Promise<void>;
  #resolveDone!: () => void;

  constructor(
    private readonly ctx: AgentContext,
    private readonly framework: FrameworkInfo & { id: FrameworkID },
    readonly task: TaskInfo,
    /** The DEFAULT executor of the task group this task belongs to (LAUNCH_GROUP). */
    readonly groupExecutor?: ExecutorInfo,
  ) {
    this.frameworkId = framework.id.value;
    this.taskId = task.task_id.value;
    this.executorId = groupExecutor?.executor_id.value ?? this.taskId;
    this.#done = new Promise((resolve) => (this.#resolveDone = resolve));
  }

  /** Resolves when the task's process has ended (or never started) and its terminal update is queued. */
  get done(): Promise<void> {
    return this.#done;
  }

  /** Fetches, starts the command and reports STARTING + RUNNING; never rejects. */
  async start(): Promise<void> {
    try {
      this.process = await launchContainer(this.ctx, {
        frameworkId: this.frameworkId,
        executorId: this.executorId,
        containerId: this.containerId,
        command: this.task.command ?? {},
        checkpoint: this.framework.checkpoint === true,
        shutdownGracePeriodMs: this.ctx.timeouts.shutdownGracePeriodMs,
        onSandbox: (sandbox) => (this.sandbox = sandbox),
        volumes: () => persistentVolumes(this.task.resources),
        isCancelled: () => this.#abandoned || this.#killed,
      });
      // Reported below as TASK_KILLED (REASON_TASK_KILLED_DURING_LAUNCH), or not at all if abandoned.
      if (this.process === undefined) throw new Error('killed before the command started');
    } catch (error) {
      if (!this.#abandoned) {
        const killedEarly = this.#killed;
        this.state = killedEarly ? 'TASK_KILLED' : 'TASK_FAILED';
        this.ctx.enqueueUpdate(
          this.frameworkId,
          agentStatus({
            taskId: this.task.task_id,
            state: killedEarly ? 'TASK_KILLED' : 'TASK_FAILED',
            reason: killedEarly ? 'REASON_TASK_KILLED_DURING_LAUNCH' : 'REASON_CONTAINER_LAUNCH_FAILED',
            message: killedEarly
              ? 'Killed before delivery to the executor'
              : `Failed to launch container: ${error instanceof Error ? error.message : String(error)}`,
            agentId: this.ctx.agentId,
            executorId: this.executorId,
          }),
        );
      }
      this.#resolveDone();
      return;
    }
    const process = this.process;
    void process.exited.then((exit) => this.#onExit(exit));
    if (this.#abandoned || this.#killed) {
      // Killed while the process was being spawned: end it; the exit reports TASK_KILLED.
      process.kill('SIGKILL');
      return;
    }
    this.#report('TASK_STARTING');
    this.#report('TASK_RUNNING');
  }

  /** SIGTERM to the group, SIGKILL after the kill policy's grace period; TASK_KILLED when it ends. */
  kill(killPolicy?: KillPolicy): void {
    if (this.#killed || this.#abandoned) return;
    this.#killed = true;
    const process = this.process;
    if (!process || process.hasExited) return;
    if (this.framework.capabilities?.some((capability) => capability.type === 'TASK_KILLING_STATE')) {
      this.#report('TASK_KILLING');
    }
    const graceMs =
      durationInfoToMs(killPolicy?.grace_period) ??
      durationInfoToMs(this.task.kill_policy?.grace_period) ??
      DEFAULT_COMMAND_KILL_GRACE_MS;
    process.kill('SIGTERM');
    this.#killTimer = setTimeout(() => process.kill('SIGKILL'), graceMs);
  }

  /** Kills the process now and reports nothing (the agent crashed, or forgets the task). */
  destroy(): void {
    this.#abandoned = true;
    clearTimeout(this.#killTimer);
    this.process?.kill('SIGKILL');
  }

  #onExit(exit: ContainerExit): void {
    clearTimeout(this.#killTimer);
    if (!this.#abandoned && !this.ctx.isCrashed) {
      let state: TaskState;
      if (this.#killed) state = 'TASK_KILLED';
      else state = exit.code === 0 ? 'TASK_FINISHED' : 'TASK_FAILED';
      this.#report(state, describeExit(exit));
    }
    this.#resolveDone();
  }

  #report(state: TaskState, message?: string): void {
    const status: TaskStatus = {
      task_id: this.task.task_id,
      state,
      source: 'SOURCE_EXECUTOR',
      executor_id: { value: this.executorId },
      uuid: newStatusUuid(),
    };
    this.state = state;
    if (message !== undefined) status.message = message;
    this.ctx.enqueueUpdate(
      this.frameworkId,
      stampExecutorStatus(orderTaskStatus(status), this.ctx.agentId, {
        containerId: this.containerId,
        ...(this.process ? { executorPid: this.process.pid } : {}),
      }),
    );
  }
}

/** stout's WSTRINGIFY, as the command executor words it ("Command exited with status 3"). */
function describeExit(exit: ContainerExit): string {
  if (exit.code !== null) return `Command exited with status ${exit.code}`;
  return `Command terminated with signal ${signalDescription(exit.signal)}`;
}

const SIGNAL_DESCRIPTIONS: Partial<Record<NodeJS.Signals, string>> = {
  SIGTERM: 'Terminated',
  SIGKILL: 'Killed',
  SIGINT: 'Interrupt',
  SIGHUP: 'Hangup',
  SIGQUIT: 'Quit',
  SIGABRT: 'Aborted',
  SIGSEGV: 'Segmentation fault',
};

function signalDescription(signal: NodeJS.Signals | null): string {
  if (signal === null) return 'unknown';
  return SIGNAL_DESCRIPTIONS[signal] ?? `${signal} (${osConstants.signals[signal] ?? '?'})`;
}
