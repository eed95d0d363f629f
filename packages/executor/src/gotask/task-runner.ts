/**
 * One GoTask's life inside the executor: LAUNCH → TASK_RUNNING → the task function → one
 * terminal update (FINISHED, FAILED or KILLED), with the task's channels pumped to and from
 * the link meanwhile. Before the terminal update the task's output messages are flushed, so
 * the scheduler sees a task's last messages before it sees it end.
 */
import {
  decodeTaskSpec,
  Channel,
  TaskError,
  type TaskInfo,
  type TaskMsg,
  type TaskState,
  type TaskStatus,
} from '@mesosgot/common/internal';
import { pumpInput, pumpOutput, type TaskLink } from './message-pump.js';
import { taskKind, type AppTaskExecutor, type TaskFunc } from './task-func.js';

/** What a TaskRunner needs from its executor (GoTaskExecutor, or a fake in tests). */
export interface TaskHost {
  readonly link: TaskLink;
  readonly appTaskExecutor: AppTaskExecutor;
  readonly channelCapacity: number;
  /** Kill grace when the TaskInfo has no kill_policy.grace_period, in ms. */
  readonly defaultKillGraceMs: number;
  sendStatusUpdate(status: TaskStatus): Promise<void>;
  /** A bound on one task's output flush: aborts when the runner must stop waiting. */
  flushSignal(): AbortSignal;
  /** Resolves once this task's admitted output reached the scheduler, or `signal` aborted. Never rejects. */
  flush(taskId: string, signal: AbortSignal): Promise<void>;
  /** Something went wrong that no status update can carry (an update refused, a flush cut short). */
  onError(error: Error): void;
}

/** Why a task is being stopped from outside. */
export type StopCause = 'kill' | 'shutdown';

/** The terminal state and message a runner reported. */
export interface TaskOutcome {
  state: Extract<TaskState, 'TASK_FINISHED' | 'TASK_FAILED' | 'TASK_KILLED'>;
  message?: string;
}

const STOP_MESSAGES: Record<StopCause, string> = {
  kill: 'killed by request',
  shutdown: 'killed by executor shutdown',
};

export class TaskRunner {
  readonly taskId: string;
  readonly #task: TaskInfo;
  readonly #host: TaskHost;
  /** Set by the first kill()/shutdown; later ones do not change the cause. */
  #stopCause: StopCause | undefined;
  #input: Channel<TaskMsg> | undefined;
  /** Fires when the kill grace runs out; the function is then abandoned. */
  #graceTimer: NodeJS.Timeout | undefined;
  /** When the running grace period ends (Date.now() ms); a later, shorter kill moves it earlier. */
  #graceEndsAt = Infinity;
  #abandon: ((graceMs: number) => void) | undefined;
  #done: Promise<TaskOutcome> | undefined;

  constructor(task: TaskInfo, host: TaskHost) {
    this.#task = task;
    this.#host = host;
    this.taskId = task.task_id.value;
  }

  /**
   * Starts the task (synchronously opens its link stream, so messages are consumed from now on).
   * Resolves with the outcome once the terminal update was handed to the driver; never rejects.
   */
  start(): Promise<TaskOutcome> {
    this.#done ??= this.#run();
    return this.#done;
  }

  /** Resolves like start(); undefined before start(). */
  get done(): Promise<TaskOutcome> | undefined {
    return this.#done;
  }

  get stopCause(): StopCause | undefined {
    return this.#stopCause;
  }

