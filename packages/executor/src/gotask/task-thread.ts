/**
 * The main thread's side of one task's worker thread: starts the thread on the executor script
 * (which serves the task, task-thread-worker.ts), moves the task's input from the main-side
 * channel into the thread and its output back, under the credits of thread-bridge.ts, and turns
 * the ways a thread can end (the function returned or threw, the thread threw, exited, ran out
 * of heap, was terminated) into one result.
 */
import type { EventLoopUtilization } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { Channel, TaskMsg } from '@mesosgot/common/internal';
import { Credits, crossing, TASK_THREAD_KEY, type FromTaskThread, type MsgData, type TaskThreadLaunch, type ToTaskThread } from './thread-bridge.js';

export interface TaskThreadOptions {
  /** The executor script: the module the thread loads to find the task function. */
  entry: URL;
  launch: TaskThreadLaunch;
  /** The thread's V8 old-generation limit (resourceLimits), in MB; undefined: Node's default. */
  heapLimitMb: number | undefined;
  /** Main-side channels: `input` is fed from the link, `output` is pumped to it. */
  input: Channel<TaskMsg>;
  output: Channel<TaskMsg>;
}

/** How the task function ended: `error` is the TASK_FAILED text (the function's or the thread's). */
export interface ThreadReturn {
  error?: string;
}

export class TaskThread {
  readonly #worker: Worker | undefined;
  readonly #options: TaskThreadOptions;
  readonly #inCredits: Credits;
  /** Set once input must not move any more (kill, or the thread ended). */
  #isInputStopped = false;
  #hasStarted = false;
  /** Output batches waiting for room in the main-side output channel; bound: one credit window. */
  readonly #outQueue: MsgData[][] = [];
  #isMovingOutput = false;
  #returned: ThreadReturn | undefined;
  #resolveReturned!: (result: ThreadReturn) => void;
  /** Settles once the thread posted all output (with its failure) or is gone. */
  #resolveDrained!: (failure: string | undefined) => void;
  readonly #drained: Promise<string | undefined>;
  readonly #exited: Promise<void>;
  /** What the thread's last 'error' event said (before 'exit'). */
  #crash: string | undefined;
  /** Set when the thread said it posted all output (or is gone); `#pendingFailure` is its failure. */
  #isDrainPosted = false;
  #pendingFailure: string | undefined;
  #isDrained = false;
  /** The thread's event-loop utilization at the last busySinceLastCall(). */
  #lastUtilization: EventLoopUtilization | undefined;

  /** Resolves once the task function settled or its thread ended without it; never rejects. */
  readonly returned: Promise<ThreadReturn>;

