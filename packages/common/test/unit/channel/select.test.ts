import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import { Channel, ChannelClosedError, InvalidArgumentError, onReceive, onSend, select } from '@mesosgot/common';
import type { ReceiveChannel } from '@mesosgot/common';

async function state(p: Promise<unknown>): Promise<'settled' | 'pending'> {
  const tick = new Promise<'pending'>((resolve) => setImmediate(() => resolve('pending')));
  return Promise.race([p.then(() => 'settled' as const, () => 'settled' as const), tick]);
}

describe('channel/select', () => {
  it('fires a ready receive case and leaves the other channels untouched', async () => {
    const a = new Channel<number>(4);
    const b = new Channel<string>(4);
    await b.send('b1');
    const r = await select([onReceive(a), onReceive(b)]);
    expect(r).toEqual({ kind: 'receive', index: 1, value: 'b1', ok: true });
    if (r.kind === 'receive' && r.index === 1 && r.ok) {
      const typed: string = r.value; // index narrows value to the channel's type
      expect(typed).toBe('b1');
    }
    expect(a.length).toBe(0);
  });

  it('waits for the first case and consumes nothing from the losers', async () => {
    const a = new Channel<number>(4);
    const b = new Channel<number>(4);
    const p = select([onReceive(a), onReceive(b)]);
    expect(await state(p)).toBe('pending');
    await b.send(2);
    await a.send(1);
    expect(await p).toEqual({ kind: 'receive', index: 1, value: 2, ok: true });
    expect(a.tryReceive()).toEqual({ value: 1, ok: true });
  });

  it('fires a send case when room appears, and only that one send happens', async () => {
    const full = new Channel<number>(1);
    await full.send(1);
    const other = new Channel<number>(0);
    const p = select([onSend(full, 2), onSend(other, 3)]);
    expect(await state(p)).toBe('pending');
    expect(await full.receive()).toEqual({ value: 1, ok: true });
    expect(await p).toEqual({ kind: 'send', index: 0 });
    expect(full.tryReceive()).toEqual({ value: 2, ok: true });
    expect(other.tryReceive()).toBeUndefined();
  });

  it('a send case on an unbuffered channel fires when a receiver takes the value', async () => {
    const ch = new Channel<string>(0);
    const p = select([onSend(ch, 'hi')]);
    expect(await ch.receive()).toEqual({ value: 'hi', ok: true });
    expect(await p).toEqual({ kind: 'send', index: 0 });
  });

  it('resolves timeout and leaves no waiter behind', async () => {
    const ch = new Channel<number>(2);
    expect(await select([onReceive(ch)], { timeoutMs: 5 })).toEqual({ kind: 'timeout' });
    expect(ch.trySend(1)).toBe(true);
    expect(ch.length).toBe(1);
  });

  it('timeoutMs 0 does not wait (Go default) but still takes a ready case', async () => {
    const ch = new Channel<number>(2);
    expect(await select([onReceive(ch)], { timeoutMs: 0 })).toEqual({ kind: 'timeout' });
    await ch.send(4);
    expect(await select([onReceive(ch)], { timeoutMs: 0 })).toEqual({ kind: 'receive', index: 0, value: 4, ok: true });
  });

  it('rejects with signal.reason on abort and unparks every case', async () => {
    const a = new Channel<number>(0);
    const b = new Channel<number>(0);
    const ac = new AbortController();
    const p = select([onReceive(a), onSend(b, 1)], { signal: ac.signal });
    const reason = new Error('cancelled');
    ac.abort(reason);
    await expect(p).rejects.toBe(reason);
    expect(a.trySend(1)).toBe(false);
    expect(b.tryReceive()).toBeUndefined();
    await expect(select([onReceive(a)], { signal: AbortSignal.abort('pre') })).rejects.toBe('pre');
  });

  it('a receive case on a closed channel fires with ok:false', async () => {
    const ch = new Channel<number>(1);
    const p = select([onReceive(ch)]);
    ch.close();
    expect(await p).toEqual({ kind: 'receive', index: 0, value: undefined, ok: false });
    expect(await select([onReceive(ch)])).toEqual({ kind: 'receive', index: 0, value: undefined, ok: false });
  });

  it('a send case on a closed (or closing) channel rejects with ChannelClosedError', async () => {
    const ch = new Channel<number>(0);
    const p = select([onSend(ch, 1)]);
    ch.close();
    await expect(p).rejects.toBeInstanceOf(ChannelClosedError);
    await expect(select([onSend(ch, 2)])).rejects.toBeInstanceOf(ChannelClosedError);
  });

  it('does not match its own send and receive cases on one unbuffered channel', async () => {
    const ch = new Channel<number>(0);
    expect(await select([onReceive(ch), onSend(ch, 1)], { timeoutMs: 5 })).toEqual({ kind: 'timeout' });
    const p = select([onReceive(ch), onSend(ch, 1)]);
    expect(ch.tryReceive()).toEqual({ value: 1, ok: true });
    expect(await p).toEqual({ kind: 'send', index: 1 });
  });

  it('throws InvalidArgumentError for a bad timeout, a foreign channel, or a select that could never end', () => {
    const ch = new Channel<number>();
    expect(() => select([onReceive(ch)], { timeoutMs: -1 })).toThrow(InvalidArgumentError);
    expect(() => select([onReceive(ch)], { timeoutMs: Number.NaN })).toThrow(InvalidArgumentError);
    const fake = { receive: () => Promise.resolve({ value: 1, ok: true }) } as unknown as ReceiveChannel<number>;
    expect(() => select([onReceive(fake)])).toThrow(InvalidArgumentError);
    expect(() => select([])).toThrow(InvalidArgumentError);
  });

  it('fires exactly one case per select under contention (nothing lost, nothing duplicated)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 1, max: 30 }),
        async (capacity, count) => {
          const a = new Channel<number>(capacity);
          const b = new Channel<number>(capacity);
          const out = new Channel<number>(capacity);
          // Producers feed a and b; a select loop moves values from either into out.
          const producers = [a, b].map(async (ch, k) => {
            for (let i = 0; i < count; i++) await ch.send(k * 1000 + i);
            ch.close();
          });
          const pump = (async () => {
            let open = 2;
            const closedSeen = new Set<number>();
            while (open > 0) {
              const cases = [onReceive(a), onReceive(b)] as const;
              const r = await select(cases);
              if (r.kind !== 'receive') throw new Error('unexpected');
              if (!r.ok) {
                if (!closedSeen.has(r.index)) open--;
                closedSeen.add(r.index);
                if (open === 0) break;
                continue;
              }
              await out.send(r.value);
            }
            out.close();
          })();
          const got: number[] = [];
          for await (const v of out) got.push(v);
          await Promise.all([...producers, pump]);
          const expected = [...Array.from({ length: count }, (_, i) => i), ...Array.from({ length: count }, (_, i) => 1000 + i)];
          expect(got.sort((x, y) => x - y)).toEqual(expected);
        },
      ),
      { numRuns: 40 },
    );
  });
});
