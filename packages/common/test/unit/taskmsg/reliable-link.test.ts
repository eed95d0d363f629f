import { describe, it, expect, afterEach } from '@jest/globals';
import fc from 'fast-check';
import { waitFor } from '@mesosgot/local/testing';
import { ChannelClosedError, DEFAULT_MAX_BATCH_BYTES, INITIAL_STREAM_CREDIT, InvalidArgumentError, RELAY_MAX_FRAME_BYTES, ReliableLink, relayTransport, type LinkTransport, type TaskMsg } from '../../../src/internal.js';
import { LossyNetwork, NO_FAULTS, prng, type Faults } from './lossy-network.js';

let net: LossyNetwork | undefined;
afterEach(async () => {
  await net?.stop();
  net = undefined;
});

function start(faults: Faults = NO_FAULTS, seed = 1, options = {}): LossyNetwork {
  net = new LossyNetwork(faults, prng(seed));
  net.connect(options);
  return net;
}

/** Consumes every message of `link` into `into` until the link closes. */
function collect(link: ReliableLink, into: TaskMsg[]): Promise<void> {
  return (async () => {
    for await (const m of link.receive()) into.push(m);
  })();
}

function byStream(msgs: TaskMsg[]): Map<string, (string | Uint8Array)[]> {
  const out = new Map<string, (string | Uint8Array)[]>();
  for (const m of msgs) {
    let list = out.get(m.taskName);
    if (!list) out.set(m.taskName, (list = []));
    list.push(m.data);
  }
  return out;
}

