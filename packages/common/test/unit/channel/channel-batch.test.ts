import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import { Channel, ChannelClosedError, InvalidArgumentError } from '@mesosgot/common';

import { state } from './promise-state.js';

const range = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i);

/** One producer step: a single send, a sendMany, or a trySendMany (plus a send of what did not fit). */
type SendStep = { op: 'send' } | { op: 'sendMany'; n: number } | { op: 'trySendMany'; n: number };
/** One consumer step. */
type ReceiveStep = { op: 'receive' } | { op: 'receiveMany'; max: number } | { op: 'tryReceive' };

const sendStep: fc.Arbitrary<SendStep> = fc.oneof(
  fc.constant({ op: 'send' as const }),
  fc.record({ op: fc.constant('sendMany' as const), n: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ op: fc.constant('trySendMany' as const), n: fc.integer({ min: 1, max: 12 }) }),
);
const receiveStep: fc.Arbitrary<ReceiveStep> = fc.oneof(
  fc.constant({ op: 'receive' as const }),
  fc.record({ op: fc.constant('receiveMany' as const), max: fc.integer({ min: 1, max: 10 }) }),
  fc.constant({ op: 'tryReceive' as const }),
);

/** Sends 0, 1, 2 … through `steps` (cycled) until `total` values went in; closes after. */
async function produce(ch: Channel<number>, steps: SendStep[], total: number): Promise<void> {
  let next = 0;
  for (let k = 0; next < total; k++) {
    const step = steps[k % steps.length]!;
    if (step.op === 'send') {
      await ch.send(next++);
    } else {
      const values = range(next, Math.min(step.n, total - next));
      if (step.op === 'sendMany') {
        await ch.sendMany(values);
        next += values.length;
      } else {
        const taken = ch.trySendMany(values);
        next += taken;
        // Whatever did not fit goes with a waiting send, so the producer always progresses.
        if (taken < values.length) await ch.send(next++);
      }
    }
  }
  ch.close();
}

