import type { Range, Resource } from '../wire/mesos.js';
import {
  fromGroups,
  fromMillis,
  isEmptyGroup,
  rangesContain,
  subtractRanges,
  toGroups,
  toMillis,
  unionRanges,
  type ResourceGroup,
} from './resource-groups.js';

/*
 * Arithmetic on Mesos Resource[] (docs/protocol.md, "Resources"), after Mesos' own Resources class:
 * resources are grouped by identity — name, type, role (absent = "*"), allocation role,
 * reservations, disk, revocable, shared, provider — and only equal identities add, subtract
 * or contain each other. Scalars are fixed point with 3 decimals (so 0.1 + 0.2 == 0.3).
 * Inputs must be valid resources (parseResourceList / parseResourceFlags check user input);
 * every result is a new, normalised array: one entry per identity, ranges sorted and
 * coalesced, set items deduplicated, empty resources dropped.
 */

/** The sum `a + b`, grouped by identity. */
export function addResources(a: readonly Resource[], b: readonly Resource[]): Resource[] {
  return fromGroups(toGroups([...a, ...b]).values());
}

/**
 * `a - b`, saturating like Mesos: what `b` has beyond `a` (another identity, more of a scalar,
 * ports `a` lacks) is ignored, so the result never goes negative.
 */
export function subtractResources(a: readonly Resource[], b: readonly Resource[]): Resource[] {
  const have = toGroups(a);
  subtractFrom(have, b);
  return fromGroups(have.values());
}

/** True if `want` fits in `have` identity by identity (Mesos `Resources::contains`). */
export function resourcesContain(have: readonly Resource[], want: readonly Resource[]): boolean {
  return groupsContain(toGroups(have), want);
}

/**
 * What is left of some resources while many requests are checked against it and taken from it
 * one after another (the tasks of one ACCEPT against its offers): grouped once, not at every
 * step. `contains` and `subtract` are resourcesContain and subtractResources on the balance.
 */
export class ResourceBalance {
  readonly #groups: Map<string, ResourceGroup>;

  constructor(resources: readonly Resource[]) {
    this.#groups = toGroups(resources);
  }

  contains(want: readonly Resource[]): boolean {
    return groupsContain(this.#groups, want);
  }

  subtract(b: readonly Resource[]): void {
    subtractFrom(this.#groups, b);
  }

  /** What is left, normalised as subtractResources returns it. */
  resources(): Resource[] {
    return fromGroups(this.#groups.values());
  }
}

/** Takes `b` from `have` in place, saturating (see subtractResources). */
function subtractFrom(have: Map<string, ResourceGroup>, b: readonly Resource[]): void {
  for (const g of toGroups(b).values()) {
    const h = have.get(g.key);
    if (h === undefined) continue;
    switch (h.type) {
      case 'SCALAR':
        h.millis = Math.max(0, h.millis - g.millis);
        break;
      case 'RANGES':
        h.ranges = subtractRanges(h.ranges, g.ranges);
        break;
      case 'SET':
        for (const item of g.items) h.items.delete(item);
        break;
    }
  }
}

/** True if `want` fits in the groups `h` (an emptied group holds nothing, as a dropped one). */
function groupsContain(h: Map<string, ResourceGroup>, want: readonly Resource[]): boolean {
  for (const w of toGroups(want).values()) {
    if (isEmptyGroup(w)) continue;
    const g = h.get(w.key);
    if (g === undefined) return false;
    switch (g.type) {
      case 'SCALAR':
        if (g.millis < w.millis) return false;
        break;
      case 'RANGES':
        if (!rangesContain(g.ranges, w.ranges)) return false;
        break;
      case 'SET':
        for (const item of w.items) if (!g.items.has(item)) return false;
        break;
    }
  }
  return true;
}

/** True if nothing is left: no resource with a positive scalar, a range or a set item. */
export function isEmptyResources(resources: readonly Resource[]): boolean {
  for (const g of toGroups(resources).values()) if (!isEmptyGroup(g)) return false;
  return true;
}

/** Sum of the scalar resource `name` over all identities (0 if absent), with 3-decimal rounding. */
export function scalarOf(resources: readonly Resource[], name: string): number {
  let millis = 0;
  for (const r of resources) if (r.name === name && r.type === 'SCALAR') millis += toMillis(r.scalar?.value ?? 0);
  return fromMillis(millis);
}

/** Union of the ranges resource `name` over all identities, sorted and coalesced. */
export function rangesOf(resources: readonly Resource[], name: string): Range[] {
  let ranges: [number, number][] = [];
  for (const r of resources) {
    if (r.name !== name || r.type !== 'RANGES') continue;
    ranges = unionRanges(ranges, (r.ranges?.range ?? []).map((x) => [x.begin, x.end]));
  }
  return ranges.map(([begin, end]) => ({ begin, end }));
}

/**
 * A one-line-per-name summary for logs, all identities merged: scalars as numbers, ranges in
 * flag syntax (`"[31000-31010,32000-32000]"`), sets as `"{a,b}"`.
 * E.g. `{ cpus: 0.5, mem: 128, ports: "[31000-31001]" }`.
 */
export function toResourceMap(resources: readonly Resource[]): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  const names = [...new Set(resources.map((r) => r.name))];
  for (const name of names) {
    const ofName = resources.filter((r) => r.name === name);
    const type = ofName[0]?.type;
    if (type === 'SCALAR') out[name] = scalarOf(ofName, name);
    else if (type === 'RANGES') out[name] = `[${rangesOf(ofName, name).map((r) => `${r.begin}-${r.end}`).join(',')}]`;
    else if (type === 'SET') out[name] = `{${[...new Set(ofName.flatMap((r) => r.set?.item ?? []))].join(',')}}`;
  }
  return out;
}
