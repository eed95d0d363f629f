/**
 * Turns a bin's numeric placements back into Mesos Resource[] for TaskInfos and ExecutorInfos,
 * carved out of the agent's offered resources with their identities (role, reservations,
 * allocation), so that Mesos accepts them (mesos-v1-protocol.md §4, §6.6). Scalars come from
 * the offered resources in order, ranges take the lowest free values first.
 *
 * Runs of identical copies share frozen objects: one Resource per (identity, amount) and one
 * array per run of equal pieces, across agents too when their identities are plain (name, type,
 * role only). 100 000 tasks must not cost 300 000 fresh objects; only tasks with ranges (each
 * has its own ports) get their own array.
 */
import type { Range, Resource } from '@mesosgot/common';
import { toMillis, type Dimensions } from './gang-bins.js';
import type { Demand } from './gang-shapes.js';

/** A resource identity (the offered resource minus its value), with its carved pieces by amount. */
interface Identity {
  proto: Resource;
  pieces: Map<number, Resource> | undefined;
  /** Single-interval range pieces by first value (the last one made for that value). */
  ranges: Map<number, Resource> | undefined;
}
interface ScalarPool {
  identity: Identity;
  millis: number;
}
interface RangePool {
  identity: Identity;
  /** The copy being carved took values here: begin…end, or the intervals in `more`. */
  active: boolean;
  begin: number;
  end: number;
  more: Range[] | undefined;
}
interface Interval {
  begin: number;
  end: number;
  pool: RangePool;
}

export class BinCarver {
  private readonly scalarPools: ScalarPool[][];
  private readonly poolCursor: number[];
  private readonly intervals: Interval[][];
  private readonly intervalCursor: number[];
  private readonly nextValue: number[];
  /** Identities of plain resources by name, then role: shared by all bins of one plan. */
  private readonly plain = new Map<string, Map<string | undefined, Identity>>();
  /** The last frozen scalar array handed out per key (shape), reused while the pieces repeat. */
  private readonly lastShared: (readonly Resource[] | undefined)[] = [];
  private readonly scratch: Resource[] = [];
  private readonly touched: RangePool[] = [];
  private readonly ranged: Resource[] = [];
  /** Per key: shared arrays of `scalars` plus one range piece, valid while `scalars` stays the same. */
  private readonly rangedShared: ({ scalars: readonly Resource[]; arrays: Map<Resource, readonly Resource[]> } | undefined)[] = [];
  private readonly results: Resource[][] = [];

  constructor(private readonly dims: Dimensions) {
    this.scalarPools = dims.scalars.map(() => []);
    this.poolCursor = dims.scalars.map(() => 0);
    this.intervals = dims.ranged.map(() => []);
    this.intervalCursor = dims.ranged.map(() => 0);
    this.nextValue = dims.ranged.map(() => 0);
  }

  /** Starts carving a new bin holding `resources`. */
  load(resources: readonly Resource[]): void {
    const dims = this.dims;
    for (const pools of this.scalarPools) pools.length = 0;
    for (const list of this.intervals) list.length = 0;
    this.poolCursor.fill(0);
    this.intervalCursor.fill(0);
    for (const r of resources) {
      if (r.type === 'SCALAR') {
        const d = dims.scalars.indexOf(r.name);
        const millis = toMillis(r.scalar?.value ?? 0);
        if (d >= 0 && millis > 0) this.scalarPools[d]!.push({ identity: this.identityOf(r), millis });
      } else if (r.type === 'RANGES') {
        const d = dims.ranged.indexOf(r.name);
        if (d < 0) continue;
        const pool: RangePool = { identity: this.identityOf(r), active: false, begin: 0, end: 0, more: undefined };
        for (const x of r.ranges?.range ?? []) if (x.end >= x.begin) this.intervals[d]!.push({ begin: x.begin, end: x.end, pool });
      }
    }
    for (let d = 0; d < this.intervals.length; d++) {
      const list = this.intervals[d]!;
      if (list.length > 1) list.sort((a, b) => a.begin - b.begin);
      this.nextValue[d] = list.length > 0 ? list[0]!.begin : 0;
    }
  }

