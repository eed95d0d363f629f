import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { toMesosJson } from '../../../src/master/mesos-json.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/real-mesos/', import.meta.url));

/** Every event a real master sent in the recordings, with its RecordIO payload length. */
const recorded = ['session-scheduler.jsonl', 'faults-scheduler.jsonl'].flatMap((file) =>
  readFileSync(`${FIXTURES}${file}`, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { kind: string; raw_len?: number; event?: unknown })
    .filter((l) => l.kind === 'event')
    .map((l, i) => [`${file} #${i} ${(l.event as { type: string }).type}`, l.event, l.raw_len!] as const),
);

describe('toMesosJson', () => {
  it.each(recorded)('re-encodes %s to the byte length a real master sent', (_name, event, rawLen) => {
    expect(Buffer.byteLength(toMesosJson(event), 'utf8')).toBe(rawLen);
  });

  it.each([
    [1, { heartbeat_interval_seconds: 15 }, '{"heartbeat_interval_seconds":15.0}'],
    [2, { scalar: { value: 4096 } }, '{"scalar":{"value":4096.0}}'],
    [3, { scalar: { value: 0.1 } }, '{"scalar":{"value":0.1}}'],
    [4, { task_id: { value: 'x' }, status: 1280 }, '{"task_id":{"value":"x"},"status":1280}'],
    [5, { ranges: { range: [{ begin: 1, end: 2 }] } }, '{"ranges":{"range":[{"begin":1,"end":2}]}}'],
    [6, { a: undefined, b: [] }, '{"b":[]}'],
  ])('case %i writes doubles with a fractional part and integers without', (_n, value, json) => {
    expect(toMesosJson(value)).toBe(json);
  });
});
