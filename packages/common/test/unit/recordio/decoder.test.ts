import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import { ProtocolError } from '@mesosgot/common';
import { RecordIODecoder, decodeRecordIO, encodeRecord } from '@mesosgot/common/internal';
import { CHUNKINGS, asyncChunks, chunk, cutAt, cutsArb } from './chunking.js';

interface Case {
  n: number;
  name: string;
  input: Buffer;
  records: Buffer[];
  maxRecordBytes?: number;
  /** Expected failure: the offset it names, where it surfaces, and its message. */
  error?: { offset: number; at: 'feed' | 'end'; message: RegExp };
}

const b = (s: string): Buffer => Buffer.from(s, 'utf8');
const HEARTBEAT = '{"type":"HEARTBEAT"}';
const UTF8 = 'é€😀 mesos';
const BINARY = Buffer.from([0x00, 0xff, 0x0a, 0x30, 0x80, 0xc3]);
const MANY = Array.from({ length: 100 }, (_, i) => b(`{"i":${i}}`));

const CASES: Case[] = [
  { n: 1, name: 'one HEARTBEAT record', input: b(`20\n${HEARTBEAT}`), records: [b(HEARTBEAT)] },
  { n: 2, name: 'two records back to back', input: b(`20\n${HEARTBEAT}20\n${HEARTBEAT}`), records: [b(HEARTBEAT), b(HEARTBEAT)] },
  { n: 3, name: 'empty stream', input: b(''), records: [] },
  { n: 4, name: 'length 0 record', input: b('0\n'), records: [b('')] },
  { n: 5, name: 'length 0 between records', input: b('1\na0\n1\nb'), records: [b('a'), b(''), b('b')] },
  { n: 6, name: 'multi-byte UTF-8 counted in bytes', input: encodeRecord(UTF8), records: [b(UTF8)] },
  { n: 7, name: 'payload holding LF and digits', input: b('5\n1\n2\n3'), records: [b('1\n2\n3')] },
  { n: 8, name: 'leading zeros in the prefix', input: b('03\nabc'), records: [b('abc')] },
  { n: 9, name: 'a hundred records', input: Buffer.concat(MANY.map((r) => encodeRecord(r))), records: MANY },
  { n: 10, name: 'binary payload', input: encodeRecord(BINARY), records: [BINARY] },
  { n: 11, name: 'record of exactly maxRecordBytes', input: b('4\nabcd'), records: [b('abcd')], maxRecordBytes: 4 },
  {
    n: 12, name: 'non-digit prefix', input: b('x\nabc'), records: [],
    error: { offset: 0, at: 'feed', message: /non-digit byte 0x78 \(at byte 0\)/ },
  },
  {
    n: 13, name: 'non-digit after a good record', input: b('3\nabc4X\n'), records: [b('abc')],
    error: { offset: 6, at: 'feed', message: /non-digit byte 0x58 \(at byte 6\)/ },
  },
  {
    n: 14, name: 'CR before LF', input: b('3\r\nabc'), records: [],
    error: { offset: 1, at: 'feed', message: /non-digit byte 0x0d/ },
  },
  {
    n: 15, name: 'negative length', input: b('-1\n'), records: [],
    error: { offset: 0, at: 'feed', message: /non-digit byte 0x2d/ },
  },
  {
    n: 16, name: '21-digit prefix', input: b('2\nok123456789012345678901\n'), records: [b('ok')],
    error: { offset: 4, at: 'feed', message: /longer than 20 digits \(at byte 4\)/ },
  },
  {
    n: 17, name: '20-digit prefix above the default cap', input: b('99999999999999999999\n'), records: [],
    error: { offset: 0, at: 'feed', message: /exceeds maxRecordBytes/ },
  },
  {
    n: 18, name: 'record above maxRecordBytes', input: b('1\na5\nabcde'), records: [b('a')], maxRecordBytes: 4,
    error: { offset: 3, at: 'feed', message: /record of 5 bytes exceeds maxRecordBytes 4 \(at byte 3\)/ },
  },
  {
    n: 19, name: 'empty length prefix', input: b('1\na\n'), records: [b('a')],
    error: { offset: 3, at: 'feed', message: /length prefix is empty \(at byte 3\)/ },
  },
  {
    n: 20, name: 'truncated payload', input: b('1\na5\nab'), records: [b('a')],
    error: { offset: 3, at: 'end', message: /truncated: record of 5 bytes has only 2 \(at byte 3\)/ },
  },
  {
    n: 21, name: 'truncated inside the length prefix', input: b('1\na12'), records: [b('a')],
    error: { offset: 3, at: 'end', message: /truncated inside a length prefix \(at byte 3\)/ },
  },
  {
    n: 22, name: 'truncated right after the LF', input: b('3\n'), records: [],
    error: { offset: 0, at: 'end', message: /record of 3 bytes has only 0/ },
  },
];

