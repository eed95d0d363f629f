/**
 * How many task threads an executor runs at once: what Mesos gave it, the sum of its live tasks'
 * `cpus` rounded up, at least one. A threaded task holds a slot for its whole life; tasks beyond
 * the count wait in launch order until a slot frees or more cpus arrive with new tasks.
 *
 * A thread that is not computing lends its slot, as a Go goroutine blocked on a channel releases
 * its processor: while tasks wait, the threads' event-loop utilization is sampled every
 * LEND_CHECK_MS, and each thread busy less than IDLE_UTILIZATION of that time counts as free.
 * So tasks that mostly wait on messages never keep their neighbours from starting, while tasks
 * that compute get the number of threads their cpus say.
 */

/** cpus are counted in thousandths, as Mesos does, so 10 × 0.1 is 1 and not 1.0000000000000002. */
const MILLIS = 1000;
/** How often waiting tasks look for threads that are not computing. */
export const LEND_CHECK_MS = 100;
/** A thread busy less than this share of the last check is counted as free. */
export const IDLE_UTILIZATION = 0.25;

interface Waiter {
  grant: (slot: ThreadSlot) => void;
}

/** One held slot: release it once; `watch` says how busy its thread is (0…1 since the last call). */
export interface ThreadSlot {
  release(): void;
  watch(busySinceLastCall: () => number): void;
}

export class ThreadSlots {
  /** Sum of the live tasks' cpus in thousandths; written by reserveCpus and its release. */
  #milliCpus = 0;
  /** Slots held now, with the busy probe of each (once its thread started); bound: one per live threaded task. */
  readonly #held = new Map<ThreadSlot, (() => number) | undefined>();
  /** Tasks waiting for a slot, oldest first; bound: one per launched threaded task. */
  readonly #waiting: Waiter[] = [];
  /** Samples the held threads while someone waits; cleared when nobody does. */
  #lendTimer: NodeJS.Timeout | undefined;
  /** Held slots counted free at the last sample. */
  #idle = 0;

  /** Threads allowed to compute now: ceil(sum of live tasks' cpus), at least 1. */
  get limit(): number {
    return Math.max(1, Math.ceil(this.#milliCpus / MILLIS));
  }

  get inUse(): number {
    return this.#held.size;
  }

  get waiting(): number {
    return this.#waiting.length;
  }

  /** Counts a live task's cpus until the returned release is called (idempotent). */
  reserveCpus(cpus: number): () => void {
    const milli = Number.isFinite(cpus) && cpus > 0 ? Math.round(cpus * MILLIS) : 0;
    this.#milliCpus += milli;
    this.#grant();
    let isReleased = false;
    return () => {
      if (isReleased) return;
      isReleased = true;
      this.#milliCpus -= milli;
    };
  }

  /** A slot if one is free now and nobody waits for one; else undefined. */
  tryAcquire(): ThreadSlot | undefined {
    if (this.#waiting.length > 0 || this.#held.size >= this.limit) return undefined;
    return this.#take();
  }

  /**
   * Resolves with a slot once one is free or lent (at once if one is free), or with undefined when
   * `signal` aborts first (the waiter leaves the queue). Never rejects.
   */
  acquire(signal: AbortSignal): Promise<ThreadSlot | undefined> {
    if (signal.aborted) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        grant: (slot) => {
          signal.removeEventListener('abort', leave);
          resolve(slot);
        },
      };
      const leave = (): void => {
        const at = this.#waiting.indexOf(waiter);
        if (at >= 0) this.#waiting.splice(at, 1);
        this.#checkLending();
        resolve(undefined);
      };
      signal.addEventListener('abort', leave, { once: true });
      this.#waiting.push(waiter);
      this.#grant();
    });
  }

  #grant(): void {
    while (this.#waiting.length > 0 && this.#held.size - this.#idle < this.limit) {
      this.#waiting.shift()!.grant(this.#take());
      // The thread counted idle now has a neighbour computing beside it: count it busy again.
      if (this.#idle > 0) this.#idle--;
    }
    this.#checkLending();
  }

  #take(): ThreadSlot {
    let isReleased = false;
    const slot: ThreadSlot = {
      release: () => {
        if (isReleased) return;
        isReleased = true;
        this.#held.delete(slot);
        this.#idle = Math.min(this.#idle, this.#held.size);
        this.#grant();
      },
      watch: (busy) => {
        if (!isReleased) this.#held.set(slot, busy);
      },
    };
    this.#held.set(slot, undefined);
    return slot;
  }

  #checkLending(): void {
    if (this.#waiting.length > 0 && this.#lendTimer === undefined) {
      this.#lendTimer = setInterval(() => this.#sample(), LEND_CHECK_MS);
      // Waiting tasks must not keep the executor alive by themselves.
      this.#lendTimer.unref();
    } else if (this.#waiting.length === 0 && this.#lendTimer !== undefined) {
      clearInterval(this.#lendTimer);
      this.#lendTimer = undefined;
      this.#idle = 0;
    }
  }

  #sample(): void {
    let idle = 0;
    for (const busy of this.#held.values()) if (busy !== undefined && busy() < IDLE_UTILIZATION) idle++;
    this.#idle = idle;
    this.#grant();
  }
}
