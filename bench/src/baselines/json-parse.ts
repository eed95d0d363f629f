/**
 * Baseline for RecordIO decoding: JSON.parse of the same records, already split, with the
 * same UTF-8 decoding step. Also makes the records: ~1 KiB JSON objects shaped like the
 * UPDATE events a scheduler receives (docs/protocol.md, "Scheduler events").
 */
import { perSecond } from '../harness/stats.js';
import { timeMs } from '../harness/measure.js';

/** Decodes and parses one record the way @mesosgot/common's decodeJsonRecords does. */
export function parseRecord(bytes: Buffer): unknown {
  return JSON.parse(bytes.toString('utf8'));
}

/** `count` distinct JSON records of exactly `size` bytes each (padding in a `message` field). */
export function makeRecords(count: number, size = 1024): Buffer[] {
  const records: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const event = {
      type: 'UPDATE',
      update: {
        status: {
          task_id: { value: `worker-${i}` },
          state: 'TASK_RUNNING',
          source: 'SOURCE_EXECUTOR',
          agent_id: { value: 'a1b2c3d4-0000-4000-8000-000000000000-S0' },
          executor_id: { value: 'bench-executor' },
          timestamp: 1_700_000_000 + i / 1000,
          uuid: Buffer.from(`uuid-${i}`.padEnd(16, '-')).toString('base64'),
          message: '',
        },
      },
    };
    const bare = JSON.stringify(event).length;
    event.update.status.message = 'm'.repeat(Math.max(0, size - bare));
    records.push(Buffer.from(JSON.stringify(event)));
  }
  return records;
}

/** Parses every record; resolves with records per second. */
export async function jsonParseRate(records: readonly Buffer[]): Promise<number> {
  let parsed = 0;
  const elapsed = await timeMs(() => {
    for (const r of records) {
      if (parseRecord(r) !== null) parsed++;
    }
  });
  if (parsed !== records.length) throw new Error(`parsed ${parsed} of ${records.length} records`);
  return perSecond(records.length, elapsed);
}
