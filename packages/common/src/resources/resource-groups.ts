import type { Range, Resource } from '../wire/mesos.js';
import { canonicalJson } from '../canonical-json.js';

/**
 * Internal normal form shared by arithmetic.ts and fit.ts: resources merged by identity
 * (name, type, role, allocation, reservations, disk, revocable, shared, provider), with
 * scalars as integer thousandths (Mesos stores Value.Scalar as fixed point with 3 decimals,
 * docs/protocol.md, "Resources"), ranges sorted and coalesced, sets deduplicated.
 */
export interface ResourceGroup {
  key: string;
  /** The first resource seen with this identity, minus its value: the identity written back out. */
  proto: Resource;
  type: 'SCALAR' | 'RANGES' | 'SET';
  millis: number;
  /** Sorted, disjoint, non-adjacent inclusive intervals. */
  ranges: [number, number][];
  items: Set<string>;
}

/** Mesos fixed-point scalar: 3 decimal digits (Value::Scalar, src/common/values.cpp). */
export function toMillis(value: number): number {
  return Math.round(value * 1000);
}

export function fromMillis(millis: number): number {
  return millis / 1000;
}

/** The identity a resource is merged under; role absent and `"*"` are both unreserved. */
export function identityKey(r: Resource): string {
  const reservations = r.reservations ?? (r.reservation ? [r.reservation] : []);
  const role = r.role ?? '*';
  const allocationRole = r.allocation_info?.role;
  const provider = r.provider_id?.value;
  // The common identity (no reservations, no disk, no NUL in its texts) is written as NUL-separated
  // text, fields absent as an empty `-` and present as `+text`: a few times cheaper than JSON, and
  // never equal to a JSON key below (those start with `[`). This runs for every resource of every
  // task a launch charges.
  if (
    reservations.length === 0 &&
    r.disk === undefined &&
    !r.name.includes('\0') &&
    !role.includes('\0') &&
    !(allocationRole?.includes('\0') ?? false) &&
    !(provider?.includes('\0') ?? false)
  ) {
    return `\0${r.name}\0${r.type}\0${role}\0${allocationRole === undefined ? '-' : `+${allocationRole}`}\0${r.revocable ? 1 : 0}${r.shared ? 1 : 0}\0${provider === undefined ? '-' : `+${provider}`}`;
  }
  return canonicalJson([r.name, r.type, role, allocationRole ?? null, reservations, r.disk ?? null, r.revocable ? 1 : 0, r.shared ? 1 : 0, provider ?? null]);
}

export function emptyGroup(r: Resource, key = identityKey(r)): ResourceGroup {
  const { scalar: _s, ranges: _r, set: _set, ...proto } = r;
  return { key, proto, type: r.type as ResourceGroup['type'], millis: 0, ranges: [], items: new Set() };
}

/** Merges already-validated resources into groups, in first-seen order. */
export function toGroups(resources: readonly Resource[]): Map<string, ResourceGroup> {
  const groups = new Map<string, ResourceGroup>();
  for (const r of resources) addInto(groups, r);
  return groups;
}

export function addInto(groups: Map<string, ResourceGroup>, r: Resource): void {
  const key = identityKey(r);
  let g = groups.get(key);
  if (g === undefined) {
    g = emptyGroup(r, key);
    groups.set(key, g);
  }
  switch (g.type) {
    case 'SCALAR':
      g.millis += toMillis(r.scalar?.value ?? 0);
      break;
    case 'RANGES':
      g.ranges = unionRanges(g.ranges, (r.ranges?.range ?? []).map((x) => [x.begin, x.end]));
      break;
    case 'SET':
      for (const item of r.set?.item ?? []) g.items.add(item);
      break;
  }
}

export function isEmptyGroup(g: ResourceGroup): boolean {
  return g.type === 'SCALAR' ? g.millis <= 0 : g.type === 'RANGES' ? g.ranges.length === 0 : g.items.size === 0;
}

/** Back to wire form; empty groups are dropped (Mesos drops zero-valued resources). */
export function fromGroups(groups: Iterable<ResourceGroup>): Resource[] {
  const out: Resource[] = [];
  for (const g of groups) {
    if (isEmptyGroup(g)) continue;
    out.push(groupToResource(g));
  }
  return out;
}

export function groupToResource(g: ResourceGroup): Resource {
  switch (g.type) {
    case 'SCALAR':
      return { ...g.proto, type: 'SCALAR', scalar: { value: fromMillis(g.millis) } };
    case 'RANGES':
      return { ...g.proto, type: 'RANGES', ranges: { range: g.ranges.map(([begin, end]): Range => ({ begin, end })) } };
    case 'SET':
      return { ...g.proto, type: 'SET', set: { item: [...g.items] } };
  }
}

/** Union of interval lists; the result is sorted and coalesced (adjacent intervals merge, as Mesos does). */
export function unionRanges(a: readonly [number, number][], b: readonly [number, number][]): [number, number][] {
  const all = [...a, ...b].sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const [begin, end] of all) {
    const last = out[out.length - 1];
    if (last !== undefined && begin <= last[1] + 1) last[1] = Math.max(last[1], end);
    else out.push([begin, end]);
  }
  return out;
}

/** `a` minus `b`; both sorted and coalesced. */
export function subtractRanges(a: readonly [number, number][], b: readonly [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  let j = 0;
  for (const [begin0, end] of a) {
    let begin = begin0;
    while (j < b.length && (b[j] as [number, number])[1] < begin) j++;
    let k = j;
    while (k < b.length && begin <= end) {
      const [cb, ce] = b[k] as [number, number];
      if (cb > end) break;
      if (cb > begin) out.push([begin, cb - 1]);
      begin = Math.max(begin, ce + 1);
      k++;
    }
    if (begin <= end) out.push([begin, end]);
  }
  return out;
}

/** True if every value of `want` is in `have`; both sorted and coalesced. */
export function rangesContain(have: readonly [number, number][], want: readonly [number, number][]): boolean {
  let i = 0;
  for (const [begin, end] of want) {
    while (i < have.length && (have[i] as [number, number])[1] < begin) i++;
    const h = have[i];
    if (h === undefined || h[0] > begin || h[1] < end) return false;
  }
  return true;
}

export function rangesSize(ranges: readonly [number, number][]): number {
  let n = 0;
  for (const [b, e] of ranges) n += e - b + 1;
  return n;
}
