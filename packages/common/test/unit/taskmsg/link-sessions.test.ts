import { describe, it, expect, afterEach } from '@jest/globals';
import { waitFor } from '@mesosgot/local/testing';
import { ReliableLink, decodeLinkFrame, encodeLinkFrame, type LinkFrame } from '../../../src/internal.js';
import { FrameBatcher } from '../../../src/taskmsg/batch.js';
import { LinkStream } from '../../../src/taskmsg/link-stream.js';
import { RingBuffer } from '../../../src/channel/ring-buffer.js';

const links: ReliableLink[] = [];
afterEach(async () => {
  await Promise.all(links.splice(0).map((l) => l.close()));
});

/** A link whose frames are captured (decoded) instead of sent anywhere. */
function captured(session: number): { link: ReliableLink; out: LinkFrame[] } {
  const out: LinkFrame[] = [];
  const link = new ReliableLink({ session, retransmitMs: 1_000, transmit: async (f) => void out.push(decodeLinkFrame(f)) });
  links.push(link);
  return { link, out };
}

function data(sender: number, receiver: number, stream: string, firstSeq: number, texts: string[]): Uint8Array {
  return encodeLinkFrame({
    kind: 'DATA',
    senderSession: sender,
    receiverSession: receiver,
    sections: [{ stream, data: { firstSeq, messages: texts.map((t) => ({ taskName: stream, data: t })) } }],
  });
}

describe('ReliableLink sessions', () => {
  it('answers a frame addressed to an earlier process of ours with its session, ignoring the data', async () => {
    const { link, out } = captured(42);
    link.onFrame(data(7, 999, 's', 30, ['stale']));
    await waitFor(() => out.length === 1);
    expect(out[0]).toMatchObject({ kind: 'DATA', senderSession: 42, receiverSession: 7, sections: [] });
    expect(link.stats().messagesDelivered).toBe(0);
    // The peer resets and starts at seq 1 for us: accepted.
    link.onFrame(data(7, 42, 's', 1, ['fresh']));
    const it = link.receive('s');
    expect((await it.next()).value).toEqual({ taskName: 's', data: 'fresh' });
  });

  it('a restarted peer starts a new sequence space; late frames of the old process are ignored', async () => {
    const { link } = captured(42);
    const got: string[] = [];
    void (async () => {
      for await (const m of link.receive('s')) got.push(m.data as string);
    })();
    link.onFrame(data(7, 0, 's', 1, ['a1', 'a2']));
    await waitFor(() => got.length === 2);
    link.onFrame(data(8, 0, 's', 1, ['b1']));
    await waitFor(() => got.length === 3);
    expect(link.stats().peerRestarts).toBe(1);
    link.onFrame(data(7, 42, 's', 3, ['a3-late']));
    link.onFrame(data(8, 42, 's', 2, ['b2']));
    await waitFor(() => got.length === 4);
    expect(got).toEqual(['a1', 'a2', 'b1', 'b2']);
    expect(link.stats().peerRestarts).toBe(1);
  });

  it('drops arrivals beyond the credit it granted (a misbehaving peer cannot grow its memory)', async () => {
    const { link } = captured(42);
    link.onFrame(data(7, 0, 's', 1, ['ok']));
    // Window 1024 by default: seq 5000 is far beyond consumed + window.
    link.onFrame(data(7, 42, 's', 5000, ['too far']));
    expect(link.stats().messagesDropped).toBe(1);
    expect(link.stats().messagesDelivered).toBe(1);
  });

  it('holds out-of-order arrivals and delivers them once the gap fills', async () => {
    const { link } = captured(42);
    link.onFrame(data(7, 0, 's', 3, ['c']));
    link.onFrame(data(7, 42, 's', 2, ['b']));
    expect(link.stats().messagesDelivered).toBe(0);
    link.onFrame(data(7, 42, 's', 1, ['a']));
    const it = link.receive('s');
    const texts = [(await it.next()).value!.data, (await it.next()).value!.data, (await it.next()).value!.data];
    expect(texts).toEqual(['a', 'b', 'c']);
  });
});

describe('FrameBatcher', () => {
  function stream(key: string, n: number): LinkStream {
    const s = new LinkStream(key);
    s.unacked = new RingBuffer();
    for (let i = 0; i < n; i++) s.unacked.push({ taskName: key, data: 'x'.repeat(20) });
    s.outNextSeq = n + 1;
    return s;
  }

  it('shares frames round-robin between busy streams and keeps each run contiguous', () => {
    const a = stream('a', 100);
    const b = stream('b', 100);
    const src = { feedback: new Set<LinkStream>(), probes: new Set<LinkStream>(), pending: new Set([a, b]), receiveWindow: 1024 };
    const batcher = new FrameBatcher(300);
    const firsts: string[] = [];
    const next = { a: 1, b: 1 };
    for (let f = 0; f < 20; f++) {
      const batch = batcher.build(src, 1, 2, false);
      if (!batch) break;
      expect(encodeLinkFrame(batch.frame).length).toBeLessThanOrEqual(300);
      firsts.push(batch.frame.sections[0]!.stream);
      for (const s of batch.frame.sections) {
        const key = s.stream as 'a' | 'b';
        expect(s.data!.firstSeq).toBe(next[key]);
        next[key] += s.data!.messages.length;
      }
    }
    // Neither stream starves: the first section alternates.
    expect(firsts.slice(0, 6)).toEqual(['a', 'b', 'a', 'b', 'a', 'b']);
  });

  it('returns nothing when there is nothing to say, and a bare frame when asked to reply', () => {
    const src = { feedback: new Set<LinkStream>(), probes: new Set<LinkStream>(), pending: new Set<LinkStream>(), receiveWindow: 1024 };
    const batcher = new FrameBatcher(300);
    expect(batcher.build(src, 1, 2, false)).toBeUndefined();
    expect(batcher.build(src, 1, 2, true)!.frame.sections).toEqual([]);
  });
});
