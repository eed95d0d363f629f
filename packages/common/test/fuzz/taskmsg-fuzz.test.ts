/**
 * Chaos for the binary task-message codecs (docs/design.md, "Bad input"): the TaskMsg codec
 * (taskmsg/codec.ts) and the reliable-link frame (taskmsg/link-frame.ts, which carries the
 * batches). Random bytes, truncations, bit flips and lying lengths must end in a ProtocolError
 * (never a RangeError/TypeError, never a partial result), and a length the bytes merely
 * announce must never be allocated.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  ProtocolError,
  type TaskMsg,
} from '@mesosgot/common';
import {
  LINK_FRAME_HEADER_BYTES,
  LINK_FRAME_MAGIC,
  LINK_FRAME_VERSION,
  decodeLinkFrame,
  decodeTaskMsg,
  decodeTaskMsgs,
  encodeLinkFrame,
  encodeTaskMsg,
  encodeTaskMsgs,
  isLinkFrame,
  type LinkFrame,
  type LinkSection,
} from '@mesosgot/common/internal';
import { attempt, type Outcome } from './deadline.js';
import { varintBytes as varint } from '../support/leb128.js';

function expectProtocolError<T>(outcome: Outcome<T>, length: number): void {
  if (outcome.ok) throw new Error(`expected a ProtocolError, decoded ${JSON.stringify(outcome.value)?.slice(0, 200)}`);
  expect(outcome.error).toBeInstanceOf(ProtocolError);
  const offset = (outcome.error as ProtocolError).offset;
  if (offset !== undefined) {
    expect(Number.isSafeInteger(offset)).toBe(true);
    expect(offset).toBeGreaterThanOrEqual(0);
    expect(offset).toBeLessThanOrEqual(length);
  }
}

/** Cheap check for hot loops (expect() per decode would dominate the run time). */
function failsWithProtocolError(decode: () => unknown): boolean {
  try {
    decode();
    return false;
  } catch (error) {
    return error instanceof ProtocolError;
  }
}

/** Decoding either fails with a ProtocolError or succeeds; anything else fails the property. */
function okOrProtocolError<T>(outcome: Outcome<T>, length: number): outcome is { ok: true; value: T } {
  if (!outcome.ok) expectProtocolError(outcome, length);
  return outcome.ok;
}

/** Flips `flips` bits at positions drawn from `positions`. */
function flipBits(bytes: Uint8Array, positions: readonly number[]): Uint8Array {
  const out = Uint8Array.from(bytes);
  if (out.length === 0) return out;
  for (const p of positions) {
    const bit = p % (out.length * 8);
    out[bit >> 3]! ^= 1 << (bit & 7);
  }
  return out;
}

const text = fc.string({ unit: 'grapheme', maxLength: 12 });
const taskMsg: fc.Arbitrary<TaskMsg> = fc.record({
  taskName: text,
  data: fc.oneof(text, fc.uint8Array({ maxLength: 32 })),
});
const randomBytes = fc.uint8Array({ maxLength: 96 });
const flips = fc.array(fc.nat(), { minLength: 1, maxLength: 4 });

/** Arrays of `tries` huge-length decodes must not grow memory: nothing is sized by a length field. */
function expectFlatMemory(tries: number, decodeOne: (i: number) => boolean): void {
  const before = process.memoryUsage().arrayBuffers;
  let failures = 0;
  for (let i = 0; i < tries; i++) if (!decodeOne(i)) failures++;
  expect(failures).toBe(0);
  expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 1024 * 1024);
}

