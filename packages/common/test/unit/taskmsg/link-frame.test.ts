import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import { varintBytes } from '../../support/leb128.js';
import {
  ProtocolError,
  decodeLinkFrame,
  encodeLinkFrame,
  encodeLinkFrameChunks,
  joinLinkFrameChunks,
  isLinkFrame,
  LINK_FRAME_HEADER_BYTES,
  type LinkFrame,
} from '../../../src/internal.js';

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);

// Numbered round-trip cases: every flag, both entry kinds, multi-byte varints, UTF-8 keys.
const ROUND_TRIPS: [number, string, LinkFrame][] = [
  [1, 'empty DATA frame (a bare session announcement)', { kind: 'DATA', senderSession: 1, receiverSession: 0, sections: [] }],
  [2, 'BYE with max u32 sessions', { kind: 'BYE', senderSession: 0xffffffff, receiverSession: 0xfffffffe, sections: [] }],
  [3, 'feedback only', { kind: 'DATA', senderSession: 7, receiverSession: 9, sections: [{ stream: 'floor-1', feedback: { ack: 0, limit: 256 } }] }],
  [4, 'closed and probe flags', { kind: 'DATA', senderSession: 7, receiverSession: 9, sections: [{ stream: 'a', closed: true }, { stream: 'b', probe: true }] }],
  [
    5,
    'data with string and bytes entries',
    {
      kind: 'DATA',
      senderSession: 3,
      receiverSession: 4,
      sections: [{ stream: 'car-0', data: { firstSeq: 1, messages: [{ taskName: 'car-0', data: 'up' }, { taskName: 'car-0', data: bytes(0, 255, 7) }] } }],
    },
  ],
  [
    6,
    'large seq, ack and limit (multi-byte varints up to 2^53-1)',
    {
      kind: 'DATA',
      senderSession: 3,
      receiverSession: 4,
      sections: [
        {
          stream: 's',
          feedback: { ack: Number.MAX_SAFE_INTEGER - 1, limit: Number.MAX_SAFE_INTEGER },
          data: { firstSeq: 2 ** 40, messages: [{ taskName: 's', data: '' }] },
        },
      ],
    },
  ],
  [7, 'UTF-8 key and payload', { kind: 'DATA', senderSession: 5, receiverSession: 6, sections: [{ stream: 'étage-ü', data: { firstSeq: 9, messages: [{ taskName: 'étage-ü', data: '→ 電梯' }] } }] }],
  [8, 'empty bytes payload', { kind: 'DATA', senderSession: 5, receiverSession: 6, sections: [{ stream: 'x', data: { firstSeq: 1, messages: [{ taskName: 'x', data: new Uint8Array(0) }] } }] }],
];

const smallData = fc.oneof(fc.string({ maxLength: 40, unit: 'grapheme' }), fc.uint8Array({ maxLength: 40 }));

/** Frames of every kind and flag whose messages carry `data`. */
function arbitraryFrame(data: fc.Arbitrary<Uint8Array | string>): fc.Arbitrary<LinkFrame> {
  const key = fc.string({ minLength: 1, maxLength: 12, unit: 'grapheme' });
  const seq = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER - 100 });
  const section = fc
    .record({
      stream: key,
      feedback: fc.option(fc.record({ ack: fc.nat({ max: Number.MAX_SAFE_INTEGER }), limit: fc.nat({ max: Number.MAX_SAFE_INTEGER }) }), { nil: undefined }),
      closed: fc.option(fc.constant(true), { nil: undefined }),
      probe: fc.option(fc.constant(true), { nil: undefined }),
      data: fc.option(fc.record({ firstSeq: seq, payloads: fc.array(data, { maxLength: 5 }) }), { nil: undefined }),
    })
    .map((s) => {
      const out: LinkFrame['sections'][number] = { stream: s.stream };
      if (s.feedback) out.feedback = s.feedback;
      if (s.closed) out.closed = true;
      if (s.probe) out.probe = true;
      if (s.data) out.data = { firstSeq: s.data.firstSeq, messages: s.data.payloads.map((d) => ({ taskName: s.stream, data: d })) };
      return out;
    });
  return fc.record({
    kind: fc.constantFrom<'DATA' | 'BYE'>('DATA', 'BYE'),
    senderSession: fc.integer({ min: 1, max: 0xffffffff }),
    receiverSession: fc.integer({ min: 0, max: 0xffffffff }),
    sections: fc.array(section, { maxLength: 6 }),
  });
}


