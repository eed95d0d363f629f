/**
 * One GoTask's life inside the executor: LAUNCH → TASK_RUNNING → the task function → one
 * terminal update (FINISHED, FAILED or KILLED), with the task's channels pumped to and from
 * the link meanwhile. Before the terminal update the task's output messages are flushed, so
 * the scheduler sees a task's last messages before it sees it end.
 */
import {
  decodeTaskSpec,
  Channel,
  PassingChannel,
  TaskError,
  type TaskInfo,
  type TaskMsg,
  type TaskState,
  type TaskStatus,
} from '@mesosgot/common/internal';
import { pumpInput, pumpOutput, type TaskLink } from './message-pump.js';
import { portEnv, taskContext, type ExecutorPlace, type TaskContext } from './task-context.js';
import { taskKind, type AppTaskExecutor, type TaskFunc, type TaskLaunch } from './task-func.js';
import { TaskThread } from './task-thread.js';
import type { ThreadSlot, ThreadSlots } from './thread-slots.js';

/** Floor of a task thread's heap limit: below it the executor script alone may not load. */
export const MIN_TASK_HEAP_MB = 32;

/** Where a host's task threads come from. */
export interface TaskThreads {
  /** How many threads may run at once (the executor's cpus). */
  readonly slots: ThreadSlots;
  /** The executor script each thread loads to find its task function. */
  readonly entry: URL;
}

