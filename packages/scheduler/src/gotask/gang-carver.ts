/**
 * Turns a bin's numeric placements back into Mesos Resource[] for TaskInfos and ExecutorInfos,
 * carved out of the agent's offered resources with their identities (role, reservations,
 * allocation), so that Mesos accepts them (docs/protocol.md, "Resources", "Launch validation"). Scalars come from
 * the offered resources in order, ranges take the lowest free values first.
 *
 * Runs of identical copies share frozen objects: one Resource per (identity, amount) and one
 * array per run of equal pieces, across agents too when their identities are plain (name, type,
 * role only). 100 000 tasks must not cost 300 000 fresh objects; only tasks with ranges (each
 * has its own ports) get their own array.
 */
import type { Range, Resource } from '@mesosgot/common/internal';
import { toMillis, type Dimensions } from './gang-bins.js';
import { ResourceIdentities, type Identity } from './gang-identities.js';
import type { Demand } from './gang-shapes.js';

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

/*
 * Buffers below are reused from bin to bin with explicit counts: `array.length = 0` drops an
 * array's backing store, so refilling it would allocate again, 10 000 times per plan.
 */
export class BinCarver {
  /** Per scalar dimension: the bin's pools in offer order (the first `poolCount[d]` are live). */
  private readonly scalarPools: ScalarPool[][];
  private readonly poolCount: number[];
  private readonly poolCursor: number[];
  /** Per ranged dimension: the bin's intervals sorted by begin (the first `intervalCount[d]` are live), and their pools. */
  private readonly intervals: Interval[][];
  private readonly intervalCount: number[];
  private readonly rangePools: RangePool[][];
  private readonly rangePoolCount: number[];
  private readonly intervalCursor: number[];
  private readonly nextValue: number[];
  private readonly identities = new ResourceIdentities();
  /** The last frozen scalar array handed out per key (shape), reused while the pieces repeat. */
  private readonly lastShared: (readonly Resource[] | undefined)[] = [];
  private readonly scratch: Resource[] = [];
  private scratchLength = 0;
  private readonly touched: RangePool[] = [];
  private readonly ranged: Resource[] = [];
  /** Per key: shared arrays of `scalars` plus one range piece, valid while `scalars` stays the same. */
  private readonly rangedShared: ({ scalars: readonly Resource[]; arrays: Map<Resource, readonly Resource[]> } | undefined)[] = [];
  private readonly results: Resource[][] = [];

  constructor(private readonly dims: Dimensions) {
    this.scalarPools = dims.scalars.map(() => []);
    this.poolCount = dims.scalars.map(() => 0);
    this.poolCursor = dims.scalars.map(() => 0);
    this.intervals = dims.ranged.map(() => []);
    this.intervalCount = dims.ranged.map(() => 0);
    this.rangePools = dims.ranged.map(() => []);
    this.rangePoolCount = dims.ranged.map(() => 0);
    this.intervalCursor = dims.ranged.map(() => 0);
    this.nextValue = dims.ranged.map(() => 0);
  }

  /** Starts carving a new bin holding `resources`. */
  load(resources: readonly Resource[]): void {
    const dims = this.dims;
    this.poolCount.fill(0);
    this.poolCursor.fill(0);
    this.intervalCount.fill(0);
    this.rangePoolCount.fill(0);
    this.intervalCursor.fill(0);
    for (let i = 0; i < resources.length; i++) {
      const r = resources[i]!;
      if (r.type === 'SCALAR') {
        const d = dims.scalars.indexOf(r.name);
        const millis = toMillis(r.scalar?.value ?? 0);
        if (d < 0 || millis <= 0) continue;
        const pools = this.scalarPools[d]!;
        const n = this.poolCount[d]!++;
        const pool = pools[n];
        if (pool === undefined) pools.push({ identity: this.identities.of(r, d), millis });
        else {
          pool.identity = this.identities.of(r, d);
          pool.millis = millis;
        }
      } else if (r.type === 'RANGES') {
        const d = dims.ranged.indexOf(r.name);
        if (d >= 0) this.addRanges(d, r);
      }
    }
    for (let d = 0; d < this.intervals.length; d++) {
      const list = this.intervals[d]!;
      const n = this.intervalCount[d]!;
      if (n > 1) sortIntervals(list, n);
      this.nextValue[d] = n > 0 ? list[0]!.begin : 0;
    }
  }

  private addRanges(d: number, r: Resource): void {
    const pools = this.rangePools[d]!;
    const p = this.rangePoolCount[d]!++;
    let pool = pools[p];
    const slot = this.dims.scalars.length + d;
    if (pool === undefined) pools.push((pool = { identity: this.identities.of(r, slot), active: false, begin: 0, end: 0, more: undefined }));
    else pool.identity = this.identities.of(r, slot);
    const list = this.intervals[d]!;
    for (const x of r.ranges?.range ?? []) {
      if (x.end < x.begin) continue;
      const n = this.intervalCount[d]!++;
      const iv = list[n];
      if (iv === undefined) list.push({ begin: x.begin, end: x.end, pool });
      else {
        iv.begin = x.begin;
        iv.end = x.end;
        iv.pool = pool;
      }
    }
  }