describe('TaskMsg codec fuzz', () => {
  it('1. random bytes: decoded only when they are exactly an encoding, else ProtocolError (1 000 cases)', () => {
    fc.assert(
      fc.property(randomBytes, (bytes) => {
        const one = attempt(() => decodeTaskMsg(bytes));
        // The encoding is canonical, so a successful decode must re-encode to the same bytes.
        if (okOrProtocolError(one, bytes.length)) expect(encodeTaskMsg(one.value)).toEqual(bytes);
        const many = attempt(() => decodeTaskMsgs(bytes));
        if (okOrProtocolError(many, bytes.length)) expect(encodeTaskMsgs(many.value)).toEqual(bytes);
      }),
      { numRuns: 1_000 },
    );
  });

  it('2. a message cut short anywhere is a ProtocolError; a list cut on a boundary decodes its prefix (500 cases)', () => {
    fc.assert(
      fc.property(fc.array(taskMsg, { minLength: 1, maxLength: 5 }), fc.nat(), (msgs, at) => {
        const encodings = msgs.map((m) => encodeTaskMsg(m));
        const bytes = encodeTaskMsgs(msgs);
        const cut = at % bytes.length;
        const first = encodings[0]!;
        if (cut < first.length) expectProtocolError(attempt(() => decodeTaskMsg(bytes.subarray(0, cut))), cut);
        let boundary = 0;
        let whole = 0;
        while (whole < encodings.length && boundary + encodings[whole]!.length <= cut) boundary += encodings[whole++]!.length;
        const got = attempt(() => decodeTaskMsgs(bytes.subarray(0, cut)));
        if (boundary === cut) {
          expect(got).toEqual({ ok: true, value: msgs.slice(0, whole).map(asDecoded) });
        } else expectProtocolError(got, cut);
      }),
      { numRuns: 500 },
    );
  });

  it('3. bit flips of valid messages: a canonical message or ProtocolError (1 000 cases)', () => {
    fc.assert(
      fc.property(fc.array(taskMsg, { minLength: 1, maxLength: 4 }), flips, (msgs, positions) => {
        const bytes = flipBits(encodeTaskMsgs(msgs), positions);
        const got = attempt(() => decodeTaskMsgs(bytes));
        if (okOrProtocolError(got, bytes.length)) expect(encodeTaskMsgs(got.value)).toEqual(bytes);
      }),
      { numRuns: 1_000 },
    );
  });

  it('4. lying name/data lengths (up to 2^32-1) are a ProtocolError and allocate nothing (500 cases + 2 000 decodes)', () => {
    const lie = fc.oneof(fc.constantFrom(0xffff_ffff, 0x8000_0000, 0x7fff_ffff, 0x0100_0000), fc.nat({ max: 0xffff_ffff }));
    fc.assert(
      fc.property(taskMsg, fc.boolean(), lie, (msg, inName, length) => {
        const bytes = Uint8Array.from(encodeTaskMsg(msg));
        const view = new DataView(bytes.buffer);
        const nameLength = view.getUint32(1);
        const at = inName ? 1 : 5 + nameLength;
        const real = view.getUint32(at);
        fc.pre(length > real);
        view.setUint32(at, length);
        expectProtocolError(attempt(() => decodeTaskMsg(bytes)), bytes.length);
      }),
      { numRuns: 500 },
    );
    const header = Uint8Array.from([0x00, 0xff, 0xff, 0xff, 0xff, 0x41, 0x42]);
    const dataLie = Uint8Array.from([0x01, 0, 0, 0, 1, 0x41, 0xff, 0xff, 0xff, 0xff, 0x42]);
    expectFlatMemory(2_000, (i) => failsWithProtocolError(() => decodeTaskMsg(i % 2 === 0 ? header : dataLie)));
  });

  it('5. unknown kinds and invalid UTF-8 are ProtocolErrors naming the offset (table)', () => {
    const cases: [number, string, number[], number][] = [
      [1, 'empty', [], 0],
      [2, 'kind 0x02', [0x02, 0, 0, 0, 0, 0, 0, 0, 0], 0],
      [3, 'kind 0xff', [0xff, 0, 0, 0, 0, 0, 0, 0, 0], 0],
      [4, 'name is a lone continuation byte', [0x00, 0, 0, 0, 1, 0x80, 0, 0, 0, 0], 5],
      [5, 'string data is an overlong NUL', [0x01, 0, 0, 0, 0, 0, 0, 0, 2, 0xc0, 0x80], 9],
      [6, 'string data is a UTF-16 surrogate', [0x01, 0, 0, 0, 0, 0, 0, 0, 3, 0xed, 0xa0, 0x80], 9],
      [7, 'header only', [0x00, 0, 0, 0, 0], 1],
      [8, 'trailing byte', [0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00], 9],
    ];
    for (const [n, name, bytes, offset] of cases) {
      const got = attempt(() => decodeTaskMsg(Uint8Array.from(bytes)));
      expect([n, name, got.ok ? 'decoded' : (got.error as ProtocolError).offset]).toEqual([n, name, offset]);
      expectProtocolError(got, bytes.length);
    }
  });
});

/** How a TaskMsg comes back from the wire: byte data as a plain Uint8Array. */
function asDecoded(msg: TaskMsg): TaskMsg {
  return { taskName: msg.taskName, data: typeof msg.data === 'string' ? msg.data : Uint8Array.from(msg.data) };
}

const seq = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const section: fc.Arbitrary<LinkSection> = fc
  .record(
    {
      stream: text,
      feedback: fc.record({ ack: seq, limit: seq }),
      closed: fc.constant(true as const),
      probe: fc.constant(true as const),
      data: fc.record({
        firstSeq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
        payloads: fc.array(fc.oneof(text, fc.uint8Array({ maxLength: 24 })), { maxLength: 4 }),
      }),
    },
    { requiredKeys: ['stream'] },
  )
  .map(({ data, ...rest }) => ({
    ...rest,
    ...(data ? { data: { firstSeq: data.firstSeq, messages: data.payloads.map((d) => ({ taskName: rest.stream, data: d })) } } : {}),
  }));