const NOWHERE: ExecutorPlace = { frameworkId: '', executorId: '', agent: undefined };

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
  /** Task threads; absent: every task runs inline, on the calling thread. */
  readonly threads?: TaskThreads;
  /** Where the executor runs, for each task's context; absent: empty ids and hostname. */
  place?(): ExecutorPlace;
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
  /** Aborted by the first kill: stops a wait for a thread. */
  readonly #stopped = new AbortController();
  /** The task's thread while it has one. */
  #thread: TaskThread | undefined;

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
    this.#thread?.closeInput();
    this.#stopped.abort();
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
    let launch: TaskLaunch;
    let context: TaskContext;
    const threads = this.#host.threads;
    try {
      const spec = decodeTaskSpec(this.#task.data);
      const kind = taskKind(taskId);
      const chosen = { taskId, kind, args: [taskId, ...spec.args], env: { ...spec.env }, task: this.#task, ...(spec.inline === undefined ? {} : { inline: spec.inline }) };
      const isInline = threads === undefined || (this.#host.appTaskExecutor.isInline?.(chosen) ?? spec.inline ?? false);
      context = taskContext(this.#task, kind, this.#host.place?.() ?? NOWHERE, isInline);
      // The ports Mesos assigned are the truth: they win over a spawn env of the same names.
      launch = { ...chosen, env: { ...spec.env, ...portEnv(context.resources.ports) } };
      fn = this.#host.appTaskExecutor.taskFunc({ ...launch, args: [...launch.args], env: { ...launch.env } });
    } catch (error) {
      return this.#report({ state: 'TASK_FAILED', message: messageOf(taskId, error) });
    }
    const releaseCpus = threads?.slots.reserveCpus(context.resources.cpus);
    try {
      return await this.#runLaunched(fn, launch, context);
    } finally {
      releaseCpus?.();
    }
  }

  async #runLaunched(fn: TaskFunc, launch: TaskLaunch, context: TaskContext): Promise<TaskOutcome> {
    const taskId = this.taskId;

    const link = this.#host.link;
    const input = new Channel<TaskMsg>(this.#host.channelCapacity);
    const output = new PassingChannel<TaskMsg>(this.#host.channelCapacity);
    this.#input = input;
    if (this.#stopCause !== undefined) input.close();
    // The stream is consumed from launch on; frames that came first wait in the link (per-stream queue).
    const receiving = new AbortController();
    // Batches of at most what `input` holds: the pump keeps no more in hand than the task's buffer.
    const inputPumped = pumpInput(link.receiveBatches(taskId, { signal: receiving.signal, max: Math.max(1, input.capacity) }), input);
    const sending = new AbortController();
    const outputPumped = pumpOutput(output, taskId, link, sending.signal);

    let outcome: TaskOutcome;
    const threads = context.isInline ? undefined : this.#host.threads;
    const slot = threads === undefined ? undefined : await this.#threadSlot(threads.slots);
    if (slot !== null) await this.#sendUpdate('TASK_RUNNING');
    if (this.#stopCause !== undefined || slot === null) {
      slot?.release();
      outcome = { state: 'TASK_KILLED', message: STOP_MESSAGES[this.#stopCause ?? 'kill'] };
    } else if (threads === undefined || slot === undefined) {
      outcome = await this.#runFunction(fn, input, output, [...launch.args], { ...launch.env }, context);
    } else {
      outcome = await this.#runThread(threads, slot, launch, context, input, output);
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
    context: TaskContext,
  ): Promise<TaskOutcome> {
    const taskId = this.taskId;
    const abandoned = new Promise<TaskOutcome>((resolve) => {
      this.#abandon = (graceMs) =>
        resolve({ state: 'TASK_KILLED', message: `${STOP_MESSAGES[this.#stopCause ?? 'kill']}; the task function did not return within ${graceMs} ms and was abandoned` });
    });
    const ran = (async (): Promise<TaskOutcome> => {
      try {
        await fn(input, output, args, env, context);
        return this.#stopCause ? { state: 'TASK_KILLED', message: STOP_MESSAGES[this.#stopCause] } : { state: 'TASK_FINISHED' };
      } catch (error) {
        // A kill closes input; a function that then throws (e.g. ChannelClosedError) was still killed.
        if (this.#stopCause) return { state: 'TASK_KILLED', message: STOP_MESSAGES[this.#stopCause] };
        return { state: 'TASK_FAILED', message: new TaskError(taskId, errorText(error), { cause: error }).message };
      }
    })();
    return Promise.race([ran, abandoned]);
  }

  /**
   * Runs the function on a thread of its own once one is free: until it settles and its output
   * is moved to the main thread, or, after a kill, until the grace runs out and the thread is
   * terminated. A thread that throws, exits or runs out of heap ends this task only.
   */
  async #runThread(
    threads: TaskThreads,
    slot: ThreadSlot,
    launch: TaskLaunch,
    context: TaskContext,
    input: Channel<TaskMsg>,
    output: Channel<TaskMsg>,
  ): Promise<TaskOutcome> {
    const taskId = this.taskId;
    const mem = context.resources.mem;
    const thread = new TaskThread({
      entry: threads.entry,
      launch: { ...launch, context, channelCapacity: this.#host.channelCapacity, window: Math.max(1, this.#host.channelCapacity) },
      heapLimitMb: mem > 0 ? Math.max(MIN_TASK_HEAP_MB, Math.ceil(mem)) : undefined,
      input,
      output,
    });
    this.#thread = thread;
    slot.watch(() => thread.busySinceLastCall());
    try {
      if (this.#stopCause !== undefined) thread.closeInput();
      const abandoned = new Promise<number>((resolve) => (this.#abandon = resolve));
      const ended = await Promise.race([thread.returned, abandoned]);
      if (typeof ended === 'number') {
        return { state: 'TASK_KILLED', message: `${STOP_MESSAGES[this.#stopCause ?? 'kill']}; the task function did not return within ${ended} ms and its thread was terminated` };
      }
      let outcome: TaskOutcome;
      if (this.#stopCause !== undefined) outcome = { state: 'TASK_KILLED', message: STOP_MESSAGES[this.#stopCause] };
      else if (ended.error !== undefined) outcome = { state: 'TASK_FAILED', message: new TaskError(taskId, ended.error).message };
      else outcome = { state: 'TASK_FINISHED' };
      const bound = this.#host.flushSignal();
      const refused = await thread.drained(bound);
      if (bound.aborted) this.#host.onError(new TaskError(taskId, 'output still in its thread when the flush deadline passed was dropped'));
      if (refused !== undefined && outcome.state === 'TASK_FINISHED') outcome = { state: 'TASK_FAILED', message: new TaskError(taskId, refused).message };
      return outcome;
    } finally {
      this.#thread = undefined;
      await thread.terminate();
      slot.release();
    }
  }

  /**
   * A thread slot for this task: at once when one is free; otherwise the task reports
   * TASK_STARTING saying what it waits for, and waits in launch order. Null when killed first.
   */
  async #threadSlot(slots: ThreadSlots): Promise<ThreadSlot | null> {
    const now = slots.tryAcquire();
    if (now !== undefined) return now;
    // The tasks of one ACCEPT arrive as LAUNCH events one after another, each adding its cpus:
    // let those already received count before this one is told to wait.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const soon = slots.tryAcquire();
    if (soon !== undefined || this.#stopCause !== undefined) return soon ?? null;
    const message = `waits for a thread: all ${slots.limit} the executor's cpus allow (its tasks' cpus, rounded up) are computing`;
    await this.#sendUpdate('TASK_STARTING', message);
    return (await slots.acquire(this.#stopped.signal)) ?? null;
  }

  /** Sends one update; resolves when the driver took it, never rejects (a refusal goes to onError). */
  #sendUpdate(state: TaskState, message?: string): Promise<void> {
    const status: TaskStatus = { task_id: { value: this.taskId }, state, ...(message === undefined ? {} : { message }) };
    return this.#host.sendStatusUpdate(status).catch((error: unknown) => this.#host.onError(asError(error)));
  }

  #killGraceMs(): number {
    const grace = this.#task.kill_policy?.grace_period?.nanoseconds;
    const ns = grace === undefined ? NaN : Number(grace);
    return Number.isFinite(ns) && ns >= 0 ? Math.round(ns / 1e6) : this.#host.defaultKillGraceMs;
  }

  async #report(outcome: TaskOutcome): Promise<TaskOutcome> {
    await this.#sendUpdate(outcome.state, outcome.message || undefined);
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