describe('ReliableLink', () => {
  it('delivers every message in order per stream, both directions, on a clean transport', async () => {
    const n = start();
    const atB: TaskMsg[] = [];
    const atA: TaskMsg[] = [];
    const done = [collect(n.b, atB), collect(n.a, atA)];
    for (let i = 0; i < 1000; i++) {
      await n.a.send({ taskName: `t-${i % 3}`, data: `a${i}` });
      await n.b.send({ taskName: `t-${i % 2}`, data: Uint8Array.of(i & 255) });
    }
    await waitFor(() => atB.length === 1000 && atA.length === 1000, { what: 'all 2000 messages' });
    const got = byStream(atB);
    for (let t = 0; t < 3; t++) {
      expect(got.get(`t-${t}`)).toEqual(Array.from({ length: 1000 }, (_, i) => i).filter((i) => i % 3 === t).map((i) => `a${i}`));
    }
    expect(byStream(atA).get('t-1')).toEqual(Array.from({ length: 500 }, (_, k) => Uint8Array.of((2 * k + 1) & 255)));
    await n.a.drain();
    expect(n.b.stats().messagesDelivered).toBe(1000);
    expect(n.errors).toEqual([]);
    await n.stop();
    await Promise.all(done);
  });

  it('batches many messages per frame and never exceeds the frame byte limit', async () => {
    const n = start(NO_FAULTS, 1, { maxFrameBytes: 4096 });
    const atB: TaskMsg[] = [];
    void collect(n.b, atB);
    const payload = 'x'.repeat(100);
    for (let i = 0; i < 5000; i++) await n.a.send({ taskName: `s${i % 7}`, data: payload });
    await waitFor(() => atB.length === 5000);
    expect(n.maxFrameSeen).toBeLessThanOrEqual(4096);
    // 5000 × ~102 bytes in 4 KiB frames: about 130 frames, nowhere near one per message.
    expect(n.framesOnWire.ab).toBeLessThan(400);
  });

  it('caps frames at RELAY_MAX_FRAME_BYTES on the relay, and fills them up to maxFrameBytes on a transport without a cap', async () => {
    // 8 streams × the initial credit of 200-byte messages queued in one turn: some 400 KiB to pack.
    const burst = async (n: LossyNetwork, received: TaskMsg[]): Promise<void> => {
      const payload = new Uint8Array(200).fill(7);
      for (let i = 0; i < 8 * INITIAL_STREAM_CREDIT; i++) expect(n.a.trySend({ taskName: `s${i % 8}`, data: payload })).toBe(true);
      await waitFor(() => received.length === 8 * INITIAL_STREAM_CREDIT, { what: 'the whole burst' });
    };
    const relayed = start();
    const atB: TaskMsg[] = [];
    void collect(relayed.b, atB);
    await burst(relayed, atB);
    expect(relayed.maxFrameSeen).toBeLessThanOrEqual(RELAY_MAX_FRAME_BYTES);
    expect(relayed.maxFrameSeen).toBeGreaterThan(RELAY_MAX_FRAME_BYTES / 2);
    await relayed.stop();

    const direct = start();
    const frames: number[] = [];
    const uncapped: LinkTransport = {
      kind: 'direct',
      isReliable: true,
      transmit: async (frame) => {
        frames.push(frame.length);
        direct.b.onFrame(Uint8Array.from(frame));
      },
    };
    direct.a.useTransport(uncapped);
    const atB2: TaskMsg[] = [];
    void collect(direct.b, atB2);
    await burst(direct, atB2);
    expect(Math.max(...frames)).toBeGreaterThan(2 * RELAY_MAX_FRAME_BYTES);
    expect(Math.max(...frames)).toBeLessThanOrEqual(DEFAULT_MAX_BATCH_BYTES);
  });

  it('caps relay frames only when MESSAGE calls carry them as base64 JSON text, not as protobuf bytes', () => {
    const transmit = async (): Promise<void> => undefined;
    expect(relayTransport(transmit).maxFrameBytes).toBe(RELAY_MAX_FRAME_BYTES);
    expect(relayTransport(transmit, 'json').maxFrameBytes).toBe(RELAY_MAX_FRAME_BYTES);
    expect(relayTransport(transmit, 'protobuf').maxFrameBytes).toBeUndefined();
  });

  it('sends a message larger than the frame limit alone in its own frame', async () => {
    const n = start(NO_FAULTS, 1, { maxFrameBytes: 1024 });
    const atB: TaskMsg[] = [];
    void collect(n.b, atB);
    await n.a.send({ taskName: 'big', data: new Uint8Array(10_000).fill(9) });
    await n.a.send({ taskName: 'big', data: 'after' });
    await waitFor(() => atB.length === 2);
    expect((atB[0]!.data as Uint8Array).length).toBe(10_000);
    expect(atB[1]!.data).toBe('after');
  });

  it('delivers exactly once and in order through loss, duplication and reordering (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          seed: fc.integer({ min: 1, max: 2 ** 31 }),
          drop: fc.double({ min: 0, max: 0.3, noNaN: true }),
          duplicate: fc.double({ min: 0, max: 0.3, noNaN: true }),
          maxDelayMs: fc.integer({ min: 0, max: 4 }),
          streams: fc.integer({ min: 1, max: 5 }),
          count: fc.integer({ min: 1, max: 400 }),
          maxFrameBytes: fc.constantFrom(128, 1024, 65536),
        }),
        async (p) => {
          const n = new LossyNetwork({ drop: p.drop, duplicate: p.duplicate, maxDelayMs: p.maxDelayMs }, prng(p.seed));
          net = n;
          n.connect({ maxFrameBytes: p.maxFrameBytes });
          try {
            const atB: TaskMsg[] = [];
            const atA: TaskMsg[] = [];
            void collect(n.b, atB);
            void collect(n.a, atA);
            const sends: Promise<void>[] = [];
            for (let i = 0; i < p.count; i++) {
              sends.push(n.a.send({ taskName: `s${i % p.streams}`, data: `${i}` }));
              sends.push(n.b.send({ taskName: `r${i % p.streams}`, data: `${i}` }));
            }
            await Promise.all(sends);
            await waitFor(() => atB.length >= p.count && atA.length >= p.count, { timeoutMs: 10_000, what: 'delivery through faults' });
            await Promise.all([n.a.drain(), n.b.drain()]);
            for (const [got, prefix] of [[atB, 's'], [atA, 'r']] as const) {
              expect(got.length).toBe(p.count);
              const streams = byStream(got);
              for (let s = 0; s < p.streams; s++) {
                const want = Array.from({ length: p.count }, (_, i) => i).filter((i) => i % p.streams === s).map(String);
                expect(streams.get(`${prefix}${s}`) ?? []).toEqual(want);
              }
            }
            expect(n.errors).toEqual([]);
          } finally {
            await n.stop();
            net = undefined;
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it('bounds memory when the receiver stops reading: the sender blocks on credit, then resumes', async () => {
    const n = start(NO_FAULTS, 1, { receiveWindow: INITIAL_STREAM_CREDIT });
    let admitted = 0;
    const producer = (async () => {
      for (let i = 0; i < 2000; i++) {
        await n.a.send({ taskName: 'slow', data: `${i}` });
        admitted++;
      }
    })();
    // Nobody reads at b: a can admit one window and no more.
    await waitFor(() => admitted === INITIAL_STREAM_CREDIT && n.b.stats().messagesDelivered === INITIAL_STREAM_CREDIT);
    await n.a.drain();
    const before = n.a.stats().framesSent;
    // Blocked: probes may go out, but no new data is admitted or delivered.
    await waitFor(() => n.a.stats().framesSent > before + 2, { what: 'credit probes while blocked' });
    expect(admitted).toBe(INITIAL_STREAM_CREDIT);
    expect(n.b.stats().messagesDelivered).toBe(INITIAL_STREAM_CREDIT);
    const got: string[] = [];
    for await (const m of n.b.receive('slow')) {
      got.push(m.data as string);
      if (got.length === 2000) break;
    }
    await producer;
    expect(got).toEqual(Array.from({ length: 2000 }, (_, i) => `${i}`));
  });

  it('per-stream consumers: a stream nobody reads does not block another', async () => {
    const n = start(NO_FAULTS, 1, { receiveWindow: INITIAL_STREAM_CREDIT });
    const blocked = (async () => {
      for (let i = 0; i < 1000; i++) await n.a.send({ taskName: 'stuck', data: `${i}` });
    })().catch((e: unknown) => e);
    const got: string[] = [];
    const reader = (async () => {
      for await (const m of n.b.receive('live')) {
        got.push(m.data as string);
        if (got.length === 3000) return;
      }
    })();
    for (let i = 0; i < 3000; i++) await n.a.send({ taskName: 'live', data: `${i}` });
    await reader;
    expect(got[2999]).toBe('2999');
    await n.stop();
    expect(await blocked).toBeInstanceOf(ChannelClosedError);
  });

  it('survives a transport pause (a scheduler re-subscribe): sends made while down arrive exactly once', async () => {
    const n = start(NO_FAULTS, 1, {});
    const atB: TaskMsg[] = [];
    void collect(n.b, atB);
    for (let i = 0; i < 100; i++) await n.a.send({ taskName: 't', data: `${i}` });
    await waitFor(() => atB.length === 100);
    n.pause();
    for (let i = 100; i < 200; i++) await n.a.send({ taskName: 't', data: `${i}` });
    await waitFor(() => n.a.stats().transmitFailures >= 2, { what: 'failed transmits while paused' });
    expect(atB.length).toBe(100);
    n.resume();
    n.a.retransmitNow();
    await waitFor(() => atB.length >= 200);
    await n.a.drain();
    expect(atB.map((m) => m.data)).toEqual(Array.from({ length: 200 }, (_, i) => `${i}`));
  });

  it('recovers from a pause without retransmitNow, on its timer', async () => {
    const n = start();
    const atB: TaskMsg[] = [];
    void collect(n.b, atB);
    n.pause();
    for (let i = 0; i < 50; i++) await n.a.send({ taskName: 't', data: `${i}` });
    await waitFor(() => n.a.stats().transmitFailures >= 3);
    n.resume();
    await waitFor(() => atB.length === 50);
    expect(atB.map((m) => m.data)).toEqual(Array.from({ length: 50 }, (_, i) => `${i}`));
  });

  it('a restarted peer (new session) gets the unacknowledged messages again, starting at seq 1', async () => {
    const n = start();
    const atB: TaskMsg[] = [];
    void collect(n.b, atB);
    await n.a.send({ taskName: 't', data: 'first' });
    await waitFor(() => atB.length === 1);
    await n.a.drain();
    n.pause();
    await n.a.send({ taskName: 't', data: 'while-down' });
    const old = n.restartB();
    await old.close();
    n.resume();
    const atNewB: TaskMsg[] = [];
    void collect(n.b, atNewB);
    // The new process speaks first; a learns its session, resets, and resends.
    await n.b.send({ taskName: 'hello', data: 'from new b' });
    const atA: TaskMsg[] = [];
    void collect(n.a, atA);
    await waitFor(() => atNewB.length === 1 && atA.length === 1);
    expect(atNewB[0]).toEqual({ taskName: 't', data: 'while-down' });
    expect(n.a.stats().peerRestarts).toBe(1);
    await n.a.send({ taskName: 't', data: 'after' });
    await waitFor(() => atNewB.length === 2);
    expect(atNewB[1]!.data).toBe('after');
  });

  it('closeStream: the peer stops sending on that stream with ChannelClosedError; others go on', async () => {
    const n = start();
    const got: string[] = [];
    const iter = n.b.receive('gone');
    await n.a.send({ taskName: 'gone', data: 'x' });
    expect(await iter.next()).toEqual({ value: { taskName: 'gone', data: 'x' }, done: false });
    void (async () => {
      for await (const m of n.b.receive('kept')) got.push(m.data as string);
    })();
    n.b.closeStream('gone');
    await waitFor(async () => {
      try {
        await n.a.send({ taskName: 'gone', data: 'y' });
        return false;
      } catch (err) {
        return err instanceof ChannelClosedError;
      }
    });
    await n.a.send({ taskName: 'kept', data: 'k' });
    await waitFor(() => got.length === 1);
    expect((await iter.next()).done).toBe(true);
  });

  it('close(): blocked sends reject, the peer gets BYE and closes, iterators end', async () => {
    const n = start(NO_FAULTS, 1, { receiveWindow: INITIAL_STREAM_CREDIT });
    for (let i = 0; i < INITIAL_STREAM_CREDIT; i++) await n.a.send({ taskName: 't', data: 'x' });
    const blocked = n.a.send({ taskName: 't', data: 'blocked' });
    await waitFor(() => n.b.stats().messagesDelivered === INITIAL_STREAM_CREDIT);
    const endAtA = (async () => {
      for await (const _ of n.a.receive()) void _;
      return 'ended';
    })();
    await n.a.close();
    await expect(blocked).rejects.toBeInstanceOf(ChannelClosedError);
    await expect(n.a.send({ taskName: 't', data: 'late' })).rejects.toBeInstanceOf(ChannelClosedError);
    expect(await endAtA).toBe('ended');
    expect(await n.b.closed()).toBeUndefined();
    // b drains what it received before the BYE, then ends.
    let count = 0;
    for await (const _ of n.b.receive()) count++;
    expect(count).toBe(INITIAL_STREAM_CREDIT);
  });

  it('leave(): this end closes like close() but sends no BYE, so the peer stays open for a successor', async () => {
    const n = start();
    await n.a.send({ taskName: 't', data: 'x' });
    await waitFor(() => n.b.stats().messagesDelivered === 1);
    await n.a.drain();
    const sentBefore = n.a.stats().framesSent;
    await n.a.leave();
    expect(n.a.isClosed).toBe(true);
    await expect(n.a.send({ taskName: 't', data: 'late' })).rejects.toBeInstanceOf(ChannelClosedError);
    expect(n.a.stats().framesSent).toBe(sentBefore);
    expect(n.b.isClosed).toBe(false);
    // b can still admit what a successor would receive.
    await n.b.send({ taskName: 't', data: 'for the successor' });
  });

  it('abort: a blocked send and a pending receive reject with signal.reason', async () => {
    const n = start(NO_FAULTS, 1, { receiveWindow: INITIAL_STREAM_CREDIT });
    for (let i = 0; i < INITIAL_STREAM_CREDIT; i++) await n.a.send({ taskName: 't', data: 'x' });
    const ac = new AbortController();
    const blocked = n.a.send({ taskName: 't', data: 'blocked' }, { signal: ac.signal });
    const iter = n.a.receive(undefined, { signal: ac.signal });
    const pending = iter.next();
    const reason = new Error('stop waiting');
    ac.abort(reason);
    await expect(blocked).rejects.toBe(reason);
    await expect(pending).rejects.toBe(reason);
    expect((await iter.next()).done).toBe(true);
    // The aborted message was never admitted: draining the stream yields exactly the window.
    let count = 0;
    for await (const m of n.b.receive()) {
      expect(m.data).toBe('x');
      if (++count === INITIAL_STREAM_CREDIT) break;
    }
    await n.a.drain();
  });

  it('drain() resolves once everything sent is acknowledged', async () => {
    const n = start({ drop: 0.3, duplicate: 0, maxDelayMs: 1 }, 42);
    void collect(n.b, []);
    for (let i = 0; i < 300; i++) await n.a.send({ taskName: `s${i % 4}`, data: `${i}` });
    await n.a.drain();
    expect(n.b.stats().messagesDelivered).toBe(300);
  });

  it('trySend admits within credit and refuses without waiting when out of credit', async () => {
    const n = start(NO_FAULTS, 1, { receiveWindow: INITIAL_STREAM_CREDIT });
    let ok = 0;
    while (n.a.trySend({ taskName: 't', data: 'x' })) ok++;
    expect(ok).toBe(INITIAL_STREAM_CREDIT);
  });

  it('receiveBatches: yields what is queued in order, at most max per step, exactly once through faults', async () => {
    const n = start({ drop: 0.2, duplicate: 0.2, maxDelayMs: 2 }, 7, { receiveWindow: INITIAL_STREAM_CREDIT });
    const count = 3000;
    const sizes: number[] = [];
    const got: string[] = [];
    const reader = (async () => {
      for await (const batch of n.b.receiveBatches('s', { max: 50 })) {
        sizes.push(batch.length);
        for (const m of batch) got.push(m.data as string);
        if (got.length >= count) return;
      }
    })();
    for (let i = 0; i < count; i++) if (!n.a.trySend({ taskName: 's', data: `${i}` })) await n.a.send({ taskName: 's', data: `${i}` });
    await reader;
    expect(got).toEqual(Array.from({ length: count }, (_, i) => `${i}`));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(50);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(1);
    // Arrivals came in frames of many messages: most steps carried more than one.
    expect(sizes.length).toBeLessThan(count / 2);
  });

  it('receiveBatches: a consumer that stops taking stops the sender at one window (credit counts taken batches)', async () => {
    const n = start(NO_FAULTS, 1, { receiveWindow: INITIAL_STREAM_CREDIT });
    let admitted = 0;
    const producer = (async () => {
      for (let i = 0; i < 1000; i++) {
        await n.a.send({ taskName: 'slow', data: `${i}` });
        admitted++;
      }
    })();
    const batches = n.b.receiveBatches('slow', { max: 100 });
    const first = await batches.next();
    expect(first.done).toBe(false);
    const taken = (first.value as TaskMsg[]).length;
    // The step took `taken`; the sender may use that much credit again, and no more.
    await waitFor(() => admitted === INITIAL_STREAM_CREDIT + taken || admitted === INITIAL_STREAM_CREDIT, { what: 'sender at the window' });
    await n.a.drain();
    const before = n.a.stats().framesSent;
    await waitFor(() => n.a.stats().framesSent > before + 2, { what: 'credit probes while blocked' });
    expect(admitted).toBeLessThanOrEqual(INITIAL_STREAM_CREDIT + taken);
    const got = (first.value as TaskMsg[]).map((m) => m.data as string);
    for (let step = await batches.next(); !step.done; step = await batches.next()) {
      for (const m of step.value) got.push(m.data as string);
      if (got.length === 1000) break;
    }
    await batches.return?.();
    await producer;
    expect(got).toEqual(Array.from({ length: 1000 }, (_, i) => `${i}`));
  });

  it('receiveBatches: the all-streams form keeps each stream in order; a bad max throws', async () => {
    const n = start();
    for (let i = 0; i < 30; i++) await n.a.send({ taskName: `t${i % 3}`, data: `${i}` });
    const got: TaskMsg[] = [];
    for await (const batch of n.b.receiveBatches(undefined, { max: 7 })) {
      expect(batch.length).toBeLessThanOrEqual(7);
      got.push(...batch);
      if (got.length === 30) break;
    }
    const streams = byStream(got);
    for (let t = 0; t < 3; t++) expect(streams.get(`t${t}`)).toEqual(Array.from({ length: 30 }, (_, i) => i).filter((i) => i % 3 === t).map(String));
    expect(() => n.a.receiveBatches('x', { max: 0 })).toThrow(InvalidArgumentError);
  });

  it('refuses bad input synchronously with InvalidArgumentError', () => {
    const n = start();
    expect(() => n.a.send({ taskName: '', data: 'x' })).toThrow(InvalidArgumentError);
    expect(() => n.a.send({ taskName: 't', data: 5 as unknown as string })).toThrow(InvalidArgumentError);
    // A lone surrogate has no UTF-8 form: refused in a name (also of a stream made by receive) and in string data.
    expect(() => n.a.send({ taskName: 'x\uD800', data: 'x' })).toThrow(/well-formed/);
    n.a.receive('y\uDC00');
    expect(() => n.a.trySend({ taskName: 'y\uDC00', data: 'x' })).toThrow(/well-formed/);
    expect(() => n.a.send({ taskName: 't', data: 'a\uD800b' })).toThrow(/well-formed/);
    expect(() => new ReliableLink({ transmit: async () => {}, receiveWindow: 10 })).toThrow(/receiveWindow/);
    n.a.receive('x');
    expect(() => n.a.receive('x')).toThrow(/already has a consumer/);
    expect(() => n.a.receive()).toThrow(/per-stream consumers/);
  });

  it('onFrame throws ProtocolError for garbage and changes nothing', async () => {
    const n = start();
    expect(() => n.b.onFrame(Buffer.from('not a frame'))).toThrow(/bad magic/);
    const atB: TaskMsg[] = [];
    void collect(n.b, atB);
    await n.a.send({ taskName: 't', data: 'still works' });
    await waitFor(() => atB.length === 1);
  });
});