interface Outcome {
  records: Buffer[];
  error?: ProtocolError;
  at?: 'feed' | 'end';
}

/** Drives the synchronous decoder through `feed`, which delivers records completed before an error. */
function runSync(chunks: readonly Buffer[], maxRecordBytes?: number): Outcome {
  const decoder = new RecordIODecoder(maxRecordBytes === undefined ? {} : { maxRecordBytes });
  const records: Buffer[] = [];
  const sink = (p: Buffer, s: number, e: number): void => {
    records.push(Buffer.from(p.subarray(s, e)));
  };
  for (const c of chunks) {
    try {
      decoder.feed(c, sink);
    } catch (error) {
      return { records, error: error as ProtocolError, at: 'feed' };
    }
  }
  try {
    decoder.end();
  } catch (error) {
    return { records, error: error as ProtocolError, at: 'end' };
  }
  return { records };
}

async function runAsync(chunks: readonly Buffer[], maxRecordBytes?: number): Promise<Omit<Outcome, 'at'>> {
  const records: Buffer[] = [];
  try {
    for await (const r of decodeRecordIO(asyncChunks(chunks), maxRecordBytes === undefined ? {} : { maxRecordBytes })) {
      records.push(Buffer.from(r));
    }
  } catch (error) {
    return { records, error: error as ProtocolError };
  }
  return { records };
}

function check(c: Case, outcome: Outcome | Omit<Outcome, 'at'>): void {
  expect(outcome.records.map((r) => r.toString('hex'))).toEqual(c.records.map((r) => r.toString('hex')));
  if (c.error === undefined) {
    expect(outcome.error).toBeUndefined();
    return;
  }
  expect(outcome.error).toBeInstanceOf(ProtocolError);
  expect(outcome.error?.code).toBe('MESOSGOT_PROTOCOL');
  expect(outcome.error?.offset).toBe(c.error.offset);
  expect(outcome.error?.message).toMatch(c.error.message);
  if ('at' in outcome) expect(outcome.at).toBe(c.error.at);
}

