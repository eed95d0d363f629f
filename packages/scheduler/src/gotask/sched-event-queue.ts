/**
 * Hands SchedEvents to the scheduler function's `schedEvents` channel without ever blocking the
 * driver: driver callbacks run one at a time, so a callback waiting on a full channel would also
 * stop MESSAGE events — and with them the acks and credit the scheduler function may be waiting
 * for (a deadlock). Events wait here instead, up to a bound; past it they are counted and one
 * Error event says how many were dropped (never a silent drop).
 *
 * `Shutdown` is the last event the channel carries: events after it (a SlaveLost or an
 * ExecutorLost from the teardown) still reach the observer (logs, status page, `onEvent`), but
 * the scheduler function, which is already stopping, never sees anything after Shutdown.
 */
import type { Channel } from '@mesosgot/common/internal';
import type { SchedEvent } from './sched-events.js';

/** Events queued beyond the channel's own buffer, at least. */
export const MIN_EVENT_QUEUE_BOUND = 1024;

export class SchedEventQueue {
  /** Events not yet in the channel. Bound: `bound` (push drops beyond it). */
  private readonly queue: SchedEvent[] = [];
  private head = 0;
  private dropped = 0;
  private pumping: Promise<void> | undefined;
  private isClosed = false;
  /** True once Shutdown is queued: later events go to the observer only. */
  private isSealed = false;

  constructor(
    private readonly channel: Channel<SchedEvent>,
    private readonly bound: number,
    /** Sees every event as it happens, before the scheduler function starts too (never waits). */
    private readonly observer?: (event: SchedEvent) => void,
  ) {}

  /**
   * Queues an event; never waits. The observer sees every event; after Shutdown or close() the
   * channel gets no more.
   */
  push(event: SchedEvent): void {
    try {
      this.observer?.(event);
    } catch {
      // An observer's bug must not stop the framework's events; it sees the next one anyway.
    }
    if (this.isClosed || this.isSealed) return;
    if (event.type === 'Shutdown') this.isSealed = true;
    // Shutdown is never dropped: the scheduler function must learn that the system stops.
    if (this.queue.length - this.head >= this.bound && event.type !== 'Shutdown') {
      this.dropped++;
      return;
    }
    this.queue.push(event);
    this.pumping ??= this.pump();
  }

  /**
   * Pushes `last` (e.g. Shutdown), waits up to `signal` for the queue to reach the channel,
   * then closes the channel: a reader still gets every buffered event, then the end.
   */
  async close(last: SchedEvent | undefined, signal: AbortSignal): Promise<void> {
    if (this.isClosed) return;
    // A Shutdown already queued stays the only one.
    if (last !== undefined && !this.isSealed) this.push(last);
    this.isClosed = true;
    const pumping = this.pumping;
    if (pumping !== undefined && !signal.aborted) {
      await new Promise<void>((resolve) => {
        signal.addEventListener('abort', () => resolve(), { once: true });
        void pumping.then(resolve);
      });
    }
    this.channel.close();
    await this.pumping;
  }

  private async pump(): Promise<void> {
    try {
      while (this.head < this.queue.length) {
        const event = this.queue[this.head]!;
        await this.channel.send(event);
        this.queue[this.head] = undefined as unknown as SchedEvent;
        this.head++;
        if (this.head > 1024 && this.head * 2 > this.queue.length) {
          this.queue.splice(0, this.head);
          this.head = 0;
        }
        if (this.dropped > 0 && this.queue.length - this.head < this.bound) {
          const n = this.dropped;
          this.dropped = 0;
          const error: SchedEvent = { type: 'Error', message: `${n} scheduler events dropped: schedEvents was not read and its queue of ${this.bound} was full` };
          // Shutdown, once queued, stays the last event.
          if (!this.isSealed) this.queue.push(error);
          else if (this.head < this.queue.length) this.queue.splice(this.queue.length - 1, 0, error);
        }
      }
    } catch {
      // The channel was closed by close() (the scheduler function is done): the rest has no reader.
    } finally {
      this.pumping = undefined;
    }
  }
}
