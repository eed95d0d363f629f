import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import { ProtocolError } from '@mesosgot/common';
import { decodeJsonRecords, decodeRecordIO, encodeRecord } from '@mesosgot/common/internal';
import { CHUNKINGS, asyncChunks, chunk, cutAt, cutsArb } from './chunking.js';

async function collect<T>(iterable: AsyncIterable<T>): Promise<{ values: T[]; error?: unknown }> {
  const values: T[] = [];
  try {
    for await (const v of iterable) values.push(v);
  } catch (error) {
    return { values, error };
  }
  return { values };
}

/** A source that yields `chunks`, then waits forever; records whether it was closed. */
function idleAfter(chunks: readonly Uint8Array[]): { source: AsyncIterable<Uint8Array>; isClosed: () => boolean } {
  let closed = false;
  const source: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]() {
      let i = 0;
      return {
        next: () =>
          i < chunks.length
            ? Promise.resolve({ done: false, value: chunks[i++] as Uint8Array })
            : new Promise<IteratorResult<Uint8Array>>(() => undefined),
        return: () => {
          closed = true;
          return Promise.resolve({ done: true, value: undefined });
        },
      };
    },
  };
  return { source, isClosed: () => closed };
}

describe('recordio/json-records', () => {
  const events = [{ type: 'SUBSCRIBED' }, { type: 'HEARTBEAT' }, { type: 'MESSAGE', message: { data: 'aMOp' }, note: 'é€😀' }];
  const stream = Buffer.concat(events.map((e) => encodeRecord(JSON.stringify(e))));

  it.each(CHUNKINGS)('case 1: yields parsed events fed %s', async (how) => {
    const { values, error } = await collect(decodeJsonRecords(asyncChunks(chunk(stream, how))));
    expect(error).toBeUndefined();
    expect(values).toEqual(events);
  });

  it('case 1: yields parsed events under random chunking', async () => {
    await fc.assert(
      fc.asyncProperty(cutsArb, async (cuts) => {
        const { values, error } = await collect(decodeJsonRecords(asyncChunks(cutAt(stream, cuts))));
        expect(error).toBeUndefined();
        expect(values).toEqual(events);
      }),
      { numRuns: 100 },
    );
  });

  const bad = Buffer.concat([encodeRecord('{"type":"HEARTBEAT"}'), encodeRecord('{"type":'), encodeRecord('{}')]);
  it.each(CHUNKINGS)('case 2: delivers records before bad JSON, then throws ProtocolError at its offset, fed %s', async (how) => {
    const { values, error } = await collect(decodeJsonRecords(asyncChunks(chunk(bad, how))));
    expect(values).toEqual([{ type: 'HEARTBEAT' }]);
    expect(error).toBeInstanceOf(ProtocolError);
    // Record 2's payload starts after "20\n" + 20 bytes + "8\n".
    expect((error as ProtocolError).offset).toBe(25);
    expect((error as ProtocolError).message).toMatch(/not valid JSON.*\(at byte 25\)/);
    expect((error as ProtocolError).cause).toBeInstanceOf(SyntaxError);
  });

  it('case 3: a truncated last record throws ProtocolError after the complete ones', async () => {
    const { values, error } = await collect(decodeJsonRecords(asyncChunks([stream.subarray(0, stream.length - 3)])));
    expect(values).toEqual(events.slice(0, 2));
    expect(error).toBeInstanceOf(ProtocolError);
  });

  it('case 4: framing errors surface through the JSON decoder too', async () => {
    const { error } = await collect(decodeJsonRecords(asyncChunks([Buffer.from('5\nabcde')]), { maxRecordBytes: 4 }));
    expect((error as ProtocolError).offset).toBe(0);
  });

  it.each([
    ['decodeRecordIO', decodeRecordIO],
    ['decodeJsonRecords', decodeJsonRecords],
  ] as const)('%s rejects with signal.reason unchanged when aborted while the source is idle, and closes the source', async (_, decode) => {
    const { source, isClosed } = idleAfter([encodeRecord('{}')]);
    const controller = new AbortController();
    const reason = new Error('stop now');
    const iterator = decode(source, { signal: controller.signal })[Symbol.asyncIterator]();
    expect((await iterator.next()).done).toBe(false);
    const pending = iterator.next();
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expect(isClosed()).toBe(true);
  });

  it('refuses a second consumer of the same stream', () => {
    const records = decodeRecordIO(asyncChunks([]));
    records[Symbol.asyncIterator]();
    expect(() => records[Symbol.asyncIterator]()).toThrow(/only once/);
  });

  it('serves overlapping next() calls in order', async () => {
    const it = decodeJsonRecords(asyncChunks(chunk(stream, 'bytewise')));
    const results = await Promise.all([it.next(), it.next(), it.next(), it.next()]);
    expect(results.map((r) => r.value)).toEqual([...events, undefined]);
    expect(results[3]?.done).toBe(true);
  });

  it('rejects at once with signal.reason when the signal is already aborted', async () => {
    const reason = new Error('already');
    const { error } = await collect(decodeJsonRecords(asyncChunks([encodeRecord('{}')]), { signal: AbortSignal.abort(reason) }));
    expect(error).toBe(reason);
  });

  it.each([
    ['without a signal', undefined],
    ['with a signal', new AbortController().signal],
  ])('breaking out of the iteration closes the source (%s)', async (_, signal) => {
    const { source, isClosed } = idleAfter([Buffer.concat([encodeRecord('1'), encodeRecord('2')])]);
    for await (const v of decodeJsonRecords(source, signal === undefined ? {} : { signal })) {
      expect(v).toBe(1);
      break;
    }
    expect(isClosed()).toBe(true);
  });
});
