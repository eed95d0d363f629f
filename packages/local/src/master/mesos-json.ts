/**
 * JSON the way Mesos writes it (docs/protocol.md, "JSON encoding"): proto `double` fields are written
 * with a fractional part even when integral (`15.0`, `4096.0`), so records have the same byte
 * lengths as a real master's. Everything else is plain JSON.
 */

/** Fields whose numbers are proto doubles wherever they appear. */
const DOUBLE_FIELDS: ReadonlySet<string> = new Set([
  'heartbeat_interval_seconds',
  'failover_timeout',
  'refuse_seconds',
  'timestamp',
]);

/** `Value.Scalar.value` is a double; other `value` fields are strings. */
const SCALAR_PARENTS: ReadonlySet<string> = new Set(['scalar']);

/** Serializes `value` as compact JSON with Mesos' double spelling. Undefined fields are omitted. */
export function toMesosJson(value: unknown): string {
  return write(value, undefined, undefined);
}

function write(value: unknown, key: string | undefined, parentKey: string | undefined): string {
  if (typeof value === 'number') {
    const isDouble =
      (key !== undefined && DOUBLE_FIELDS.has(key)) ||
      (key === 'value' && parentKey !== undefined && SCALAR_PARENTS.has(parentKey));
    return isDouble ? formatDouble(value) : JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map((item) => write(item, key, parentKey)).join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined) continue;
      parts.push(`${JSON.stringify(k)}:${write(v, k, key)}`);
    }
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function formatDouble(n: number): string {
  if (!Number.isFinite(n)) return JSON.stringify(n > 0 ? 'Infinity' : n < 0 ? '-Infinity' : 'NaN');
  return Number.isInteger(n) ? `${n}.0` : String(n);
}
