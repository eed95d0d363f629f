import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import {
  InvalidArgumentError,
  ProtocolError,
} from '@mesosgot/common';
import {
  TASK_MSG_OVERHEAD_BYTES,
  decodeTaskMsg,
  decodeTaskMsgs,
  encodeTaskMsg,
  encodeTaskMsgs,
  encodedTaskMsgLength,
  readTaskMsg,
  writeTaskMsg,
} from '@mesosgot/common/internal';
import type { TaskMsg } from '@mesosgot/common';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h.replace(/\s+/g, ''), 'hex'));

function protocolErrorOf(f: () => unknown): ProtocolError {
  try {
    f();
  } catch (error) {
    if (error instanceof ProtocolError) return error;
    throw error;
  }
  throw new Error('no error thrown');
}

describe('taskmsg/codec', () => {
  // Golden encodings: kind, u32be name length, name, u32be data length, data.
  const golden: [number, TaskMsg, string][] = [
    [1, { taskName: 'floor-0', data: 'up' }, '01 00000007 666c6f6f722d30 00000002 7570'],
    [2, { taskName: 'a', data: new Uint8Array([0, 255]) }, '00 00000001 61 00000002 00ff'],
    [3, { taskName: '', data: '' }, '01 00000000 00000000'],
    [4, { taskName: '', data: new Uint8Array() }, '00 00000000 00000000'],
    [5, { taskName: '^', data: '^x^' }, '01 00000001 5e 00000003 5e785e'],
    [6, { taskName: '\0', data: '\0' }, '01 00000001 00 00000001 00'],
    [7, { taskName: '🚀', data: 'é' }, '01 00000004 f09f9a80 00000002 c3a9'],
  ];
  it.each(golden)('case %i encodes %j to the documented layout and back', (_n, msg, expected) => {
    const encoded = encodeTaskMsg(msg);
    expect(hex(encoded)).toBe(expected.replace(/\s+/g, ''));
    expect(encodedTaskMsgLength(msg)).toBe(encoded.length);
    const back = decodeTaskMsg(encoded);
    expect(back).toEqual(msg);
    expect(typeof back.data).toBe(typeof msg.data);
  });

  const malformed: [number, string, number, RegExp][] = [
    [1, '', 0, /truncated TaskMsg header/],
    [2, '01 000000', 0, /truncated TaskMsg header/],
    [3, '02 00000000 00000000', 0, /unknown TaskMsg kind 0x2/],
    [4, '01 00000005 6162 ', 1, /name length 5 runs past/],
    [5, '01 ffffffff 00000000', 1, /name length 4294967295 runs past/],
    [6, '01 00000001 61 000000', 1, /name length 1 runs past/],
    [7, '01 00000001 61 ffffffff', 6, /data length 4294967295 runs past/],
    [8, '01 00000002 c328 00000000', 5, /task name is not valid UTF-8/],
    [9, '01 00000001 61 00000001 ff', 10, /string data is not valid UTF-8/],
    [10, '00 00000001 61 00000001 ff 00', 11, /1 trailing bytes/],
    [11, '00 00000001 ed 00000000', 5, /not valid UTF-8/], // a truncated 3-byte sequence
  ];
  it.each(malformed)('case %i rejects %j with ProtocolError at byte %i', (_n, input, offset, message) => {
    const error = protocolErrorOf(() => decodeTaskMsg(bytes(input)));
    expect(error.offset).toBe(offset);
    expect(error.message).toMatch(message);
  });

  it('rejects a name or string data with a lone surrogate, and a non-byte data, with InvalidArgumentError', () => {
    expect(() => encodeTaskMsg({ taskName: '\uD800', data: '' })).toThrow(InvalidArgumentError);
    expect(() => encodeTaskMsg({ taskName: 'a', data: 'x\uDC00' })).toThrow(InvalidArgumentError);
    expect(() => encodeTaskMsg({ taskName: 'a', data: [1, 2] as unknown as Uint8Array })).toThrow(InvalidArgumentError);
  });

  it('writes into and reads from an offset of a larger buffer', () => {
    const a: TaskMsg = { taskName: 'x-1', data: 'hello' };
    const b: TaskMsg = { taskName: 'y-2', data: new Uint8Array([1, 2, 3]) };
    const buf = new Uint8Array(3 + encodedTaskMsgLength(a) + encodedTaskMsgLength(b) + 2);
    const mid = writeTaskMsg(buf, 3, a);
    expect(mid).toBe(3 + encodedTaskMsgLength(a));
    const end = writeTaskMsg(buf, mid, b);
    expect(readTaskMsg(buf, 3)).toEqual({ msg: a, next: mid });
    const second = readTaskMsg(buf, mid);
    expect(second).toEqual({ msg: b, next: end });
    // The data is a copy: reusing the buffer does not change a decoded message.
    buf.fill(0);
    expect(second.msg.data).toEqual(new Uint8Array([1, 2, 3]));
    expect(() => writeTaskMsg(new Uint8Array(TASK_MSG_OVERHEAD_BYTES), 0, a)).toThrow(InvalidArgumentError);
  });

  it('batches: encodeTaskMsgs / decodeTaskMsgs round-trip a list, including an empty one', () => {
    const msgs: TaskMsg[] = [
      { taskName: 'a', data: '1' },
      { taskName: 'b', data: new Uint8Array([9]) },
      { taskName: 'a', data: '' },
    ];
    expect(decodeTaskMsgs(encodeTaskMsgs(msgs))).toEqual(msgs);
    expect(decodeTaskMsgs(encodeTaskMsgs([]))).toEqual([]);
  });

  const msgArb: fc.Arbitrary<TaskMsg> = fc.record({
    taskName: fc.string({ unit: 'binary' }),
    data: fc.oneof(fc.string({ unit: 'binary' }), fc.uint8Array({ maxLength: 64 })),
  });

  it('round-trips any name and data, keeping string vs bytes', () => {
    fc.assert(
      fc.property(fc.array(msgArb, { maxLength: 5 }), (msgs) => {
        for (const m of msgs) {
          const back = decodeTaskMsg(encodeTaskMsg(m));
          expect(back).toEqual(m);
          expect(typeof back.data).toBe(typeof m.data);
        }
        expect(decodeTaskMsgs(encodeTaskMsgs(msgs))).toEqual(msgs);
      }),
      { numRuns: 500 },
    );
  });

  it('every strict prefix of an encoding is a ProtocolError', () => {
    fc.assert(
      fc.property(msgArb, (m) => {
        const encoded = encodeTaskMsg(m);
        for (let n = 0; n < encoded.length; n++) {
          expect(() => decodeTaskMsg(encoded.subarray(0, n))).toThrow(ProtocolError);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('random or corrupted bytes never throw anything but ProtocolError', () => {
    const check = (input: Uint8Array): void => {
      try {
        decodeTaskMsgs(input);
      } catch (error) {
        expect(error).toBeInstanceOf(ProtocolError);
        expect(typeof (error as ProtocolError).offset).toBe('number');
      }
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), check), { numRuns: 1000 });
    fc.assert(
      fc.property(msgArb, fc.nat(), fc.integer({ min: 0, max: 255 }), (m, at, byte) => {
        const encoded = encodeTaskMsg(m);
        encoded[at % encoded.length] = byte;
        check(encoded);
      }),
      { numRuns: 1000 },
    );
  });
});
