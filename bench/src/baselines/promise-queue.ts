/**
 * Baseline for Channel<T>: the least a bounded async queue can do. An array, a waiting
 * receiver and waiting senders; no select, no abort, no close checks beyond one flag.
 * Channel throughput is judged against this with the same message count and capacity.
 */
import { perSecond } from '../harness/stats.js';
import { timeMs } from '../harness/measure.js';

export class PromiseQueue<T> {
  private readonly items: T[] = [];
  private readonly blockedSenders: (() => void)[] = [];
  private waitingReceiver: ((r: IteratorResult<T, undefined>) => void) | undefined;
  private isClosed = false;

  constructor(private readonly capacity: number) {}

  /** Resolves once the value is buffered (or handed to a waiting receiver). */
  async send(value: T): Promise<void> {
    while (this.items.length >= this.capacity) {
      await new Promise<void>((resolve) => this.blockedSenders.push(resolve));
    }
    const receiver = this.waitingReceiver;
    if (receiver) {
      this.waitingReceiver = undefined;
      receiver({ value, done: false });
    } else {
      this.items.push(value);
    }
  }

  close(): void {
    this.isClosed = true;
    const receiver = this.waitingReceiver;
    this.waitingReceiver = undefined;
    receiver?.({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<T, undefined>> {
    if (this.items.length > 0) {
      const value = this.items.shift() as T;
      this.blockedSenders.shift()?.();
      return Promise.resolve({ value, done: false });
    }
    if (this.isClosed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waitingReceiver = resolve));
  }

  [Symbol.asyncIterator](): AsyncIterator<T, undefined> {
    return { next: () => this.next() };
  }
}

/** The shape both the baseline and Channel<T> are driven through. */
export interface QueueUnderTest {
  send(value: number): Promise<void>;
  close(): void;
  [Symbol.asyncIterator](): AsyncIterator<number>;
}

/**
 * One producer sends `count` numbers then closes; one consumer drains with `for await`.
 * Resolves with messages per second; rejects if the consumer saw a wrong count or order.
 */
export async function queueThroughput(queue: QueueUnderTest, count: number): Promise<number> {
  let received = 0;
  let expected = 0;
  const elapsed = await timeMs(async () => {
    const consumer = (async () => {
      for await (const v of queue) {
        if (v !== expected) throw new Error(`queue delivered ${v}, expected ${expected}`);
        expected++;
        received++;
      }
    })();
    for (let i = 0; i < count; i++) await queue.send(i);
    queue.close();
    await consumer;
  });
  if (received !== count) throw new Error(`queue delivered ${received} of ${count} messages`);
  return perSecond(count, elapsed);
}