describe('recordio/decoder', () => {
  describe.each(CASES)('case $n: $name', (c) => {
    it.each(CHUNKINGS)('RecordIODecoder.feed decodes it fed %s', (how) => {
      check(c, runSync(chunk(c.input, how), c.maxRecordBytes));
    });

    it.each(CHUNKINGS)('decodeRecordIO decodes it fed %s', async (how) => {
      check(c, await runAsync(chunk(c.input, how), c.maxRecordBytes));
    });

    it('decodes it under random chunking', async () => {
      await fc.assert(
        fc.asyncProperty(cutsArb, async (cuts) => {
          const chunks = cutAt(c.input, cuts);
          check(c, runSync(chunks, c.maxRecordBytes));
          check(c, await runAsync(chunks, c.maxRecordBytes));
        }),
        { numRuns: 50 },
      );
    });
  });

  it('push returns the records each chunk completes and throws the same error again after a failure', () => {
    const decoder = new RecordIODecoder();
    expect(decoder.push(b('3\nab'))).toEqual([]);
    expect(decoder.push(b('c2\nde1')).map(String)).toEqual(['abc', 'de']);
    expect(decoder.push(b('\nf')).map(String)).toEqual(['f']);
    let first: unknown;
    try {
      decoder.push(b('z'));
    } catch (error) {
      first = error;
    }
    expect(first).toBeInstanceOf(ProtocolError);
    expect(() => decoder.push(b('1\na'))).toThrow(first as Error);
    expect(() => decoder.end()).toThrow(first as Error);
  });

  it('returns a record inside one chunk as a view of that chunk (no copy)', () => {
    const input = b(`20\n${HEARTBEAT}`);
    const [record] = new RecordIODecoder().push(input);
    expect(record?.buffer).toBe(input.buffer);
  });

  it('accepts plain Uint8Array chunks', () => {
    const bytes = new Uint8Array(encodeRecord('hi'));
    expect(new RecordIODecoder().push(bytes).map(String)).toEqual(['hi']);
  });

  it('holds only the bytes of the incomplete record between pushes', () => {
    const decoder = new RecordIODecoder();
    decoder.push(b('10\nabc'));
    expect(decoder.bufferedBytes).toBe(3);
    decoder.push(b('defghij'));
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('rejects a bad maxRecordBytes with InvalidArgumentError', () => {
    expect(() => new RecordIODecoder({ maxRecordBytes: -1 })).toThrow(/invalid maxRecordBytes \(-1\)/);
  });

  it('round-trips any payloads through encodeRecord and random chunking', () => {
    const payload = fc.oneof(fc.string({ unit: 'binary' }).map(b), fc.uint8Array({ maxLength: 300 }).map((u) => Buffer.from(u)));
    fc.assert(
      fc.property(fc.array(payload, { maxLength: 20 }), cutsArb, (payloads, cuts) => {
        const stream = Buffer.concat(payloads.map((p) => encodeRecord(p)));
        const outcome = runSync(cutAt(stream, cuts));
        expect(outcome.error).toBeUndefined();
        expect(outcome.records.map((r) => r.toString('hex'))).toEqual(payloads.map((p) => p.toString('hex')));
      }),
      { numRuns: 300 },
    );
  });

  describe('real Mesos 1.12 stream head (session-stream-head.recordio)', () => {
    const path = fileURLToPath(new URL('../../../../local/test/fixtures/real-mesos/session-stream-head.recordio', import.meta.url));
    const bytes = readFileSync(path);

    // The recording ends exactly on a record boundary (2448 = 4+448 + 3+20 + 4+863 + 4+461 + 4+637).
    const EXPECTED_TYPES = ['SUBSCRIBED', 'HEARTBEAT', 'OFFERS', 'UPDATE', 'OFFERS'];
    const types = (records: Buffer[]): string[] =>
      records.map((r) => (JSON.parse(r.toString('utf8')) as { type: string }).type);

    it.each(CHUNKINGS)('decodes its five events and ends cleanly, fed %s', (how) => {
      expect(bytes.length).toBe(2448);
      const outcome = runSync(chunk(bytes, how));
      expect(outcome.error).toBeUndefined();
      expect(types(outcome.records)).toEqual(EXPECTED_TYPES);
    });

    it.each(CHUNKINGS)('reports a cut last record at end(), with its start offset, fed %s', (how) => {
      // Cut inside the last OFFERS record (it starts at byte 1807).
      const outcome = runSync(chunk(bytes.subarray(0, 2000), how));
      expect(types(outcome.records)).toEqual(EXPECTED_TYPES.slice(0, 4));
      expect(outcome.at).toBe('end');
      expect(outcome.error?.offset).toBe(1807);
      expect(outcome.error?.message).toMatch(/truncated: record of 637 bytes has only 189/);
    });

    it('gives the same records under random chunking, whole or cut anywhere', () => {
      fc.assert(
        fc.property(cutsArb, fc.integer({ min: 0, max: bytes.length }), (cuts, cutAtByte) => {
          const whole = runSync(cutAt(bytes, cuts));
          expect(types(whole.records)).toEqual(EXPECTED_TYPES);
          expect(whole.error).toBeUndefined();
          const head = bytes.subarray(0, cutAtByte);
          const cut = runSync(cutAt(head, cuts));
          const reference = runSync([head]);
          expect(cut.records.map((r) => r.toString('hex'))).toEqual(reference.records.map((r) => r.toString('hex')));
          expect(cut.error?.offset).toBe(reference.error?.offset);
        }),
        { numRuns: 200 },
      );
    });
  });
});