  /**
   * Closes the task's input and, if the function has not returned within its grace (the task's
   * kill_policy.grace_period or the host's default, at most `maxGraceMs`), abandons it and
   * reports TASK_KILLED. Idempotent; a shorter grace given later (shutdown after kill) still
   * shortens the wait.
   */
  kill(cause: StopCause, maxGraceMs = Infinity): void {
    const graceMs = Math.min(this.#killGraceMs(), maxGraceMs);
    this.#stopCause ??= cause;
    this.#input?.close();
    const abandon = this.#abandon;
    if (abandon === undefined) return; // Not running a function (yet or any more): nothing to wait for.
    const endsAt = Date.now() + Math.max(0, graceMs);
    if (endsAt >= this.#graceEndsAt) return;
    this.#graceEndsAt = endsAt;
    clearTimeout(this.#graceTimer);
    this.#graceTimer = setTimeout(() => abandon(graceMs), Math.max(0, graceMs));
  }

  async #run(): Promise<TaskOutcome> {
    const taskId = this.taskId;
    let fn: TaskFunc;
    let args: string[];
    let env: Record<string, string>;
    try {
      const spec = decodeTaskSpec(this.#task.data);
      args = [taskId, ...spec.args];
      env = { ...spec.env };
      fn = this.#host.appTaskExecutor.taskFunc({ taskId, kind: taskKind(taskId), args: [...args], env: { ...env }, task: this.#task });
    } catch (error) {
      return this.#report({ state: 'TASK_FAILED', message: messageOf(taskId, error) });
    }

    const link = this.#host.link;
    const input = new Channel<TaskMsg>(this.#host.channelCapacity);
    const output = new Channel<TaskMsg>(this.#host.channelCapacity);
    this.#input = input;
    if (this.#stopCause !== undefined) input.close();
    // The stream is consumed from launch on; frames that came first wait in the link (per-stream queue).
    const receiving = new AbortController();
    const inputPumped = pumpInput(link.receive(taskId, { signal: receiving.signal }), input);
    const sending = new AbortController();
    const outputPumped = pumpOutput(output, taskId, link, sending.signal);

    let outcome: TaskOutcome;
    await this.#host.sendStatusUpdate({ task_id: { value: taskId }, state: 'TASK_RUNNING' }).catch((error: unknown) => this.#host.onError(asError(error)));
    if (this.#stopCause !== undefined) {
      outcome = { state: 'TASK_KILLED', message: STOP_MESSAGES[this.#stopCause] };
    } else {
      outcome = await this.#runFunction(fn, input, output, args, env);
    }
    clearTimeout(this.#graceTimer);
    this.#abandon = undefined;

    // Terminal: nothing more goes in; what the task wrote goes out before the terminal update.
    input.close();
    output.close();
    const bound = this.#host.flushSignal();
    const cut = (): void => sending.abort(bound.reason);
    bound.addEventListener('abort', cut, { once: true });
    const pumpError = await outputPumped;
    if (pumpError !== undefined && outcome.state === 'TASK_FINISHED') {
      outcome = { state: 'TASK_FAILED', message: messageOf(taskId, pumpError) };
    }
    await this.#host.flush(taskId, bound);
    bound.removeEventListener('abort', cut);
    if (bound.aborted) this.#host.onError(new TaskError(taskId, 'output not fully delivered before the terminal update (flush deadline passed)'));
    link.closeStream(taskId);
    receiving.abort();
    await inputPumped;
    return this.#report(outcome);
  }

  /** Runs the function until it settles or, after a kill, the grace runs out. */
  async #runFunction(
    fn: TaskFunc,
    input: Channel<TaskMsg>,
    output: Channel<TaskMsg>,
    args: string[],
    env: Record<string, string>,
  ): Promise<TaskOutcome> {
    const taskId = this.taskId;
    const abandoned = new Promise<TaskOutcome>((resolve) => {
      this.#abandon = (graceMs) =>
        resolve({ state: 'TASK_KILLED', message: `${STOP_MESSAGES[this.#stopCause ?? 'kill']}; the task function did not return within ${graceMs} ms and was abandoned` });
    });
    const ran = (async (): Promise<TaskOutcome> => {
      try {
        await fn(input, output, args, env);
        return this.#stopCause ? { state: 'TASK_KILLED', message: STOP_MESSAGES[this.#stopCause] } : { state: 'TASK_FINISHED' };
      } catch (error) {
        // A kill closes input; a function that then throws (e.g. ChannelClosedError) was still killed.
        if (this.#stopCause) return { state: 'TASK_KILLED', message: STOP_MESSAGES[this.#stopCause] };
        return { state: 'TASK_FAILED', message: new TaskError(taskId, errorText(error), { cause: error }).message };
      }
    })();
    return Promise.race([ran, abandoned]);
  }

  #killGraceMs(): number {
    const grace = this.#task.kill_policy?.grace_period?.nanoseconds;
    const ns = grace === undefined ? NaN : Number(grace);
    return Number.isFinite(ns) && ns >= 0 ? Math.round(ns / 1e6) : this.#host.defaultKillGraceMs;
  }

  async #report(outcome: TaskOutcome): Promise<TaskOutcome> {
    const status: TaskStatus = { task_id: { value: this.taskId }, state: outcome.state, ...(outcome.message ? { message: outcome.message } : {}) };
    await this.#host.sendStatusUpdate(status).catch((error: unknown) => this.#host.onError(asError(error)));
    return outcome;
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function messageOf(taskId: string, error: unknown): string {
  return error instanceof TaskError ? error.message : new TaskError(taskId, errorText(error), { cause: error }).message;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