  /**
   * Carves `copies` copies of `demand` (already charged to this bin, so they fit) and returns
   * their Resource[] in order. `key` (≥ 0, small) names the shape, for sharing arrays. The
   * returned list is reused by the next call; the arrays in it are the caller's to keep.
   */
  carveRun(demand: Demand, key: number, copies: number): readonly Resource[][] {
    const out = this.results;
    out.length = 0;
    let hasRanges = false;
    for (const n of demand.counts) if (n > 0) hasRanges = true;
    let c = 0;
    while (c < copies) {
      // How many copies take their scalars from the current pools without spilling into the next.
      let k = copies - c;
      for (let d = 0; d < demand.millis.length && k > 0; d++) {
        const need = demand.millis[d]!;
        if (need > 0) k = Math.min(k, quotient(this.scalarPools[d]![this.poolCursor[d]!]!.millis, need));
      }
      let scalars: readonly Resource[];
      if (k === 0) {
        this.carveSplitScalars(demand);
        scalars = this.share(key);
        k = 1;
      } else {
        const scratch = this.scratch;
        scratch.length = 0;
        for (let d = 0; d < demand.millis.length; d++) {
          const need = demand.millis[d]!;
          if (need === 0) continue;
          const pool = this.scalarPools[d]![this.poolCursor[d]!]!;
          scratch.push(this.piece(pool.identity, need));
          pool.millis -= need * k;
          if (pool.millis === 0) this.poolCursor[d]!++;
        }
        scalars = this.share(key);
      }
      for (let i = 0; i < k; i++) out.push(hasRanges ? this.withRanges(scalars, demand, key) : (scalars as Resource[]));
      c += k;
    }
    return out;
  }

  /** One copy's scalars when some pool runs out inside it: the copy spans pools. */
  private carveSplitScalars(demand: Demand): void {
    const scratch = this.scratch;
    scratch.length = 0;
    for (let d = 0; d < demand.millis.length; d++) {
      let need = demand.millis[d]!;
      const pools = this.scalarPools[d]!;
      while (need > 0) {
        const pool = pools[this.poolCursor[d]!]!;
        const take = Math.min(pool.millis, need);
        scratch.push(this.piece(pool.identity, take));
        pool.millis -= take;
        need -= take;
        if (pool.millis === 0) this.poolCursor[d]!++;
      }
    }
  }

  /** `scratch` as a frozen array, the same one as last time for `key` if the pieces repeat. */
  private share(key: number): readonly Resource[] {
    const scratch = this.scratch;
    const last = this.lastShared[key];
    if (last !== undefined && sameItems(last, scratch)) return last;
    const fresh = Object.freeze(scratch.slice());
    this.lastShared[key] = fresh;
    return fresh;
  }

  /**
   * `scalars` plus this copy's range values, lowest free first; one Resource per pool touched.
   * A copy whose values are one interval of one pool (the usual single port) gets a shared
   * frozen array: agents offering the same ports with the same identity hand out the same one.
   */
  private withRanges(scalars: readonly Resource[], demand: Demand, key: number): Resource[] {
    const ranged = this.ranged;
    ranged.length = 0;
    let shareable = true;
    for (let d = 0; d < demand.counts.length; d++) {
      let need = demand.counts[d]!;
      if (need === 0) continue;
      const list = this.intervals[d]!;
      const touched = this.touched;
      touched.length = 0;
      while (need > 0) {
        const iv = list[this.intervalCursor[d]!]!;
        const from = this.nextValue[d]!;
        const to = Math.min(iv.end, from + need - 1);
        const pool = iv.pool;
        if (!pool.active) {
          pool.active = true;
          pool.begin = from;
          pool.end = to;
          pool.more = undefined;
          touched.push(pool);
        } else if (pool.more === undefined && pool.end + 1 === from) {
          pool.end = to;
        } else {
          pool.more ??= [{ begin: pool.begin, end: pool.end }];
          const last = pool.more[pool.more.length - 1]!;
          if (last.end + 1 === from) last.end = to;
          else pool.more.push({ begin: from, end: to });
        }
        need -= to - from + 1;
        if (to === iv.end) {
          const next = list[++this.intervalCursor[d]!];
          this.nextValue[d] = next ? next.begin : 0;
        } else {
          this.nextValue[d] = to + 1;
        }
      }
      for (const pool of touched) {
        pool.active = false;
        if (pool.more === undefined) {
          ranged.push(this.rangePiece(pool.identity, pool.begin, pool.end));
        } else {
          ranged.push({ ...pool.identity.proto, ranges: { range: pool.more } });
          shareable = false;
        }
      }
    }
    if (shareable && ranged.length === 1) {
      let cache = this.rangedShared[key];
      if (cache === undefined || cache.scalars !== scalars) this.rangedShared[key] = cache = { scalars, arrays: new Map() };
      let shared = cache.arrays.get(ranged[0]!);
      if (shared === undefined) {
        shared = Object.freeze(concat(scalars, ranged));
        cache.arrays.set(ranged[0]!, shared);
      }
      return shared as Resource[];
    }
    return concat(scalars, ranged);
  }

