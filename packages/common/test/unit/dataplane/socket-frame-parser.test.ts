import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ProtocolError, SocketFrameParser, socketFrameHeader } from '../../../src/internal.js';

function stream(frames: readonly Uint8Array[]): Buffer {
  return Buffer.concat(frames.flatMap((f) => [socketFrameHeader(f.length), Buffer.from(f)]));
}

/** Feeds `bytes` cut at `cuts` (offsets) and returns every frame, copied. */
function parse(bytes: Buffer, cuts: readonly number[], max?: number): Buffer[] {
  const parser = new SocketFrameParser(max);
  const out: Buffer[] = [];
  let from = 0;
  for (const at of [...cuts, bytes.length]) {
    for (const f of parser.push(bytes.subarray(from, at))) out.push(Buffer.from(f));
    from = at;
  }
  expect(parser.pendingBytes).toBe(0);
  return out;
}

function everyByte(n: number): number[] {
  return Array.from({ length: Math.max(0, n - 1) }, (_, i) => i + 1);
}

// Numbered cases, each run whole, one byte at a time, in halves and under random chunking.
const CASES: [number, string, Uint8Array[]][] = [
  [1, 'one byte frame', [Uint8Array.of(7)]],
  [2, 'two frames', [Uint8Array.of(1, 2, 3), Uint8Array.of(4)]],
  [3, 'a frame whose length needs all four header bytes', [new Uint8Array(0x01_00_01).fill(9)]],
  [4, 'many small frames', Array.from({ length: 50 }, (_, i) => Uint8Array.of(i, i + 1))],
];

describe('SocketFrameParser', () => {
  for (const [n, name, frames] of CASES) {
    const bytes = stream(frames);
    it(`case ${n} (${name}): whole input`, () => expect(parse(bytes, [])).toEqual(frames.map((f) => Buffer.from(f))));
    it(`case ${n} (${name}): one byte at a time`, () => {
      if (bytes.length > 5000) return; // case 3 is covered by the other chunkings
      expect(parse(bytes, everyByte(bytes.length))).toEqual(frames.map((f) => Buffer.from(f)));
    });
    it(`case ${n} (${name}): in halves`, () => expect(parse(bytes, [bytes.length >> 1])).toEqual(frames.map((f) => Buffer.from(f))));
  }

  it('returns the same frames however the stream is chunked (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), { minLength: 0, maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (frames, rawCuts) => {
          const bytes = stream(frames);
          const cuts = [...new Set(rawCuts.map((c) => (bytes.length === 0 ? 0 : c % (bytes.length + 1))))].sort((a, b) => a - b);
          expect(parse(bytes, cuts)).toEqual(frames.map((f) => Buffer.from(f)));
        },
      ),
    );
  });

  it('rejects a zero length with ProtocolError naming the stream offset', () => {
    const parser = new SocketFrameParser();
    const bytes = Buffer.concat([stream([Uint8Array.of(1)]), socketFrameHeader(0)]);
    expect(() => parser.push(bytes)).toThrow(ProtocolError);
    expect(() => new SocketFrameParser().push(bytes)).toThrow(/at byte 5/);
  });

  it('rejects a length over its limit before the body arrives, and stays failed', () => {
    const parser = new SocketFrameParser(100);
    expect(() => parser.push(socketFrameHeader(101))).toThrow(/outside 1 … 100/);
    expect(() => parser.push(Uint8Array.of(1))).toThrow(ProtocolError);
  });

  it('never returns a frame over its limit or throws anything but ProtocolError on random bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.array(fc.nat(), { maxLength: 10 }), (bytes, rawCuts) => {
        const parser = new SocketFrameParser(64);
        const cuts = [...new Set(rawCuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        let from = 0;
        try {
          for (const at of [...cuts, bytes.length]) {
            for (const f of parser.push(bytes.subarray(from, at))) expect(f.length).toBeLessThanOrEqual(64);
            from = at;
          }
        } catch (error) {
          expect(error).toBeInstanceOf(ProtocolError);
        }
      }),
    );
  });
});