/** Receives through `steps` (cycled) until the channel is closed and drained. */
async function consume(ch: Channel<number>, steps: ReceiveStep[]): Promise<number[]> {
  const got: number[] = [];
  for (let k = 0; ; k++) {
    const step = steps[k % steps.length]!;
    if (step.op === 'receive') {
      const r = await ch.receive();
      if (!r.ok) return got;
      got.push(r.value);
    } else if (step.op === 'receiveMany') {
      const batch = await ch.receiveMany(step.max);
      if (batch.length === 0) return got;
      expect(batch.length).toBeLessThanOrEqual(step.max);
      got.push(...batch);
    } else {
      const r = ch.tryReceive();
      if (r !== undefined && !r.ok) return got;
      if (r !== undefined) got.push(r.value);
      else await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}

describe('channel/channel batch path', () => {
  it('delivers every value once and in order, whatever mix of single and batch operations runs on each side', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 6 }),
        fc.array(sendStep, { minLength: 1, maxLength: 8 }),
        fc.array(receiveStep, { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 120 }),
        async (capacity, sends, receives, total) => {
          const ch = new Channel<number>(capacity);
          const [, got] = await Promise.all([produce(ch, sends, total), consume(ch, receives)]);
          expect(got).toEqual(range(0, total));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('shares values between a batches() consumer and a receiveMany consumer: each value exactly once, each in order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 6 }),
        fc.array(sendStep, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 0, max: 150 }),
        async (capacity, sends, maxA, maxB, total) => {
          const ch = new Channel<number>(capacity);
          const a: number[] = [];
          const b: number[] = [];
          const viaIterator = (async () => {
            for await (const batch of ch.batches(maxA)) {
              expect(batch.length).toBeGreaterThan(0);
              expect(batch.length).toBeLessThanOrEqual(maxA);
              a.push(...batch);
            }
          })();
          const viaReceiveMany = (async () => {
            for (let batch = await ch.receiveMany(maxB); batch.length > 0; batch = await ch.receiveMany(maxB)) b.push(...batch);
          })();
          await Promise.all([produce(ch, sends, total), viaIterator, viaReceiveMany]);
          expect([...a, ...b].sort((x, y) => x - y)).toEqual(range(0, total));
          expect(a).toEqual([...a].sort((x, y) => x - y));
          expect(b).toEqual([...b].sort((x, y) => x - y));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('on close: a sendMany rejects with ChannelClosedError having sent a prefix, receivers drain that prefix then get []', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 5 }),
        fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 1, max: 7 }),
        async (capacity, chunkSizes, closeAfter, max) => {
          const ch = new Channel<number>(capacity);
          let next = 0;
          let resolvedUpTo = 0;
          let rejection: unknown;
          const producer = (async () => {
            try {
              for (const n of chunkSizes) {
                const values = range(next, n);
                next += n;
                await ch.sendMany(values);
                resolvedUpTo = next;
              }
              ch.close();
            } catch (err) {
              rejection = err;
            }
          })();
          const got: number[] = [];
          for (;;) {
            if (got.length >= closeAfter && !ch.closed) ch.close();
            const batch = await ch.receiveMany(max);
            if (batch.length === 0) break;
            got.push(...batch);
          }
          await producer;
          // What came out is a gap-free, duplicate-free prefix of what went in, covering every
          // sendMany that resolved; a sendMany cut by the close rejected with ChannelClosedError.
          expect(got).toEqual(range(0, got.length));
          expect(got.length).toBeGreaterThanOrEqual(resolvedUpTo);
          if (resolvedUpTo < next) expect(rejection).toBeInstanceOf(ChannelClosedError);
          expect(await ch.receiveMany(max)).toEqual([]);
          await expect(ch.drained()).resolves.toBeUndefined();
          await expect(ch.sendMany([1])).rejects.toBeInstanceOf(ChannelClosedError);
          expect(() => ch.trySendMany([1])).toThrow(ChannelClosedError);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('sendMany of nothing resolves at once, also on a full channel', async () => {
    const ch = new Channel<number>(0);
    expect(await state(ch.sendMany([]))).toBe('resolved');
    expect(ch.trySendMany([])).toBe(0);
  });

  it('receiveMany collects what the sender buffers in the same turn as the value that woke it', async () => {
    const ch = new Channel<number>(16);
    const batch = ch.receiveMany(10);
    expect(await state(batch)).toBe('pending');
    await ch.sendMany(range(0, 12));
    expect(await batch).toEqual(range(0, 10));
    expect(await ch.receiveMany(10)).toEqual([10, 11]);
  });

  it('sendMany waits while the buffer is full and resolves once its last value is in', async () => {
    const ch = new Channel<number>(2);
    const sent = ch.sendMany(range(0, 7));
    expect(await state(sent)).toBe('pending');
    expect(ch.length).toBe(2);
    expect(await ch.receiveMany(3)).toEqual([0, 1, 2]);
    expect(await state(sent)).toBe('pending');
    expect(ch.length).toBe(2);
    // The rest waits as one sender: a batch receive takes all of it at once.
    expect(await ch.receiveMany(10)).toEqual([3, 4, 5, 6]);
    expect(await state(sent)).toBe('resolved');
    expect(ch.length).toBe(0);
  });

  it('a blocked sendMany costs one wait however slowly the values are taken: a one-at-a-time receiver refills the buffer from it in order', async () => {
    const ch = new Channel<number>(4);
    const sent = ch.sendMany(range(0, 1000));
    const got: number[] = [];
    for (let i = 0; i < 1000; i++) {
      // Room appears one value at a time; the buffer is refilled from the waiting sender at once.
      expect(ch.length).toBe(Math.min(4, 1000 - i));
      got.push(ch.tryReceive()!.value as number);
      // It resolves once its last value is in the buffer (4 in at first, one more per take).
      expect(await state(sent)).toBe(4 + i + 1 < 1000 ? 'pending' : 'resolved');
    }
    expect(got).toEqual(range(0, 1000));
    expect(await state(sent)).toBe('resolved');
    // Another sender queued behind it comes after every one of its values.
    const first = ch.sendMany(range(0, 10));
    const second = ch.send(99);
    const order: number[] = [];
    for await (const v of ch) {
      order.push(v);
      if (v === 99) break;
    }
    await Promise.all([first, second]);
    expect(order).toEqual([...range(0, 10), 99]);
  });

  it('an aborted receiveMany rejects with the signal reason and takes nothing', async () => {
    const ch = new Channel<number>(4);
    const ac = new AbortController();
    const waiting = ch.receiveMany(4, { signal: ac.signal });
    const reason = new Error('enough');
    ac.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    await ch.sendMany([1, 2]);
    expect(await ch.receiveMany(4)).toEqual([1, 2]);
    await expect(ch.receiveMany(1, { signal: ac.signal })).rejects.toBe(reason);
  });

  it('an aborted sendMany rejects with the signal reason; the values it had put in stay, the rest never enter', async () => {
    const ch = new Channel<number>(2);
    const ac = new AbortController();
    const sent = ch.sendMany(range(0, 5), { signal: ac.signal });
    ac.abort(new Error('stop'));
    await expect(sent).rejects.toThrow('stop');
    ch.close();
    expect(await ch.receiveMany(10)).toEqual([0, 1]);
  });

  it('break out of batches() loses nothing, and a new iterator goes on where it stopped', async () => {
    const ch = new Channel<number>(8);
    await ch.sendMany(range(0, 8));
    for await (const batch of ch.batches(3)) {
      expect(batch).toEqual([0, 1, 2]);
      break;
    }
    ch.close();
    const rest: number[][] = [];
    for await (const batch of ch.batches()) rest.push(batch);
    expect(rest).toEqual([range(3, 5)]);
  });

  it('return() on a batches() iterator waiting for a value ends it without taking the next value', async () => {
    const ch = new Channel<number>(4);
    const it = ch.batches(4);
    const pending = it.next();
    expect(await state(pending)).toBe('pending');
    await it.return?.();
    expect(await pending).toEqual({ value: undefined, done: true });
    await ch.send(7);
    expect(await ch.receiveMany(4)).toEqual([7]);
    expect(await it.next()).toEqual({ value: undefined, done: true });
  });

  it('serves concurrent next() calls of one batches() iterator in call order', async () => {
    const ch = new Channel<number>(4);
    const it = ch.batches(2);
    const first = it.next();
    const second = it.next();
    await ch.sendMany([1, 2, 3]);
    expect((await first).value).toEqual([1, 2]);
    expect((await second).value).toEqual([3]);
  });

  it('throws InvalidArgumentError for a batch bound that is not a positive integer', () => {
    const ch = new Channel<number>();
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      expect(() => ch.receiveMany(bad)).toThrow(InvalidArgumentError);
      expect(() => ch.batches(bad)).toThrow(InvalidArgumentError);
    }
  });
});
