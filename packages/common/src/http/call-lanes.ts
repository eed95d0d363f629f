/**
 * The order in which a driver's calls leave, in two lanes (docs/protocol.md, "Connections"):
 *
 * - the ordered lane: one call at a time, in add() order. The master and the agent keep the
 *   order of one connection only, so the next call goes only after this one was answered.
 * - the repeatable lane: calls whose repetition is harmless (a scheduler's ACKNOWLEDGE, an
 *   executor's UPDATE, both carrying a uuid Mesos de-duplicates), up to `concurrency` in flight
 *   at once on the call connections (MesosHttpClient, CallOptions.isRepeatable).
 *   Calls with the same `key` (a task id) still go one at a time, in add() order: Mesos needs
 *   a task's updates and acknowledgements in order, nothing across tasks.
 *
 * An ordered call waits until every repeatable call added before it was answered, so nothing
 * overtakes what it may depend on (a relaunch needs the failed update's ACKNOWLEDGE first; a
 * task's messages follow its TASK_RUNNING). Repeatable calls may overtake ordered ones.
 */
/** Calls waiting at most, per lane; beyond it `add` waits (backpressure on the caller). */
export const MAX_QUEUED_CALLS = 1024;
/** Repeatable calls in flight at once, at most, by default (CALL_PIPELINING_DEPTH of the client). */
export const DEFAULT_REPEATABLE_CONCURRENCY = 16;

/** How one call is queued. */
export interface LaneOptions {
  /** Repeating it is harmless: it takes the repeatable lane. */
  isRepeatable?: boolean;
  /** Repeatable calls with the same key go one at a time, in order (a task id). */
  key?: string;
  /** Aborts the call while queued or in flight, with `signal.reason`. */
  signal?: AbortSignal;
}

/** Options of CallLanes. */
export interface CallLanesOptions {
  /** Repeatable calls in flight at once, at most; default DEFAULT_REPEATABLE_CONCURRENCY. */
  concurrency?: number;
  /** When aborted, `close(reason)`: every queued call rejects, and the calls in flight get it as their signal. */
  closeSignal?: AbortSignal;
}

/** Sends one call; `signal` aborts it (the lanes' close signal, or it with the caller's). */
export type LaneCall = (signal: AbortSignal) => Promise<void>;

interface Job {
  readonly send: LaneCall;
  /** The caller's signal, if any: it aborts this call (queued or in flight). */
  readonly callerSignal: AbortSignal | undefined;
  /** This call's own signal while in flight (what `send` gets); set by #start. */
  inFlight: AbortController | undefined;
  readonly key: string | undefined;
  /**
   * Repeatable lane: this call's number. Ordered lane: the number of the last repeatable call
   * added before it, which must be answered before this one goes.
   */
  readonly seq: number;
  /** Taken from its queue (in flight or done); written by Lane.take and the parking. */
  isStarted: boolean;
  /** Resolved, rejected or cancelled; a settled job still queued is skipped. */
  isSettled: boolean;
  resolve(): void;
  reject(error: unknown): void;
}

/** A FIFO of jobs; `running` counts the lane's calls in flight. */
class Lane {
  /** Queued jobs from `head` on; settled (cancelled) ones are skipped when reached. */
  #jobs: Job[] = [];
  #head = 0;
  /** Queued jobs not settled (parked ones included): what MAX_QUEUED_CALLS bounds. */
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

  /** Takes the head out of the FIFO (still counted in `waiting` until started). */
  shift(): Job {
    const job = this.peek()!;
    this.#head++;
    return job;
  }

  /** Empties the FIFO, handing each waiting job to `each`. */
  drain(each: (job: Job) => void): void {
    const jobs = this.#jobs.slice(this.#head);
    this.#jobs = [];
    this.#head = 0;
    for (const job of jobs) if (!job.isSettled) each(job);
  }
}

/**
 * Two lanes of calls (see the module comment). Holds no timer or socket; `close(reason)` or the
 * close signal rejects everything queued (calls in flight end through their signal).
 *
 * Each call in flight gets a signal of its own, aborted by close or by its caller's signal:
 * what a transport hangs on it (one abort listener per call) goes with the call, and the close
 * signal carries one listener of the lanes', however many calls are in flight.
 */
export class CallLanes {
  readonly #ordered = new Lane(1);
  readonly #repeatable: Lane;
  /** Number of the last repeatable call added; written only by add(). */
  #seq = 0;
  /** Repeatable calls in flight, by number; at most `concurrency`. */
  readonly #inFlight = new Map<number, Job>();
  /** Keys with a repeatable call in flight. */
  readonly #busyKeys = new Set<string>();
  /** Repeatable calls waiting for their key's call in flight, in order (only keys in #busyKeys). */
  readonly #parked = new Map<string, Job[]>();
  /** Calls in flight in either lane: the close signal aborts their signals. */
  readonly #running = new Set<Job>();
  /** onIdle() callers, resolved when both lanes are empty and nothing is in flight. */
  #idleWaiters: (() => void)[] = [];
  #closedReason: { reason: unknown } | undefined;

  /** The close signal, if any; the lanes hang one listener on it. */
  readonly #closeSignal: AbortSignal | undefined;

