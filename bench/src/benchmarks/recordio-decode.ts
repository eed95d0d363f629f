/**
 * RecordIO decode of 1 KiB JSON records: framing + UTF-8 + JSON.parse through
 * decodeJsonRecords (what the drivers run on a SUBSCRIBE body), fed in 64 KiB chunks as a
 * socket delivers them, against JSON.parse of the same records already split (goal ≥ 0.8 ×).
 */
import { requireExport, type Benchmark, type MetricSpec } from '../harness/benchmark.js';
import { measurePaired, timeMs } from '../harness/measure.js';
import { judge, unavailableRows, type Row } from '../harness/row.js';
import { perSecond } from '../harness/stats.js';
import { jsonParseRate, makeRecords } from '../baselines/json-parse.js';

/** Chunk size of the simulated socket reads (a typical loopback read). */
const CHUNK_BYTES = 64 * 1024;

type DecodeJsonRecords = (source: AsyncIterable<Uint8Array>) => AsyncIterable<unknown>;

const METRIC: MetricSpec = {
  metric: 'RecordIO decode, 1 KiB JSON records',
  unit: 'rec/s',
  goals: [{ kind: 'min-ratio', value: 0.8 }],
};

/** RecordIO framing of every record (`<length>\n<payload>`, docs/protocol.md, "RecordIO"), in chunks. */
function frameInChunks(records: readonly Buffer[]): Buffer[] {
  const framed = Buffer.concat(records.flatMap((r) => [Buffer.from(`${r.length}\n`), r]));
  const chunks: Buffer[] = [];
  for (let at = 0; at < framed.length; at += CHUNK_BYTES) chunks.push(framed.subarray(at, at + CHUNK_BYTES));
  return chunks;
}

async function* replay(chunks: readonly Buffer[]): AsyncGenerator<Uint8Array> {
  for (const c of chunks) yield c;
}

export const recordioDecode: Benchmark = {
  name: 'recordio-decode',
  metrics: [METRIC],
  async run({ quick, plan }): Promise<Row[]> {
    const feature = await requireExport('@mesosgot/common', 'decodeJsonRecords');
    if (!feature.ok) return unavailableRows(this.metrics, feature.reason);
    if (typeof feature.value !== 'function') return unavailableRows(this.metrics, 'decodeJsonRecords is not a function');
    const decodeJsonRecords = feature.value as DecodeJsonRecords;
    const count = quick ? 50_000 : 200_000;
    const records = makeRecords(count);
    const chunks = frameInChunks(records);
    const decodeRate = async (): Promise<number> => {
      let decoded = 0;
      const elapsed = await timeMs(async () => {
        for await (const value of decodeJsonRecords(replay(chunks))) if (value !== null) decoded++;
      });
      if (decoded !== count) throw new Error(`decoded ${decoded} of ${count} records`);
      return perSecond(count, elapsed);
    };
    const { baseline, subject } = await measurePaired(() => jsonParseRate(records), decodeRate, plan);
    return [
      judge({
        ...METRIC,
        value: subject.median,
        baseline: baseline.median,
        baselineName: 'JSON.parse',
        note: `${count} records in ${CHUNK_BYTES / 1024} KiB chunks`,
      }),
    ];
  },
};
