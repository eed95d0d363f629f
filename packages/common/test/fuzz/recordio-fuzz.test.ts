/**
 * Chaos for the RecordIO decoders (docs/design.md, "Bad input"): random bytes, truncated streams, huge
 * and non-digit length prefixes, invalid UTF-8 inside JSON records. Every bad stream must end in
 * a ProtocolError (never another error type, never a hang), good records before it must still
 * come out, and nothing may allocate in proportion to a length the peer merely announced.
 *
 * The oracle is a deliberately naive reference decoder (whole buffer, BigInt lengths), written
 * from docs/protocol.md, "RecordIO" alone.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  ProtocolError,
} from '@mesosgot/common';
import {
  DEFAULT_MAX_RECORD_BYTES,
  RecordIODecoder,
  decodeJsonRecords,
  decodeRecordIO,
  encodeRecord,
} from '@mesosgot/common/internal';
import { cutAt } from '../unit/recordio/chunking.js';
import { withDeadline } from './deadline.js';

const DEADLINE_MS = 2_000;
const LF = 0x0a;

/** What a decoder did with a whole stream: the records it handed out, and whether it then failed. */
interface Decoded {
  records: Buffer[];
  error: unknown;
}

/** docs/protocol.md, "RecordIO": `decimal-length LF payload`, at most 20 digits, length ≤ max. */
function referenceDecode(bytes: Buffer, maxRecordBytes: number): { records: Buffer[]; failed: boolean } {
  const records: Buffer[] = [];
  let i = 0;
  while (i < bytes.length) {
    let j = i;
    while (j < bytes.length && bytes[j]! >= 0x30 && bytes[j]! <= 0x39) j++;
    const digits = j - i;
    if (digits > 20 || j === bytes.length || bytes[j] !== LF || digits === 0) return { records, failed: true };
    const length = BigInt(bytes.toString('latin1', i, j));
    if (length > BigInt(maxRecordBytes) || BigInt(j + 1) + length > BigInt(bytes.length)) return { records, failed: true };
    records.push(bytes.subarray(j + 1, j + 1 + Number(length)));
    i = j + 1 + Number(length);
  }
  return { records, failed: false };
}

/** Runs the synchronous decoder over `chunks`, copying each record out (the sink gets views). */
function decodeSync(
  chunks: readonly Buffer[],
  maxRecordBytes: number,
): Decoded & { maxBuffered: number; finalBuffered: number; pushed: number } {
  const decoder = new RecordIODecoder({ maxRecordBytes });
  const records: Buffer[] = [];
  let maxBuffered = 0;
  let pushed = 0;
  try {
    for (const c of chunks) {
      pushed += c.length;
      decoder.feed(c, (payload, start, end) => records.push(Buffer.from(payload.subarray(start, end))));
      // Held bytes never exceed what the peer actually sent: a length prefix alone allocates nothing.
      maxBuffered = Math.max(maxBuffered, decoder.bufferedBytes);
      if (decoder.bufferedBytes > pushed) throw new Error(`buffered ${decoder.bufferedBytes} of ${pushed} pushed bytes`);
    }
    decoder.end();
    return { records, error: undefined, maxBuffered, finalBuffered: decoder.bufferedBytes, pushed };
  } catch (error) {
    return { records, error, maxBuffered, finalBuffered: decoder.bufferedBytes, pushed };
  }
}

async function* source(chunks: readonly Buffer[]): AsyncGenerator<Uint8Array> {
  for (const c of chunks) yield c;
}

async function drain<T>(iterable: AsyncIterable<T>): Promise<{ values: T[]; error: unknown }> {
  const values: T[] = [];
  try {
    for await (const v of iterable) values.push(v);
    return { values, error: undefined };
  } catch (error) {
    return { values, error };
  }
}

function expectProtocolError(error: unknown, streamBytes: number): void {
  expect(error).toBeInstanceOf(ProtocolError);
  const offset = (error as ProtocolError).offset;
  // Every framing error names where it happened, inside the stream.
  expect(Number.isSafeInteger(offset)).toBe(true);
  expect(offset).toBeGreaterThanOrEqual(0);
  expect(offset).toBeLessThanOrEqual(streamBytes);
}

