/**
 * Regression (found by test/fuzz/recordio-fuzz.test.ts, case 9): decodeJsonRecords decoded a
 * non-ASCII record leniently, so invalid UTF-8 inside a JSON string came out as U+FFFD instead
 * of a ProtocolError; JSON text must be UTF-8 (RFC 8259, section 8.1), as decodeEventBytes already enforces.
 */
import { describe, expect, it } from '@jest/globals';
import { ProtocolError } from '@mesosgot/common';
import { decodeJsonRecords, encodeRecord } from '@mesosgot/common/internal';

async function* source(chunks: readonly Buffer[]): AsyncGenerator<Uint8Array> {
  for (const c of chunks) yield c;
}

async function decodeAll(chunks: readonly Buffer[]): Promise<{ values: unknown[]; error: unknown }> {
  const values: unknown[] = [];
  try {
    for await (const v of decodeJsonRecords(source(chunks))) values.push(v);
    return { values, error: undefined };
  } catch (error) {
    return { values, error };
  }
}

describe('regression: invalid-utf8-json-record', () => {
  const good = encodeRecord('{"type":"HEARTBEAT","x":"é"}');
  const badPayload = Buffer.concat([Buffer.from('{"type":"MESSAGE","data":"'), Buffer.from([0x80]), Buffer.from('"}')]);
  const stream = Buffer.concat([good, encodeRecord(badPayload)]);

  it.each([
    [1, 'one chunk', [stream]],
    [2, 'byte by byte', Array.from(stream, (_, i) => stream.subarray(i, i + 1))],
  ])('%i. %s: the good record, then ProtocolError at the bad record', async (_n, _name, chunks) => {
    const { values, error } = await decodeAll(chunks);
    expect(values).toEqual([{ type: 'HEARTBEAT', x: 'é' }]);
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).message).toMatch(/not valid UTF-8/);
    expect((error as ProtocolError).offset).toBe(good.length + String(badPayload.length).length + 1);
  });

  it('3. a multi-byte character split across chunks is still accepted', async () => {
    const record = encodeRecord('{"s":"😀€"}');
    const { values, error } = await decodeAll([record.subarray(0, 10), record.subarray(10)]);
    expect(error).toBeUndefined();
    expect(values).toEqual([{ s: '😀€' }]);
  });
});