  /** Starts the thread; never throws (a thread that cannot start ends as `returned` with the reason). */
  constructor(options: TaskThreadOptions) {
    this.#options = options;
    this.#inCredits = new Credits(options.launch.window);
    this.returned = new Promise((resolve) => (this.#resolveReturned = resolve));
    this.#drained = new Promise((resolve) => (this.#resolveDrained = resolve));
    let worker: Worker;
    try {
      worker = new Worker(options.entry, {
        workerData: { [TASK_THREAD_KEY]: options.launch },
        ...(options.heapLimitMb === undefined ? {} : { resourceLimits: { maxOldGenerationSizeMb: options.heapLimitMb } }),
      });
    } catch (error) {
      this.#end(`its thread could not start: ${(error as Error).message}`);
      this.#exited = Promise.resolve();
      return;
    }
    this.#worker = worker;
    this.#exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.on('message', (msg: FromTaskThread) => this.#onMessage(msg));
    worker.on('error', (error: Error & { code?: string }) => {
      this.#crash =
        error.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? `its thread ran out of memory (heap limit ${options.heapLimitMb ?? 'default'} MB)`
          : `its thread failed: ${error.message}`;
    });
    worker.once('exit', (code) => this.#end(this.#crash ?? this.#exitReason(code)));
    void this.#moveInput();
  }

  /**
   * After `returned`: resolves once everything the task wrote reached the main-side output
   * channel, with the text of why some output was refused (undefined when none was), or with
   * undefined at `signal` (the caller reports the cut) or when the thread is gone. Never rejects.
   */
  drained(signal: AbortSignal): Promise<string | undefined> {
    if (signal.aborted) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const cut = (): void => resolve(undefined);
      signal.addEventListener('abort', cut, { once: true });
      void this.#drained.then((failure) => {
        signal.removeEventListener('abort', cut);
        resolve(failure);
      });
    });
  }

  /** How busy the thread's event loop was since the last call (0…1; 0 before it started). */
  busySinceLastCall(): number {
    const performance = this.#worker?.performance;
    if (performance === undefined) return 0;
    const now = performance.eventLoopUtilization();
    // All zero until the thread's event loop first turns: it is still loading the executor
    // script or running the task's first synchronous stretch, so it is busy.
    if (now.idle === 0 && now.active === 0) return 1;
    const since = this.#lastUtilization === undefined ? now : performance.eventLoopUtilization(now, this.#lastUtilization);
    this.#lastUtilization = now;
    return since.utilization;
  }

  /** Kill or shutdown: the task's input closes now (what its channel holds still drains). */
  closeInput(): void {
    if (this.#isInputStopped) return;
    this.#isInputStopped = true;
    this.#post({ t: 'close' });
    this.#inCredits.wake();
  }

  /** Ends the thread whatever it is doing; resolves once it has exited. Never rejects. */
  async terminate(): Promise<void> {
    this.#isInputStopped = true;
    this.#inCredits.wake();
    await this.#worker?.terminate().catch(() => undefined);
    await this.#exited;
  }

  #post(msg: ToTaskThread, transfer: ArrayBuffer[] = []): void {
    try {
      this.#worker?.postMessage(msg, transfer);
    } catch {
      // The thread is gone: its exit settles everything waiting on it.
    }
  }

  #onMessage(msg: FromTaskThread): void {
    switch (msg.t) {
      case 'started':
        this.#hasStarted = true;
        return;
      case 'credit':
        this.#inCredits.grant(msg.n);
        return;
      case 'out':
        this.#outQueue.push(msg.data);
        void this.#moveOutput();
        return;
      case 'returned':
        this.#settleReturned(msg.error === undefined ? {} : { error: msg.error });
        return;
      case 'drained':
        this.#drainPosted(msg.failure);
        return;
    }
  }

  /** Scheduler → task: from the main-side input channel into the thread, within its credit. */
  async #moveInput(): Promise<void> {
    const input = this.#options.input;
    for (;;) {
      await this.#inCredits.wait();
      if (this.#isInputStopped) return;
      const first = await input.receive();
      if (this.#isInputStopped) return; // Killed meanwhile: the value was for a task that stops.
      if (!first.ok) {
        this.#post({ t: 'end' });
        return;
      }
      const transfer: ArrayBuffer[] = [];
      const batch = [crossing(first.value.data, transfer, true)];
      while (batch.length < this.#inCredits.available) {
        const next = input.tryReceive();
        if (next === undefined || !next.ok) break;
        batch.push(crossing(next.value.data, transfer, true));
      }
      this.#inCredits.spend(batch.length);
      this.#post({ t: 'in', data: batch }, transfer);
    }
  }

  /** Task → scheduler: posted batches into the main-side output channel, one at a time, in order. */
  async #moveOutput(): Promise<void> {
    if (this.#isMovingOutput) return;
    this.#isMovingOutput = true;
    const { output, launch } = this.#options;
    let refused: string | undefined;
    while (this.#outQueue.length > 0) {
      const batch = this.#outQueue.shift()!;
      let taken = 0;
      for (const data of batch) {
        if (refused === undefined) {
          try {
            await output.send({ taskName: launch.taskId, data });
            taken++;
          } catch (error) {
            // The pump to the link stopped (it reports why); the task's next send throws.
            refused = (error as Error).message;
            this.#post({ t: 'out-closed', reason: refused });
          }
        }
      }
      if (taken > 0 && refused === undefined) this.#post({ t: 'credit', n: taken });
      if (batch.length === 0 && this.#isDrainPosted) this.#settleDrained(this.#pendingFailure);
    }
    this.#isMovingOutput = false;
  }

  /** Output batches posted before this point are still moving: drained settles after them. */
  #drainPosted(failure: string | undefined): void {
    if (this.#isDrainPosted) return;
    this.#isDrainPosted = true;
    this.#pendingFailure = failure;
    this.#outQueue.push([]);
    void this.#moveOutput();
  }

  #settleReturned(result: ThreadReturn): void {
    if (this.#returned !== undefined) return;
    this.#returned = result;
    this.#resolveReturned(result);
  }

  #settleDrained(failure: string | undefined): void {
    if (this.#isDrained) return;
    this.#isDrained = true;
    this.#resolveDrained(failure);
  }

  /** The thread is gone: whatever was not settled settles now. */
  #end(reason: string): void {
    this.#isInputStopped = true;
    this.#inCredits.wake();
    this.#settleReturned({ error: reason });
    this.#drainPosted(undefined);
  }

  #exitReason(code: number): string {
    if (!this.#hasStarted && this.#returned === undefined) {
      return `its thread loaded ${this.#options.entry.href} and exited (code ${code}) without serving the task: that script must register the task functions and call GoTaskExecutor.run() (bundle the executor into one file, or give GoTaskExecutor the \`entry\` option)`;
    }
    return `its thread exited (code ${code}) before the task function returned`;
  }
}
