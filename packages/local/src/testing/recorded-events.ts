/**
 * Replaying what a real Mesos 1.12 master sent (test/fixtures/real-mesos/*.jsonl), byte for byte.
 * The recordings keep each event decoded plus its record length; `mesosJson` re-serializes it the
 * way stout's JSON writer does (declaration order, compact, doubles with `.0`, docs/protocol.md, "JSON encoding"), so the replayed
 * record has exactly the recorded length (checked by `recordedEvents`).
 */
import { readFileSync } from 'node:fs';

/** One event record from a recording. */
export interface RecordedEvent {
  /** Seconds since the recording started. */
  t: number;
  /** The decoded event, as Mesos sent it. */
  event: Record<string, unknown> & {
    /** The event type, such as `SUBSCRIBED`. */
    type: string;
  };
  /** The exact serialized bytes, reproduced with mesosJson. */
  bytes: Buffer;
}

/** Fields Mesos declares `double`: stout writes integral values as `15.0` (docs/protocol.md, "JSON encoding"). */
const DOUBLE_FIELDS: ReadonlySet<string> = new Set(['heartbeat_interval_seconds', 'timestamp', 'failover_timeout', 'refuse_seconds']);

/** Serializes like Mesos: compact JSON in key order, doubles (incl. `scalar.value`) with a `.0` when integral. */
export function mesosJson(value: unknown): string {
  return write(value, undefined, undefined);
}

function write(value: unknown, key: string | undefined, parentKey: string | undefined): string {
  if (Array.isArray(value)) return `[${value.map((v) => write(v, key, parentKey)).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const parts = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${write(v, k, key)}`);
    return `{${parts.join(',')}}`;
  }
  if (typeof value === 'number') {
    const isDouble = (key !== undefined && DOUBLE_FIELDS.has(key)) || (key === 'value' && parentKey === 'scalar');
    return isDouble && Number.isInteger(value) ? `${value}.0` : JSON.stringify(value);
  }
  return JSON.stringify(value);
}

/**
 * Reads the `kind: "event"` lines of a recording. Throws if a re-serialized event does not have
 * the recorded byte length (the fixture and the serializer disagree: the replay would not be exact).
 */
export function recordedEvents(jsonlPath: string): RecordedEvent[] {
  const out: RecordedEvent[] = [];
  const lines = readFileSync(jsonlPath, 'utf8').split('\n');
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    const record = JSON.parse(line) as { t: number; kind: string; raw_len?: number; event?: RecordedEvent['event'] };
    if (record.kind !== 'event' || record.event === undefined) continue;
    const bytes = Buffer.from(mesosJson(record.event), 'utf8');
    if (bytes.length !== record.raw_len) {
      throw new Error(`${jsonlPath}:${index + 1}: re-serialized ${bytes.length} bytes, recorded ${record.raw_len}`);
    }
    out.push({ t: record.t, event: record.event, bytes });
  }
  return out;
}