const linkFrame: fc.Arbitrary<LinkFrame> = fc.record({
  kind: fc.constantFrom('DATA' as const, 'BYE' as const),
  senderSession: fc.nat({ max: 0xffff_ffff }),
  receiverSession: fc.nat({ max: 0xffff_ffff }),
  sections: fc.array(section, { maxLength: 4 }),
});

/** A frame header (magic, version, DATA, two sessions) followed by `rest`. */
function frameWith(rest: number[]): Buffer {
  return Buffer.from([LINK_FRAME_MAGIC, LINK_FRAME_VERSION, 1, 0, 0, 0, 1, 0, 0, 0, 2, ...rest]);
}


describe('link frame codec fuzz', () => {
  it('6. valid frames round-trip; every strict prefix is a ProtocolError (150 frames, every cut)', () => {
    fc.assert(
      fc.property(linkFrame, (frame) => {
        const bytes = encodeLinkFrame(frame);
        expect(isLinkFrame(bytes)).toBe(true);
        expect(decodeLinkFrame(bytes)).toEqual(frame);
        const accepted: number[] = [];
        for (let cut = 0; cut < bytes.length; cut++) {
          if (!failsWithProtocolError(() => decodeLinkFrame(bytes.subarray(0, cut)))) accepted.push(cut);
        }
        expect(accepted).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it('7. random bytes, with or without a valid header: a frame or ProtocolError (1 000 cases)', () => {
    const withHeader = fc.uint8Array({ maxLength: 64 }).map((rest) => frameWith([...rest]));
    fc.assert(
      fc.property(fc.oneof(randomBytes.map((b) => Buffer.from(b)), withHeader), (bytes) => {
        const got = attempt(() => decodeLinkFrame(bytes));
        if (okOrProtocolError(got, bytes.length)) {
          // Whatever was accepted is a frame our encoder can write and read back unchanged.
          expect(decodeLinkFrame(encodeLinkFrame(got.value))).toEqual(got.value);
        }
      }),
      { numRuns: 1_000 },
    );
  });

  it('8. bit flips of valid frames: a frame or ProtocolError (1 000 cases)', () => {
    fc.assert(
      fc.property(linkFrame, flips, (frame, positions) => {
        const bytes = flipBits(encodeLinkFrame(frame), positions);
        const got = attempt(() => decodeLinkFrame(bytes));
        if (okOrProtocolError(got, bytes.length)) expect(decodeLinkFrame(encodeLinkFrame(got.value))).toEqual(got.value);
      }),
      { numRuns: 1_000 },
    );
  });

  it('9. lying counts and lengths (up to 2^53-1, overlong varints) are ProtocolErrors that allocate nothing (table + 2 000 decodes)', () => {
    const HUGE = [2 ** 21, 2 ** 31, 2 ** 32 + 1, Number.MAX_SAFE_INTEGER];
    const cases: [string, number[]][] = [];
    for (const n of HUGE) {
      cases.push([`section count ${n}`, varint(n)]);
      cases.push([`key length ${n}`, [1, ...varint(n), 0x41]]);
      cases.push([`entry count ${n}`, [1, 1, 0x41, 4, 1, ...varint(n), 0, 1, 0x41]]);
      cases.push([`entry length ${n}`, [1, 1, 0x41, 4, 1, 1, 0, ...varint(n), 0x41]]);
    }
    cases.push(['varint of 9 bytes', [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]]);
    cases.push(['varint above 2^53-1', [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]]);
    cases.push(['firstSeq 0', [1, 1, 0x41, 4, 0, 1, 0, 0]]);
    cases.push(['unknown flag', [1, 1, 0x41, 0x10]]);
    cases.push(['unknown entry kind', [1, 1, 0x41, 4, 1, 1, 7, 0]]);
    const frames = cases.map(([name, rest]) => [name, frameWith(rest)] as const);
    for (const [name, bytes] of frames) {
      const got = attempt(() => decodeLinkFrame(bytes));
      expect([name, got.ok ? 'decoded' : got.error]).toEqual([name, expect.any(ProtocolError)]);
    }
    expectFlatMemory(2_000, (i) => failsWithProtocolError(() => decodeLinkFrame(frames[i % frames.length]![1])));
    // A header that is not ours: wrong magic, wrong version, unknown kind, too short.
    for (const bytes of [[0], [LINK_FRAME_MAGIC, 2, 1], [LINK_FRAME_MAGIC, LINK_FRAME_VERSION, 3], [LINK_FRAME_MAGIC, LINK_FRAME_VERSION, 1, 0]]) {
      expect(isLinkFrame(Uint8Array.from(bytes))).toBe(bytes.length >= LINK_FRAME_HEADER_BYTES);
      expectProtocolError(attempt(() => decodeLinkFrame(Uint8Array.from(bytes))), bytes.length);
    }
  });
});
