import { InvalidArgumentError } from '../errors.js';
import type { Resource } from '../wire/mesos.js';
import { addResources } from './arithmetic.js';
import { fromMillis, toMillis } from './resource-groups.js';

/** Ranges in map form: inclusive `[begin, end]` pairs, e.g. `[[31000, 31010]]`. */
export type RangePairs = readonly (readonly [number, number])[];

/**
 * mesosgot's map form of what a task needs: `{ cpus: 0.1, mem: 32, gpus: 1, disk: 10 }`.
 * A number is a scalar, except for `ports`, where a number is a *count* ("any 2 ports"; the
 * allocator takes the lowest free ones) and `[[31000, 31010]]` asks for those exact ports.
 * For other names, an array of pairs is a RANGES resource and an array of strings a SET.
 */
export type ResourceMap = {
  /** CPUs (fractions allowed, Mesos keeps three decimals). */
  cpus?: number;
  /** Memory in MB. */
  mem?: number;
  /** Disk in MB. */
  disk?: number;
  /** Whole GPUs. */
  gpus?: number;
  /** A count of ports (any free ones), or exact inclusive ranges such as `[[31000, 31001]]`. */
  ports?: number | RangePairs;
} & { readonly [name: string]: number | RangePairs | readonly string[] | undefined };

/** A parsed ResourceMap: exact resources plus "any N values" of RANGES resources. */
export interface ResourceRequest {
  /** Exact resources, without role or reservation: they fit any identity (see fit.ts). */
  resources: Resource[];
  /** Name → how many values of that RANGES resource, taken lowest first (only `ports` today). */
  rangeCounts: Record<string, number>;
}

/** Names whose map-form number is a count of range values rather than a scalar. */
const RANGE_COUNT_NAMES: ReadonlySet<string> = new Set(['ports']);

/**
 * Parses the map form. Throws InvalidArgumentError naming `field.name` and the value for a
 * negative, NaN or infinite number, a fractional port count, a bad range or an unknown value type.
 */
export function parseResourceMap(map: ResourceMap, field = 'resources'): ResourceRequest {
  if (map === null || typeof map !== 'object' || Array.isArray(map)) {
    throw new InvalidArgumentError(field, map, 'must be an object such as { cpus: 0.1, mem: 32 }');
  }
  const resources: Resource[] = [];
  const rangeCounts: Record<string, number> = {};
  for (const [name, value] of Object.entries(map)) {
    const where = `${field}.${name}`;
    if (value === undefined) continue;
    if (name === '') throw new InvalidArgumentError(field, map, 'a resource name is empty');
    if (typeof value === 'number') {
      checkQuantity(where, value);
      if (RANGE_COUNT_NAMES.has(name)) {
        if (!Number.isSafeInteger(value)) throw new InvalidArgumentError(where, value, 'a port count must be an integer');
        if (value > 0) rangeCounts[name] = value;
      } else {
        resources.push({ name, type: 'SCALAR', scalar: { value } });
      }
    } else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
      resources.push({ name, type: 'SET', set: { item: [...(value as readonly string[])] } });
    } else if (Array.isArray(value) && value.every((v) => Array.isArray(v))) {
      const range = (value as unknown as RangePairs).map((pair, i) => {
        if (pair.length !== 2) throw new InvalidArgumentError(`${where}[${i}]`, pair, 'a range is [begin, end]');
        return checkRange(`${where}[${i}]`, pair[0], pair[1]);
      });
      resources.push({ name, type: 'RANGES', ranges: { range } });
    } else {
      throw new InvalidArgumentError(where, value, 'unknown type: use a number, [[begin, end], …] or [item, …]');
    }
  }
  return { resources: addResources([], resources), rangeCounts };
}

/**
 * Validates a Mesos `Resource[]` (either the pre-refinement `role` format or the
 * `reservations[]` one, docs/protocol.md, "Resources") and returns it normalised: scalars rounded to
 * 3 decimals, equal identities merged, empty resources dropped. Identity fields pass through.
 * Throws InvalidArgumentError naming the field path and value.
 */
export function parseResourceList(list: unknown, field = 'resources'): Resource[] {
  if (!Array.isArray(list)) throw new InvalidArgumentError(field, list, 'must be an array of Mesos Resource objects');
  return addResources([], list.map((raw, i) => validateResource(raw, `${field}[${i}]`)));
}

/**
 * Parses the agent flag syntax `cpus:4;mem:4096;disk:10000;ports:[31000-32000];zones:{a,b}`
 * (docs/protocol.md, "Resources"), with an optional role per entry, `cpus(prod):2`, read as a STATIC
 * reservation; a text starting with `[` is the JSON array form. Repeated names add up.
 * Throws InvalidArgumentError naming the entry for malformed text.
 */