  /** The frozen Resource for the values begin…end of `identity`. */
  private rangePiece(identity: Identity, begin: number, end: number): Resource {
    identity.ranges ??= new Map();
    let r = identity.ranges.get(begin);
    if (r === undefined || r.ranges?.range?.[0]?.end !== end) {
      r = Object.freeze({ ...identity.proto, ranges: Object.freeze({ range: Object.freeze([Object.freeze({ begin, end })]) as Range[] }) });
      identity.ranges.set(begin, r);
    }
    return r;
  }

  /** The frozen Resource for `millis` thousandths of `identity`. */
  private piece(identity: Identity, millis: number): Resource {
    identity.pieces ??= new Map();
    let r = identity.pieces.get(millis);
    if (r === undefined) {
      r = Object.freeze({ ...identity.proto, scalar: Object.freeze({ value: millis / 1000 }) });
      identity.pieces.set(millis, r);
    }
    return r;
  }

  /** A resource's identity (name, type, role, reservations, allocation…) without its value. */
  private identityOf(r: Resource): Identity {
    if (
      r.allocation_info === undefined && r.reservation === undefined && r.reservations === undefined && r.disk === undefined &&
      r.revocable === undefined && r.shared === undefined && r.provider_id === undefined
    ) {
      // The common case, unreserved with no extras: one identity per (name, role) for the plan.
      let byRole = this.plain.get(r.name);
      if (byRole === undefined) this.plain.set(r.name, (byRole = new Map()));
      let identity = byRole.get(r.role);
      if (identity === undefined || identity.proto.type !== r.type) {
        const proto: Resource = r.role === undefined ? { name: r.name, type: r.type } : { name: r.name, type: r.type, role: r.role };
        identity = { proto, pieces: undefined, ranges: undefined };
        if (!byRole.has(r.role)) byRole.set(r.role, identity);
      }
      return identity;
    }
    // Field by field rather than a rest-spread, so the value and unknown fields stay behind.
    const proto: Resource = { name: r.name, type: r.type };
    if (r.role !== undefined) proto.role = r.role;
    if (r.allocation_info !== undefined) proto.allocation_info = r.allocation_info;
    if (r.reservation !== undefined) proto.reservation = r.reservation;
    if (r.reservations !== undefined) proto.reservations = r.reservations;
    if (r.disk !== undefined) proto.disk = r.disk;
    if (r.revocable !== undefined) proto.revocable = r.revocable;
    if (r.shared !== undefined) proto.shared = r.shared;
    if (r.provider_id !== undefined) proto.provider_id = r.provider_id;
    return { proto, pieces: undefined, ranges: undefined };
  }
}

/** floor(a / b) for non-negative integers, exact even where the float quotient rounds up. */
export function quotient(a: number, b: number): number {
  let q = Math.floor(a / b);
  if (q * b > a) q--;
  else if ((q + 1) * b <= a) q++;
  return q;
}

/** `a` then `b` in a new array (a plain loop: slice() and concat() of frozen arrays are slow). */
function concat(a: readonly Resource[], b: readonly Resource[]): Resource[] {
  const out: Resource[] = [];
  for (let i = 0; i < a.length; i++) out.push(a[i]!);
  for (let i = 0; i < b.length; i++) out.push(b[i]!);
  return out;
}

function sameItems(a: readonly Resource[], b: readonly Resource[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