/** Bytes near the grammar (digits and LFs) so random streams reach past the first byte. */
const streamByte = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: 0x30, max: 0x39 }) },
  { weight: 2, arbitrary: fc.constant(LF) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 255 }) },
);
const randomStream = fc.oneof(
  fc.uint8Array({ maxLength: 256 }).map((a) => Buffer.from(a)),
  fc.array(streamByte, { maxLength: 256 }).map((a) => Buffer.from(a)),
);
const cuts = fc.array(fc.nat(), { maxLength: 12 });
const smallMax = fc.integer({ min: 0, max: 64 });

/** A valid stream of records, and the byte offsets where one record ends and the next begins. */
const validStream = fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 8 }).map((payloads) => {
  const boundaries = [0];
  const parts = payloads.map((p) => {
    const record = encodeRecord(p);
    boundaries.push(boundaries.at(-1)! + record.length);
    return record;
  });
  return { payloads: payloads.map((p) => Buffer.from(p)), bytes: Buffer.concat(parts), boundaries };
});

describe('RecordIO decoder fuzz', () => {
  it('1. random bytes, any chunking: same records as the reference, else ProtocolError (1 000 cases)', () => {
    fc.assert(
      fc.property(randomStream, cuts, smallMax, (bytes, cutPoints, max) => {
        const expected = referenceDecode(bytes, max);
        const got = decodeSync(cutAt(bytes, cutPoints), max);
        expect(got.records).toEqual(expected.records);
        if (expected.failed) expectProtocolError(got.error, bytes.length);
        else expect(got.error).toBeUndefined();
      }),
      { numRuns: 1_000 },
    );
  });

  it('2. random bytes through decodeRecordIO: good records first, then only ProtocolError, within a deadline (300 cases)', async () => {
    await fc.assert(
      fc.asyncProperty(randomStream, cuts, smallMax, async (bytes, cutPoints, max) => {
        const expected = referenceDecode(bytes, max);
        const got = await withDeadline('decodeRecordIO', DEADLINE_MS, () =>
          drain(decodeRecordIO(source(cutAt(bytes, cutPoints)), { maxRecordBytes: max })),
        );
        expect(got.values.map((v) => Buffer.from(v))).toEqual(expected.records);
        if (expected.failed) expectProtocolError(got.error, bytes.length);
        else expect(got.error).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it('3. a valid stream cut anywhere: the whole records before the cut, then ProtocolError unless cut on a boundary (500 cases)', async () => {
    await fc.assert(
      fc.asyncProperty(validStream, fc.nat(), cuts, async ({ payloads, bytes, boundaries }, at, cutPoints) => {
        const cut = at % (bytes.length + 1);
        const truncated = bytes.subarray(0, cut);
        const complete = boundaries.filter((b) => b > 0 && b <= cut).length;
        const got = await withDeadline('decodeRecordIO', DEADLINE_MS, () => drain(decodeRecordIO(source(cutAt(truncated, cutPoints)))));
        expect(got.values.map((v) => Buffer.from(v))).toEqual(payloads.slice(0, complete));
        if (boundaries.includes(cut)) expect(got.error).toBeUndefined();
        else {
          expectProtocolError(got.error, cut);
          // The error names where the broken record began: the end of the last whole one.
          expect((got.error as ProtocolError).offset).toBe(boundaries[complete]);
        }
      }),
      { numRuns: 500 },
    );
  });

  const HUGE_PREFIXES: [number, string][] = [
    [1, '99999999999999999999'], // 20 digits: the largest prefix the grammar allows
    [2, String(2 ** 53)],
    [3, String(2 ** 53 + 2)],
    [4, '18446744073709551615'], // uint64 max
    [5, '18446744073709551616'], // uint64 max + 1 (still 20 digits)
    [6, String(DEFAULT_MAX_RECORD_BYTES + 1)], // just above the default cap
    [7, '00000000000000000000067108865'], // leading zeros: too many digits
    [8, '123456789012345678901234567890'],
  ];

  it.each(HUGE_PREFIXES)('4.%i huge length prefix %s is a ProtocolError at the record start, holding no payload', async (_n, prefix) => {
    const good = encodeRecord('{"type":"HEARTBEAT"}');
    const stream = Buffer.concat([good, Buffer.from(`${prefix}\n`), Buffer.alloc(64, 0x41)]);
    for (const cutPoints of [[], [good.length + 3], Array.from({ length: stream.length }, (_, i) => i)]) {
      const got = decodeSync(cutAt(stream, cutPoints), DEFAULT_MAX_RECORD_BYTES);
      expect(got.records).toEqual([Buffer.from('{"type":"HEARTBEAT"}')]);
      expectProtocolError(got.error, stream.length);
      expect((got.error as ProtocolError).offset).toBe(good.length);
      // Only the good record's pieces were ever held (bytewise chunking), never the announced length.
      expect(got.maxBuffered).toBeLessThanOrEqual(good.length);
      expect(got.finalBuffered).toBe(0);
      const seen = await withDeadline('decodeRecordIO', DEADLINE_MS, () => drain(decodeRecordIO(source(cutAt(stream, cutPoints)))));
      expect(seen.values).toHaveLength(1);
      expectProtocolError(seen.error, stream.length);
    }
  });

  it('5. any prefix above maxRecordBytes, up to 20 digits, fails at its LF with nothing buffered (500 cases)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1 << 20 }),
        fc.bigInt({ min: 0n, max: 10n ** 20n - 1n }),
        cuts,
        (max, length, cutPoints) => {
          fc.pre(length > BigInt(max));
          const stream = Buffer.from(`${length}\n${'x'.repeat(16)}`);
          const got = decodeSync(cutAt(stream, cutPoints), max);
          expectProtocolError(got.error, stream.length);
          expect((got.error as ProtocolError).offset).toBe(0);
          expect(got.maxBuffered).toBe(0);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('6. an endless length prefix fails at its 21st digit; 2 000 huge prefixes leave memory flat', () => {
    const decoder = new RecordIODecoder();
    const digits = Buffer.alloc(1 << 20, 0x39);
    expect(() => decoder.push(digits)).toThrow(/longer than 20 digits/);
    expect(decoder.bufferedBytes).toBe(0);

    const before = process.memoryUsage();
    for (let i = 0; i < 2_000; i++) {
      const d = new RecordIODecoder();
      expect(() => d.push(Buffer.from(`${HUGE_PREFIXES[i % HUGE_PREFIXES.length]![1]}\nabc`))).toThrow(ProtocolError);
    }
    const after = process.memoryUsage();
    // A single allocation of an announced length would be ≥ 64 MiB; the bound is far below it.
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(16 * 1024 * 1024);
    expect(after.rss - before.rss).toBeLessThan(64 * 1024 * 1024);
  });

  it('7. a non-digit byte in a length prefix is a ProtocolError naming that byte (500 cases)', () => {
    const nonDigit = fc.integer({ min: 0, max: 255 }).filter((b) => b !== LF && (b < 0x30 || b > 0x39));
    fc.assert(
      fc.property(validStream, fc.stringMatching(/^[0-9]{0,5}$/), nonDigit, cuts, ({ bytes }, digits, bad, cutPoints) => {
        const header = Buffer.concat([Buffer.from(digits, 'latin1'), Buffer.from([bad]), Buffer.from('1\nx')]);
        const stream = Buffer.concat([bytes, header]);
        const got = decodeSync(cutAt(stream, cutPoints), DEFAULT_MAX_RECORD_BYTES);
        expectProtocolError(got.error, stream.length);
        expect((got.error as ProtocolError).offset).toBe(bytes.length + digits.length);
      }),
      { numRuns: 500 },
    );
    for (const [n, text] of [
      [1, '\n'],
      [2, '+5\nhello'],
      [3, '-1\n'],
      [4, ' 5\nhello'],
      [5, '5\r\nhello'],
      [6, '0x10\n'],
      [7, '1e3\n'],
    ] as const) {
      const got = decodeSync([Buffer.from(text)], DEFAULT_MAX_RECORD_BYTES);
      expect([n, got.error]).toEqual([n, expect.any(ProtocolError)]);
    }
  });
});

/** Byte sequences that are not UTF-8 (RFC 3629, section 3–4): stray continuation, overlong, surrogate, too high, truncated. */
const INVALID_UTF8: readonly number[][] = [
  [0x80],
  [0xbf],
  [0xff],
  [0xfe],
  [0xc0, 0xaf],
  [0xc1, 0xbf],
  [0xe0, 0x80, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0xc3],
  [0xe2, 0x82],
  [0xf0, 0x9f, 0x98],
];

const jsonValue = fc.jsonValue({ maxDepth: 3 });

describe('decodeJsonRecords fuzz', () => {
  it('8. valid JSON records (any Unicode) round-trip under any chunking (300 cases)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(jsonValue, { maxLength: 6 }), cuts, async (values, cutPoints) => {
        const texts = values.map((v) => JSON.stringify(v));
        const bytes = Buffer.concat(texts.map((t) => encodeRecord(t)));
        const got = await withDeadline('decodeJsonRecords', DEADLINE_MS, () => drain(decodeJsonRecords(source(cutAt(bytes, cutPoints)))));
        expect(got.error).toBeUndefined();
        expect(got.values).toEqual(texts.map((t) => JSON.parse(t) as unknown));
      }),
      { numRuns: 300 },
    );
  });

  it('9. invalid UTF-8 inside a JSON string or between tokens is a ProtocolError at that record (400 cases)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(jsonValue, { maxLength: 3 }),
        fc.constantFrom(...INVALID_UTF8),
        fc.boolean(),
        fc.string({ maxLength: 8 }),
        cuts,
        async (goodValues, bad, insideString, text, cutPoints) => {
          const good = goodValues.map((v) => encodeRecord(JSON.stringify(v)));
          const payload = insideString
            ? Buffer.concat([Buffer.from(`{"type":"MESSAGE","data":"${text.replace(/["\\]/g, '')}`), Buffer.from(bad), Buffer.from('"}')])
            : Buffer.concat([Buffer.from('{"type":'), Buffer.from(bad), Buffer.from('"HEARTBEAT"}')]);
          const goodBytes = Buffer.concat(good).length;
          const bytes = Buffer.concat([...good, encodeRecord(payload)]);
          const got = await withDeadline('decodeJsonRecords', DEADLINE_MS, () => drain(decodeJsonRecords(source(cutAt(bytes, cutPoints)))));
          expect(got.values).toHaveLength(goodValues.length);
          expectProtocolError(got.error, bytes.length);
          // The error names the bad record's first payload byte.
          expect((got.error as ProtocolError).offset).toBe(goodBytes + String(payload.length).length + 1);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('10. random record payloads: parsed exactly when they are UTF-8 JSON, else ProtocolError (500 cases)', async () => {
    const strict = new TextDecoder('utf-8', { fatal: true });
    const payload = fc.oneof(
      fc.uint8Array({ maxLength: 48 }),
      jsonValue.map((v) => new Uint8Array(Buffer.from(JSON.stringify(v)))),
      fc.string({ unit: 'grapheme', maxLength: 16 }).map((s) => new Uint8Array(Buffer.from(s))),
    );
    await fc.assert(
      fc.asyncProperty(payload, cuts, async (bytes, cutPoints) => {
        let expected: { value: unknown } | undefined;
        try {
          expected = { value: JSON.parse(strict.decode(bytes)) as unknown };
        } catch {
          // Not UTF-8 JSON: the decoder must refuse it, which the assertions below check.
          expected = undefined;
        }
        const got = await withDeadline('decodeJsonRecords', DEADLINE_MS, () =>
          drain(decodeJsonRecords(source(cutAt(encodeRecord(bytes), cutPoints)))),
        );
        if (expected === undefined) {
          expect(got.values).toEqual([]);
          expectProtocolError(got.error, bytes.length + 12);
        } else {
          expect(got.error).toBeUndefined();
          expect(got.values).toEqual([expected.value]);
        }
      }),
      { numRuns: 500 },
    );
  });
});