export function parseResourceFlags(text: string, field = 'resources'): Resource[] {
  if (typeof text !== 'string') throw new InvalidArgumentError(field, text, 'must be a string');
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch (error) {
      throw new InvalidArgumentError(field, text, `not a JSON array of resources: ${(error as Error).message}`);
    }
    return parseResourceList(json, field);
  }
  const resources: Resource[] = [];
  // Mesos tokenizes on ';' and skips empty tokens, so a trailing ';' is fine.
  for (const entry of trimmed.split(';').map((e) => e.trim()).filter((e) => e !== '')) {
    const m = /^([^:()\s]+)\s*(?:\(([^()]*)\))?\s*:\s*(.*)$/s.exec(entry);
    if (m === null) throw new InvalidArgumentError(field, entry, 'expected name:value or name(role):value');
    const name = m[1] as string;
    const role = (m[2] ?? '').trim();
    const value = (m[3] as string).trim();
    const where = `${field}.${name}`;
    const identity: Partial<Resource> = role === '' || role === '*' ? {} : { reservations: [{ type: 'STATIC', role }] };
    if (value.startsWith('[')) {
      if (!value.endsWith(']')) throw new InvalidArgumentError(where, value, "ranges must end with ']'");
      const inner = value.slice(1, -1).trim();
      const range = inner === '' ? [] : inner.split(',').map((part) => {
        const bounds = part.split('-').map((b) => b.trim());
        if (bounds.length !== 2 || !bounds.every((b) => /^\d+$/.test(b))) {
          throw new InvalidArgumentError(where, value, `bad range ${JSON.stringify(part.trim())}: expected begin-end`);
        }
        return checkRange(where, Number(bounds[0]), Number(bounds[1]));
      });
      resources.push({ name, type: 'RANGES', ranges: { range }, ...identity });
    } else if (value.startsWith('{')) {
      if (!value.endsWith('}')) throw new InvalidArgumentError(where, value, "sets must end with '}'");
      const item = value.slice(1, -1).split(',').map((s) => s.trim()).filter((s) => s !== '');
      resources.push({ name, type: 'SET', set: { item }, ...identity });
    } else {
      const number = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value) ? Number(value) : Number.NaN;
      if (Number.isNaN(number)) {
        throw new InvalidArgumentError(where, value, 'unknown type: expected a number, [begin-end,…] or {a,b}');
      }
      checkQuantity(where, number);
      resources.push({ name, type: 'SCALAR', scalar: { value: number }, ...identity });
    }
  }
  return addResources([], resources);
}

function validateResource(raw: unknown, field: string): Resource {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InvalidArgumentError(field, raw, 'must be a Resource object');
  }
  const r = raw as Record<string, unknown>;
  if (typeof r.name !== 'string' || r.name === '') throw new InvalidArgumentError(`${field}.name`, r.name, 'must be a non-empty string');
  if (r.role !== undefined && typeof r.role !== 'string') throw new InvalidArgumentError(`${field}.role`, r.role, 'must be a string');
  const base = { ...(r as unknown as Resource) };
  delete base.scalar;
  delete base.ranges;
  delete base.set;
  switch (r.type) {
    case 'SCALAR': {
      const value = (r.scalar as { value?: unknown } | undefined)?.value;
      if (typeof value !== 'number') throw new InvalidArgumentError(`${field}.scalar.value`, value, 'must be a number');
      checkQuantity(`${field}.scalar.value`, value);
      return { ...base, type: 'SCALAR', scalar: { value: fromMillis(toMillis(value)) } };
    }
    case 'RANGES': {
      const list = (r.ranges as { range?: unknown } | undefined)?.range ?? [];
      if (!Array.isArray(list)) throw new InvalidArgumentError(`${field}.ranges.range`, list, 'must be an array');
      const range = list.map((x: unknown, i) => {
        const { begin, end } = (x ?? {}) as { begin?: unknown; end?: unknown };
        return checkRange(`${field}.ranges.range[${i}]`, begin, end);
      });
      return { ...base, type: 'RANGES', ranges: { range } };
    }
    case 'SET': {
      const item = (r.set as { item?: unknown } | undefined)?.item ?? [];
      if (!Array.isArray(item) || !item.every((s) => typeof s === 'string')) {
        throw new InvalidArgumentError(`${field}.set.item`, item, 'must be an array of strings');
      }
      return { ...base, type: 'SET', set: { item: [...item] } };
    }
    default:
      throw new InvalidArgumentError(`${field}.type`, r.type, 'unknown resource type: expected SCALAR, RANGES or SET');
  }
}

function checkQuantity(field: string, value: number): void {
  if (!Number.isFinite(value)) throw new InvalidArgumentError(field, value, 'must be a finite number');
  if (value < 0) throw new InvalidArgumentError(field, value, 'must not be negative');
}

function checkRange(field: string, begin: unknown, end: unknown): { begin: number; end: number } {
  for (const [what, v] of [['begin', begin], ['end', end]] as const) {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
      throw new InvalidArgumentError(`${field}.${what}`, v, 'must be a non-negative integer');
    }
  }
  if ((begin as number) > (end as number)) {
    throw new InvalidArgumentError(field, `${String(begin)}-${String(end)}`, 'begin is greater than end');
  }
  return { begin: begin as number, end: end as number };
}