/** The frame's bytes as docs/protocol.md lays them out, built piece by piece into one buffer. */
function referenceEncoding(frame: LinkFrame): Buffer {
  const pieces: Uint8Array[] = [];
  const sessions = Buffer.alloc(8);
  sessions.writeUInt32BE(frame.senderSession, 0);
  sessions.writeUInt32BE(frame.receiverSession, 4);
  pieces.push(Uint8Array.from([0xa7, 1, frame.kind === 'DATA' ? 1 : 2]), sessions, Uint8Array.from(varintBytes(frame.sections.length)));
  for (const s of frame.sections) {
    const key = Buffer.from(s.stream, 'utf8');
    const flags = (s.feedback ? 1 : 0) | (s.closed ? 2 : 0) | (s.data ? 4 : 0) | (s.probe ? 8 : 0);
    pieces.push(Uint8Array.from(varintBytes(key.length)), key, Uint8Array.from([flags]));
    if (s.feedback) pieces.push(Uint8Array.from([...varintBytes(s.feedback.ack), ...varintBytes(s.feedback.limit)]));
    if (s.data) {
      pieces.push(Uint8Array.from([...varintBytes(s.data.firstSeq), ...varintBytes(s.data.messages.length)]));
      for (const m of s.data.messages) {
        const payload = typeof m.data === 'string' ? Buffer.from(m.data, 'utf8') : m.data;
        pieces.push(Uint8Array.from([typeof m.data === 'string' ? 1 : 0, ...varintBytes(payload.length)]), payload);
      }
    }
  }
  return Buffer.concat(pieces);
}