  constructor({ concurrency = DEFAULT_REPEATABLE_CONCURRENCY, closeSignal }: CallLanesOptions = {}) {
    this.#repeatable = new Lane(concurrency);
    this.#closeSignal = closeSignal;
    closeSignal?.addEventListener(
      'abort',
      () => {
        for (const job of this.#running) job.inFlight?.abort(closeSignal.reason);
        this.close(closeSignal.reason);
      },
      { once: true },
    );
  }

  /**
   * Queues `send`; resolves or rejects with its outcome once its turn came. Rejects without
   * sending with the caller's `signal.reason`, or the close reason, when that comes first.
   */
  async add(send: LaneCall, options: LaneOptions = {}): Promise<void> {
    this.#throwIfClosed();
    options.signal?.throwIfAborted();
    const isRepeatable = options.isRepeatable === true;
    const lane = isRepeatable ? this.#repeatable : this.#ordered;
    while (lane.waiting >= MAX_QUEUED_CALLS) await this.#room(lane, options.signal);
    this.#throwIfClosed();
    const seq = isRepeatable ? ++this.#seq : this.#seq;
    await new Promise<void>((resolve, reject) => {
      const onCallerAbort = (): void => {
        // A call in flight ends through its own signal; a queued one is cancelled here.
        if (job.isSettled) return;
        if (job.isStarted) {
          job.inFlight?.abort(options.signal!.reason);
          return;
        }
        lane.waiting--;
        job.reject(options.signal!.reason);
        this.#wakeRoom(lane);
        this.#pump();
      };
      const settle = (): void => {
        job.isSettled = true;
        options.signal?.removeEventListener('abort', onCallerAbort);
      };
      const job: Job = {
        send,
        callerSignal: options.signal,
        inFlight: undefined,
        key: isRepeatable ? options.key : undefined,
        seq,
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

  /** Resolves when every call added so far has been answered (or failed, or was dropped). */
  onIdle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Rejects every queued call and every caller waiting for room with `reason`; later adds too. */
  close(reason: unknown): void {
    this.#closedReason ??= { reason };
    for (const lane of [this.#ordered, this.#repeatable]) {
      lane.drain((job) => job.reject(reason));
      lane.waiting = 0;
      for (const waiter of lane.roomWaiters.splice(0)) waiter.reject(reason);
    }
    for (const jobs of this.#parked.values()) for (const job of jobs) if (!job.isSettled) job.reject(reason);
    this.#parked.clear();
    this.#pump();
  }

  #throwIfClosed(): void {
    if (this.#closedReason !== undefined) throw this.#closedReason.reason;
  }

  #isIdle(): boolean {
    return this.#ordered.waiting + this.#ordered.running + this.#repeatable.waiting + this.#repeatable.running === 0;
  }

  /** Starts every call whose turn it is. */
  #pump(): void {
    const repeatable = this.#repeatable;
    while (repeatable.running < repeatable.concurrency) {
      const job = repeatable.peek();
      if (job === undefined) break;
      repeatable.shift();
      if (job.key !== undefined && this.#busyKeys.has(job.key)) {
        // Its task has a call in flight: it goes after that one (see #finished).
        const parked = this.#parked.get(job.key);
        if (parked === undefined) this.#parked.set(job.key, [job]);
        else parked.push(job);
        continue;
      }
      this.#start(job, repeatable);
    }
    const next = this.#ordered.peek();
    if (this.#ordered.running === 0 && next !== undefined && this.#oldestUnanswered() > next.seq) {
      this.#ordered.shift();
      this.#start(next, this.#ordered);
    }
    if (this.#idleWaiters.length > 0 && this.#isIdle()) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  /** Number of the oldest repeatable call not answered yet; Infinity when there is none. */
  #oldestUnanswered(): number {
    let oldest = this.#repeatable.peek()?.seq ?? Infinity;
    for (const seq of this.#inFlight.keys()) if (seq < oldest) oldest = seq;
    for (const jobs of this.#parked.values()) {
      const first = jobs.find((j) => !j.isSettled);
      if (first !== undefined && first.seq < oldest) oldest = first.seq;
    }
    return oldest;
  }

  #start(job: Job, lane: Lane): void {
    job.isStarted = true;
    const own = new AbortController();
    job.inFlight = own;
    if (this.#closeSignal?.aborted === true) own.abort(this.#closeSignal.reason);
    else if (job.callerSignal?.aborted === true) own.abort(job.callerSignal.reason);
    this.#running.add(job);
    lane.waiting--;
    lane.running++;
    this.#wakeRoom(lane);
    const isRepeatable = lane === this.#repeatable;
    if (isRepeatable) {
      this.#inFlight.set(job.seq, job);
      if (job.key !== undefined) this.#busyKeys.add(job.key);
    }
    job.send(own.signal).then(
      () => job.resolve(),
      (error: unknown) => job.reject(error),
    ).finally(() => {
      this.#running.delete(job);
      job.inFlight = undefined;
      lane.running--;
      if (isRepeatable) this.#finished(job);
      this.#pump();
    });
  }

  /** A repeatable call was answered: its key's next parked call may go (first in line). */
  #finished(job: Job): void {
    this.#inFlight.delete(job.seq);
    if (job.key === undefined) return;
    this.#busyKeys.delete(job.key);
    const parked = this.#parked.get(job.key);
    if (parked === undefined) return;
    let next = parked.shift();
    while (next !== undefined && next.isSettled) next = parked.shift();
    if (parked.length === 0) this.#parked.delete(job.key);
    if (next !== undefined) this.#start(next, this.#repeatable);
  }

  /** Resolves when `lane` may have room; rejects with the caller's abort reason or the close reason. */
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
}
