import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import { Channel, ChannelClosedError, DEFAULT_CHANNEL_CAPACITY, InvalidArgumentError } from '@mesosgot/common';

import { state } from './promise-state.js';

describe('channel/channel', () => {
  it('defaults to a capacity of 256 and rejects a negative or fractional capacity', () => {
    expect(new Channel<number>().capacity).toBe(DEFAULT_CHANNEL_CAPACITY);
    expect(DEFAULT_CHANNEL_CAPACITY).toBe(256);
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new Channel<number>(bad)).toThrow(InvalidArgumentError);
    }
  });

  it('delivers buffered values in order and reports length', async () => {
    const ch = new Channel<number>(4);
    await ch.send(1);
    await ch.send(2);
    expect(ch.trySend(3)).toBe(true);
    expect(ch.length).toBe(3);
    expect(await ch.receive()).toEqual({ value: 1, ok: true });
    expect(ch.tryReceive()).toEqual({ value: 2, ok: true });
    expect(await ch.receive()).toEqual({ value: 3, ok: true });
    expect(ch.tryReceive()).toBeUndefined();
    expect(ch.length).toBe(0);
  });

  it('makes a sender wait while the buffer is full (backpressure) and resumes it in order', async () => {
    const ch = new Channel<number>(2);
    await ch.send(1);
    await ch.send(2);
    expect(ch.trySend(99)).toBe(false);
    const third = ch.send(3);
    const fourth = ch.send(4);
    expect(await state(third)).toBe('pending');
    expect(ch.length).toBe(2);
    expect((await ch.receive()).value).toBe(1);
    expect(await state(third)).toBe('resolved');
    expect(await state(fourth)).toBe('pending');
    const got: number[] = [];
    for (let i = 0; i < 3; i++) got.push((await ch.receive()).value as number);
    expect(got).toEqual([2, 3, 4]);
    await fourth;
  });

  it('hands a value to a waiting receiver directly', async () => {
    const ch = new Channel<string>(1);
    const r = ch.receive();
    expect(await state(r)).toBe('pending');
    await ch.send('x');
    expect(await r).toEqual({ value: 'x', ok: true });
    expect(ch.length).toBe(0);
  });

  it('capacity 0 is a rendezvous: send resolves only when a receiver takes the value', async () => {
    const ch = new Channel<number>(0);
    expect(ch.trySend(1)).toBe(false);
    const s = ch.send(7);
    expect(await state(s)).toBe('pending');
    expect(ch.length).toBe(0);
    expect(ch.tryReceive()).toEqual({ value: 7, ok: true });
    expect(await state(s)).toBe('resolved');
    const r = ch.receive();
    expect(ch.trySend(8)).toBe(true);
    expect(await r).toEqual({ value: 8, ok: true });
  });

  it('close drains buffered values, then receive yields ok:false and iteration ends', async () => {
    const ch = new Channel<number>(8);
    for (const v of [1, 2, 3]) await ch.send(v);
    ch.close();
    ch.close(); // idempotent
    expect(ch.closed).toBe(true);
    const drained = ch.drained();
    expect(await state(drained)).toBe('pending');
    expect(await ch.receive()).toEqual({ value: 1, ok: true });
    const rest: number[] = [];
    for await (const v of ch) rest.push(v);
    expect(rest).toEqual([2, 3]);
    expect(await ch.receive()).toEqual({ value: undefined, ok: false });
    expect(ch.tryReceive()).toEqual({ value: undefined, ok: false });
    await drained;
    await ch.drained();
  });

  it('close wakes waiting receivers with ok:false and ends a pending for-await', async () => {
    const ch = new Channel<number>(1);
    const r = ch.receive();
    const seen: number[] = [];
    const loop = (async () => {
      for await (const v of ch) seen.push(v);
    })();
    ch.close();
    expect(await r).toEqual({ value: undefined, ok: false });
    await loop;
    expect(seen).toEqual([]);
  });

  it('rejects sends on a closed channel and waiting senders with ChannelClosedError, dropping their values', async () => {
    const ch = new Channel<number>(1);
    await ch.send(1);
    const waiting = ch.send(2);
    ch.close();
    await expect(waiting).rejects.toBeInstanceOf(ChannelClosedError);
    await expect(ch.send(3)).rejects.toBeInstanceOf(ChannelClosedError);
    expect(() => ch.trySend(4)).toThrow(ChannelClosedError);
    expect(await ch.receive()).toEqual({ value: 1, ok: true });
    expect(await ch.receive()).toEqual({ value: undefined, ok: false });
  });

  it('an aborted send rejects with signal.reason unchanged and never enqueues its value', async () => {
    const ch = new Channel<number>(1);
    await ch.send(1);
    const ac = new AbortController();
    const reason = new Error('stop');
    const s = ch.send(2, { signal: ac.signal });
    ac.abort(reason);
    await expect(s).rejects.toBe(reason);
    expect((await ch.receive()).value).toBe(1);
    expect(ch.length).toBe(0);
    expect(ch.tryReceive()).toBeUndefined();
    const pre = AbortSignal.abort('already');
    await expect(ch.send(3, { signal: pre })).rejects.toBe('already');
    expect(ch.length).toBe(0);
  });

  it('an aborted receive rejects with signal.reason and takes no value', async () => {
    const ch = new Channel<number>(1);
    const ac = new AbortController();
    const r = ch.receive({ signal: ac.signal });
    ac.abort('gone');
    await expect(r).rejects.toBe('gone');
    await ch.send(5);
    expect(ch.length).toBe(1);
    await expect(ch.receive({ signal: AbortSignal.abort('x') })).rejects.toBe('x');
    expect(ch.length).toBe(1);
  });

  it('leaves nothing behind after many aborted receives (a later send is buffered, not lost)', async () => {
    const ch = new Channel<number>(4);
    for (let i = 0; i < 1000; i++) {
      const ac = new AbortController();
      const r = ch.receive({ signal: ac.signal });
      ac.abort();
      await r.catch(() => undefined);
    }
    expect(ch.trySend(42)).toBe(true);
    expect(ch.length).toBe(1);
  });

  it('break ends a for-await cleanly and loses no value', async () => {
    const ch = new Channel<number>(16);
    for (let i = 0; i < 10; i++) await ch.send(i);
    const first: number[] = [];
    for await (const v of ch) {
      first.push(v);
      if (v === 2) break;
    }
    expect(first).toEqual([0, 1, 2]);
    expect(ch.closed).toBe(false);
    ch.close();
    const rest: number[] = [];
    for await (const v of ch) rest.push(v);
    expect(rest).toEqual([3, 4, 5, 6, 7, 8, 9]);
  });

  it("an iterator's return() while next() waits hands later values to other receivers", async () => {
    const ch = new Channel<number>(1);
    const it1 = ch[Symbol.asyncIterator]();
    const pending = it1.next();
    await it1.return?.();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(await it1.next()).toEqual({ value: undefined, done: true });
    await ch.send(9);
    expect(ch.tryReceive()).toEqual({ value: 9, ok: true });
  });

  it('concurrent next() calls on one iterator resolve in call order, interleaved fairly with other receivers', async () => {
    const ch = new Channel<number>(0);
    const it1 = ch[Symbol.asyncIterator]();
    const a = it1.next();
    const b = it1.next();
    const other = ch.receive();
    const c = it1.next();
    for (let i = 0; i < 4; i++) await ch.send(i);
    expect(await a).toEqual({ value: 0, done: false });
    expect(await b).toEqual({ value: 1, done: false });
    expect(await other).toEqual({ value: 2, ok: true });
    expect(await c).toEqual({ value: 3, done: false });
    // The reused waiter is free again while a later extra one still waits: order holds.
    const d = it1.next();
    const e = it1.next();
    const f = it1.next();
    await ch.send(4);
    expect(await d).toEqual({ value: 4, done: false });
    const g = it1.next();
    for (let i = 5; i < 8; i++) await ch.send(i);
    expect([await e, await f, await g].map((r) => r.value)).toEqual([5, 6, 7]);
    ch.close();
    expect(await it1.next()).toEqual({ value: undefined, done: true });
  });

  it('close ends every pending next() of an iterator, and return() cancels them all without taking a value', async () => {
    const ch = new Channel<number>(2);
    const it1 = ch[Symbol.asyncIterator]();
    const pending = [it1.next(), it1.next(), it1.next()];
    await it1.return?.();
    for (const p of pending) expect(await p).toEqual({ value: undefined, done: true });
    await ch.send(1);
    expect(ch.length).toBe(1);
    const it2 = ch[Symbol.asyncIterator]();
    expect(await it2.next()).toEqual({ value: 1, done: false });
    const waiting = [it2.next(), it2.next()];
    ch.close();
    for (const p of waiting) expect(await p).toEqual({ value: undefined, done: true });
    expect(await it2.next()).toEqual({ value: undefined, done: true });
  });

  it('a buffered send and a waiting for-await keep FIFO order across the fast paths', async () => {
    const ch = new Channel<number>(4);
    const it1 = ch[Symbol.asyncIterator]();
    const first = it1.next();
    expect(await state(first)).toBe('pending');
    // The first send is handed to the waiting next(); later ones are buffered without waiting.
    for (let i = 0; i < 5; i++) expect(await state(ch.send(i))).toBe('resolved');
    expect(ch.length).toBe(4);
    const sixth = ch.send(5);
    expect(await state(sixth)).toBe('pending');
    const got = [(await first).value];
    for (let i = 0; i < 5; i++) got.push((await it1.next()).value);
    expect(got).toEqual([0, 1, 2, 3, 4, 5]);
    await sixth;
  });

  it('a woken receiver resumes after its sender buffered the next value, so it does not park again', async () => {
    for (const how of ['for-await', 'receive'] as const) {
      const ch = new Channel<number>(4);
      const lengthsSeen: number[] = [];
      const consumer = (async () => {
        if (how === 'for-await') {
          for await (const v of ch) lengthsSeen.push(v, ch.length);
        } else {
          for (let r = await ch.receive(); r.ok; r = await ch.receive()) lengthsSeen.push(r.value, ch.length);
        }
      })();
      // The consumer is parked on an empty channel; a producer awaiting each send wakes it once.
      await Promise.resolve();
      await ch.send(0);
      await ch.send(1);
      await ch.send(2);
      ch.close();
      await consumer;
      // Woken with 0, it already sees 1 buffered: from then on it takes values without waiting.
      expect(lengthsSeen.slice(0, 2)).toEqual([0, 1]);
      expect(lengthsSeen.filter((_, i) => i % 2 === 0)).toEqual([0, 1, 2]);
    }
  });

  it('drained() resolves when the last buffered value is taken after close', async () => {
    const ch = new Channel<number>(2);
    await ch.send(1);
    const d = ch.drained();
    ch.close();
    expect(await state(d)).toBe('pending');
    await ch.receive();
    expect(await state(d)).toBe('resolved');
  });

  it('never loses or duplicates a value under concurrent senders and receivers', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 30 }),
        async (capacity, senders, receivers, perSender) => {
          const ch = new Channel<[number, number]>(capacity);
          const producers = Array.from({ length: senders }, async (_, s) => {
            for (let i = 0; i < perSender; i++) await ch.send([s, i]);
          });
          const got: [number, number][][] = Array.from({ length: receivers }, () => []);
          const consumers = got.map(async (mine, r) => {
            if (r % 2 === 0) {
              for await (const v of ch) mine.push(v);
            } else {
              for (let x = await ch.receive(); x.ok; x = await ch.receive()) mine.push(x.value);
            }
          });
          await Promise.all(producers);
          ch.close();
          await Promise.all(consumers);
          const all = got.flat().map(([s, i]) => s * 1000 + i);
          const expected = Array.from({ length: senders * perSender }, (_, k) => Math.floor(k / perSender) * 1000 + (k % perSender));
          expect(all.sort((a, b) => a - b)).toEqual(expected);
          // Each receiver sees each sender's values in the order they were sent.
          for (const mine of got) {
            for (let s = 0; s < senders; s++) {
              const seq = mine.filter(([from]) => from === s).map(([, i]) => i);
              expect(seq).toEqual([...seq].sort((a, b) => a - b));
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