describe('link-frame', () => {
  it.each(ROUND_TRIPS)('case %i: round-trips %s', (_n, _what, frame) => {
    const encoded = encodeLinkFrame(frame);
    expect(isLinkFrame(encoded)).toBe(true);
    expect(decodeLinkFrame(encoded)).toEqual(frame);
    // Decoding from a plain Uint8Array at a non-zero offset gives the same frame.
    const padded = new Uint8Array(encoded.length + 3);
    padded.set(encoded, 3);
    expect(decodeLinkFrame(padded.subarray(3))).toEqual(frame);
  });

  it('copies byte payloads out of the frame buffer', () => {
    const encoded = encodeLinkFrame(ROUND_TRIPS[4]![2]);
    const decoded = decodeLinkFrame(encoded);
    encoded.fill(0);
    expect(decoded.sections[0]!.data!.messages[1]!.data).toEqual(bytes(0, 255, 7));
  });

  it('small payloads of many frames stay intact and independent across slab boundaries', () => {
    // 300-byte payloads, far more than one slab holds: each decoded message keeps its own bytes
    // whatever later frames decode, and none shares memory with its frame.
    const kept: Uint8Array[] = [];
    for (let f = 0; f < 20; f++) {
      const messages = Array.from({ length: 10 }, (_, i) => ({ taskName: 's', data: new Uint8Array(300).fill((f * 10 + i) & 255) }));
      const encoded = encodeLinkFrame({ kind: 'DATA', senderSession: 1, receiverSession: 2, sections: [{ stream: 's', data: { firstSeq: 1 + f * 10, messages } }] });
      for (const m of decodeLinkFrame(encoded).sections[0]!.data!.messages) {
        expect(m.data).toBeInstanceOf(Uint8Array);
        expect((m.data as Uint8Array).buffer).not.toBe(encoded.buffer);
        kept.push(m.data as Uint8Array);
      }
      encoded.fill(0);
    }
    kept.forEach((data, k) => expect(data).toEqual(new Uint8Array(300).fill(k & 255)));
    // A larger payload (over the slab's 1 KiB) gets a buffer of its own, exactly its size.
    const big = new Uint8Array(5000).fill(3);
    const decoded = decodeLinkFrame(encodeLinkFrame({ kind: 'DATA', senderSession: 1, receiverSession: 2, sections: [{ stream: 's', data: { firstSeq: 1, messages: [{ taskName: 's', data: big }] } }] }));
    const data = decoded.sections[0]!.data!.messages[0]!.data as Uint8Array;
    expect(data).toEqual(big);
    expect(data.buffer.byteLength).toBe(5000);
  });

  const good = encodeLinkFrame(ROUND_TRIPS[4]![2]);
  const BAD: [number, string, Uint8Array, RegExp][] = [
    [1, 'bad magic', Uint8Array.from([0x00, ...good.subarray(1)]), /bad magic/],
    [2, 'unknown version', Uint8Array.from([good[0]!, 9, ...good.subarray(2)]), /version 9/],
    [3, 'unknown kind', Uint8Array.from([...good.subarray(0, 2), 7, ...good.subarray(3)]), /kind 7/],
    [4, 'trailing byte', Uint8Array.from([...good, 0]), /trailing/],
    [5, 'section count larger than the frame', Uint8Array.from([...good.subarray(0, LINK_FRAME_HEADER_BYTES), 0x7f]), /section count/],
    [6, 'unknown section flag', encodeRaw([1, 1, 0x61, 0x40]), /flags 0x40/],
    [7, 'data at seq 0', encodeRaw([1, 1, 0x61, 4, 0, 0]), /seq 0/],
    [8, 'unknown entry kind', encodeRaw([1, 1, 0x61, 4, 1, 1, 5, 0]), /entry kind 5/],
    [9, 'varint longer than 8 bytes', encodeRaw([1, 1, 0x61, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0]), /varint/],
    [10, 'entry count larger than the frame', encodeRaw([1, 1, 0x61, 4, 1, 100]), /entry count/],
  ];

  it.each(BAD)('case %i: rejects %s with ProtocolError', (_n, _what, input, message) => {
    expect(() => decodeLinkFrame(input)).toThrow(ProtocolError);
    expect(() => decodeLinkFrame(input)).toThrow(message);
  });

  it('rejects every truncation of a valid frame with ProtocolError', () => {
    for (let cut = 0; cut < good.length; cut++) {
      expect(() => decodeLinkFrame(good.subarray(0, cut))).toThrow(ProtocolError);
    }
  });

  it('isLinkFrame tells link frames from other framework messages', () => {
    expect(isLinkFrame(Buffer.from('{"hello":1}'))).toBe(false);
    expect(isLinkFrame(new Uint8Array(0))).toBe(false);
  });

  it('round-trips arbitrary frames (fast-check)', () => {
    const frame = arbitraryFrame(smallData);
    fc.assert(
      fc.property(frame, (f) => {
        const decoded = decodeLinkFrame(encodeLinkFrame(f));
        expect(decoded).toEqual({ ...f, sections: f.sections.map((s) => (s.data ? { ...s, data: { ...s.data, messages: s.data.messages.map((m) => ({ taskName: m.taskName, data: m.data instanceof Uint8Array ? new Uint8Array(m.data) : m.data })) } } : s)) });
      }),
    );
  });
  it('chunked encoding: joined chunks are the single-buffer bytes, payloads of 64 KiB or more referenced, not copied (fast-check)', () => {
    // Mostly small entries, some around the 64 KiB threshold (just under it they are copied).
    const length = fc.oneof(fc.constantFrom(64 * 1024 - 1, 64 * 1024), fc.integer({ min: 64 * 1024 - 2, max: 70_000 }));
    const large = fc.tuple(length, fc.nat({ max: 255 }), fc.nat()).map(([n, fill, at]) => {
      const payload = new Uint8Array(n).fill(fill);
      payload[at % n] = fill ^ 0xff;
      return payload;
    });
    const frame = arbitraryFrame(fc.oneof({ arbitrary: smallData, weight: 4 }, { arbitrary: large, weight: 1 }));
    fc.assert(
      fc.property(frame, (f) => {
        const { chunks, length } = encodeLinkFrameChunks(f);
        const joined = joinLinkFrameChunks(chunks, length);
        expect(joined.length).toBe(length);
        expect(joined.equals(referenceEncoding(f))).toBe(true);
        expect(encodeLinkFrame(f).equals(joined)).toBe(true);
        for (const s of f.sections) {
          for (const m of s.data?.messages ?? []) {
            const referenced = chunks.some((c) => c === m.data);
            expect(referenced).toBe(typeof m.data !== 'string' && m.data.length >= 64 * 1024);
          }
        }
        expect(chunks.every((c) => c.length > 0)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});

/** A DATA frame header (sessions 1 → 2) followed by raw section bytes. */
function encodeRaw(sectionBytes: number[]): Uint8Array {
  const header = encodeLinkFrame({ kind: 'DATA', senderSession: 1, receiverSession: 2, sections: [] });
  return Uint8Array.from([...header.subarray(0, LINK_FRAME_HEADER_BYTES), ...sectionBytes]);
}