  /**
   * Carves `copies` copies of `demand` (already charged to this bin, so they fit) and returns
   * their Resource[] in order: the first `copies` items of the returned list, which is reused
   * by the next call (the arrays in it are the caller's to keep). `key` (≥ 0, small) names the
   * shape, for sharing arrays.
   */
  carveRun(demand: Demand, key: number, copies: number): readonly Resource[][] {
    const out = this.results;
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
        this.scratchLength = 0;
        for (let d = 0; d < demand.millis.length; d++) {
          const need = demand.millis[d]!;
          if (need === 0) continue;
          const pool = this.scalarPools[d]![this.poolCursor[d]!]!;
          this.scratch[this.scratchLength++] = this.identities.piece(pool.identity, need);
          pool.millis -= need * k;
          if (pool.millis === 0) this.poolCursor[d]!++;
        }
        scalars = this.share(key);
      }
      for (let i = 0; i < k; i++, c++) out[c] = hasRanges ? this.withRanges(scalars, demand, key) : (scalars as Resource[]);
    }
    return out;
  }

  /** One copy's scalars when some pool runs out inside it: the copy spans pools. */
  private carveSplitScalars(demand: Demand): void {
    this.scratchLength = 0;
    for (let d = 0; d < demand.millis.length; d++) {
      let need = demand.millis[d]!;
      const pools = this.scalarPools[d]!;
      while (need > 0) {
        const pool = pools[this.poolCursor[d]!]!;
        const take = Math.min(pool.millis, need);
        this.scratch[this.scratchLength++] = this.identities.piece(pool.identity, take);
        pool.millis -= take;
        need -= take;
        if (pool.millis === 0) this.poolCursor[d]!++;
      }
    }
  }

  /** `scratch` as a frozen array, the same one as last time for `key` if the pieces repeat. */
  private share(key: number): readonly Resource[] {
    const scratch = this.scratch;
    const n = this.scratchLength;
    const last = this.lastShared[key];
    if (last !== undefined && sameItems(last, scratch, n)) return last;
    const fresh: Resource[] = [];
    for (let i = 0; i < n; i++) fresh.push(scratch[i]!);
    Object.freeze(fresh);
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
    let rangedCount = 0;
    let shareable = true;
    for (let d = 0; d < demand.counts.length; d++) {
      let need = demand.counts[d]!;
      if (need === 0) continue;
      const list = this.intervals[d]!;
      const touched = this.touched;
      let touchedCount = 0;
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
          touched[touchedCount++] = pool;
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
          const next = ++this.intervalCursor[d]!;
          this.nextValue[d] = next < this.intervalCount[d]! ? list[next]!.begin : 0;
        } else {
          this.nextValue[d] = to + 1;
        }
      }
      for (let t = 0; t < touchedCount; t++) {
        const pool = touched[t]!;
        pool.active = false;
        if (pool.more === undefined) {
          ranged[rangedCount++] = this.identities.rangePiece(pool.identity, pool.begin, pool.end);
        } else {
          ranged[rangedCount++] = { ...pool.identity.proto, ranges: { range: pool.more } };
          shareable = false;
        }
      }
    }
    if (shareable && rangedCount === 1) {
      let cache = this.rangedShared[key];
      if (cache === undefined || cache.scalars !== scalars) this.rangedShared[key] = cache = { scalars, arrays: new Map() };
      let shared = cache.arrays.get(ranged[0]!);
      if (shared === undefined) {
        shared = Object.freeze(concat(scalars, ranged, 1));
        cache.arrays.set(ranged[0]!, shared);
      }
      return shared as Resource[];
    }
    return concat(scalars, ranged, rangedCount);
  }
}

/** floor(a / b) for non-negative integers, exact even where the float quotient rounds up. */
export function quotient(a: number, b: number): number {
  let q = Math.floor(a / b);
  if (q * b > a) q--;
  else if ((q + 1) * b <= a) q++;
  return q;
}

/** `a` then the first `n` items of `b` in a new array (a plain loop: slice() and concat() of frozen arrays are slow). */
function concat(a: readonly Resource[], b: readonly Resource[], n: number): Resource[] {
  const out: Resource[] = [];
  for (let i = 0; i < a.length; i++) out.push(a[i]!);
  for (let i = 0; i < n; i++) out.push(b[i]!);
  return out;
}

/** True if `a` holds exactly the first `n` items of `b`. */
function sameItems(a: readonly Resource[], b: readonly Resource[], n: number): boolean {
  if (a.length !== n) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Insertion sort of the first `n` intervals by begin (a bin has a handful). */
function sortIntervals(list: Interval[], n: number): void {
  for (let i = 1; i < n; i++) {
    const iv = list[i]!;
    let j = i - 1;
    for (; j >= 0 && list[j]!.begin > iv.begin; j--) list[j + 1] = list[j]!;
    list[j + 1] = iv;
  }
}
