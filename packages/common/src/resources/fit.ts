import type { Resource } from '../wire/mesos.js';
import { subtractResources } from './arithmetic.js';
import type { ResourceRequest } from './parse.js';
import {
  emptyGroup,
  fromGroups,
  subtractRanges,
  toGroups,
  unionRanges,
  type ResourceGroup,
} from './resource-groups.js';

/** What `allocate` took, with the identities (role, reservations, allocation) of the offer. */
export interface Allocation {
  /** Resources to put in the TaskInfo: carved out of `have`, so Mesos accepts them. */
  allocated: Resource[];
  /** `have` minus `allocated`. */
  remaining: Resource[];
}

/**
 * Carves `want` out of `have` (usually one offer's resources). `want` carries no identity, so
 * it may come from any reservation of `have`, but all of it from resources allocated to one
 * role (Mesos refuses a task whose resources span allocation roles; docs/protocol.md, "Resources").
 * Ranges counts take the lowest free values (`{ ports: 2 }` → the two lowest offered ports).
 * Returns undefined if it does not fit; never throws for valid inputs.
 */
export function allocate(have: readonly Resource[], want: ResourceRequest | readonly Resource[]): Allocation | undefined {
  const request: ResourceRequest = isRequest(want) ? want : { resources: [...want], rangeCounts: {} };
  const groups = [...toGroups(have).values()];
  const roles = [...new Set(groups.map(allocationRole))];
  for (const role of roles) {
    const taken = allocateIn(groups.filter((g) => allocationRole(g) === role).map(cloneGroup), request);
    if (taken !== undefined) {
      const allocated = fromGroups(taken);
      return { allocated, remaining: subtractResources(have, allocated) };
    }
  }
  // Nothing asked for: fits, and takes nothing (also when `have` is empty).
  if (isEmptyRequest(request)) return { allocated: [], remaining: subtractResources(have, []) };
  return undefined;
}

/** True if `allocate(have, want)` would succeed. */
export function fits(have: readonly Resource[], want: ResourceRequest | readonly Resource[]): boolean {
  return allocate(have, want) !== undefined;
}

/**
 * All or nothing: allocates every request in order from what the previous ones left.
 * Returns undefined (and takes nothing) unless all of them fit.
 */
export function allocateAll(
  have: readonly Resource[],
  wants: readonly (ResourceRequest | readonly Resource[])[],
): { allocations: Resource[][]; remaining: Resource[] } | undefined {
  let remaining: Resource[] = [...have];
  const allocations: Resource[][] = [];
  for (const want of wants) {
    const a = allocate(remaining, want);
    if (a === undefined) return undefined;
    allocations.push(a.allocated);
    remaining = a.remaining;
  }
  return { allocations, remaining };
}

function isRequest(want: ResourceRequest | readonly Resource[]): want is ResourceRequest {
  return !Array.isArray(want);
}

function isEmptyRequest(request: ResourceRequest): boolean {
  return fromGroups(toGroups(request.resources).values()).length === 0 && Object.values(request.rangeCounts).every((n) => n === 0);
}

function allocationRole(g: ResourceGroup): string {
  return g.proto.allocation_info?.role ?? '';
}

function cloneGroup(g: ResourceGroup): ResourceGroup {
  return { ...g, ranges: g.ranges.map(([b, e]) => [b, e]), items: new Set(g.items) };
}

/** Takes `request` from `pool` (mutated), returning the taken groups or undefined. */
function allocateIn(pool: ResourceGroup[], request: ResourceRequest): ResourceGroup[] | undefined {
  const taken = new Map<string, ResourceGroup>();
  const takeFrom = (g: ResourceGroup): ResourceGroup => {
    let t = taken.get(g.key);
    if (t === undefined) {
      t = emptyGroup({ ...g.proto, type: g.type }, g.key);
      taken.set(g.key, t);
    }
    return t;
  };
  for (const w of toGroups(request.resources).values()) {
    const candidates = pool.filter((g) => g.proto.name === w.proto.name && g.type === w.type);
    switch (w.type) {
      case 'SCALAR': {
        let need = w.millis;
        for (const c of candidates) {
          const t = Math.min(c.millis, need);
          if (t <= 0) continue;
          c.millis -= t;
          takeFrom(c).millis += t;
          need -= t;
        }
        if (need > 0) return undefined;
        break;
      }
      case 'RANGES': {
        let need = w.ranges;
        for (const c of candidates) {
          const common = subtractRanges(need, subtractRanges(need, c.ranges));
          if (common.length === 0) continue;
          c.ranges = subtractRanges(c.ranges, common);
          const t = takeFrom(c);
          t.ranges = unionRanges(t.ranges, common);
          need = subtractRanges(need, common);
        }
        if (need.length > 0) return undefined;
        break;
      }
      case 'SET': {
        const need = new Set(w.items);
        for (const c of candidates) {
          for (const item of [...need]) {
            if (!c.items.has(item)) continue;
            c.items.delete(item);
            takeFrom(c).items.add(item);
            need.delete(item);
          }
        }
        if (need.size > 0) return undefined;
        break;
      }
    }
  }
  for (const [name, count] of Object.entries(request.rangeCounts)) {
    if (!takeLowest(pool, name, count, takeFrom)) return undefined;
  }
  return [...taken.values()];
}

/** Takes the `count` lowest values of ranges resource `name` across the pool. */
function takeLowest(pool: ResourceGroup[], name: string, count: number, takeFrom: (g: ResourceGroup) => ResourceGroup): boolean {
  const intervals = pool
    .filter((g) => g.proto.name === name && g.type === 'RANGES')
    .flatMap((g) => g.ranges.map(([begin, end]) => ({ g, begin, end })))
    .sort((a, b) => a.begin - b.begin);
  let need = count;
  for (const { g, begin, end } of intervals) {
    if (need <= 0) break;
    const last = Math.min(end, begin + need - 1);
    // Another identity may hold the same numbers; take only what this group still has.
    const piece = subtractRanges([[begin, last]], subtractRanges([[begin, last]], g.ranges));
    if (piece.length === 0) continue;
    g.ranges = subtractRanges(g.ranges, piece);
    const t = takeFrom(g);
    t.ranges = unionRanges(t.ranges, piece);
    for (const [b, e] of piece) need -= e - b + 1;
  }
  return need <= 0;
}
