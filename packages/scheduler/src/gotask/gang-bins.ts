/**
 * The gang allocator's model of one agent's offered resources (a "bin"): numeric free totals
 * per dimension for fast packing, and the identity pools (role, reservations, allocation) the
 * totals came from, so that placed tasks get Resource[] that Mesos accepts (same identities as
 * the offer, mesos-v1-protocol.md §4, §6.6). Scalars are integer thousandths, as Mesos stores them.
 */
import type { Offer, OfferID, Range, Resource } from '@mesosgot/common';

/** Scalar names and ranged-count names that some request uses, in a fixed order. */
export interface Dimensions {
  scalars: string[];
  ranged: string[];
}

/** A request in dimension form: thousandths per scalar dimension, values per ranged dimension. */
export interface Demand {
  millis: number[];
  counts: number[];
}

interface ScalarPool {
  proto: Resource;
  millis: number;
  /** The last Resource carved from this pool, reused while the amount repeats (copies of a shape). */
  last: Resource | undefined;
}
interface RangePool {
  proto: Resource;
  /** Where this pool's values land for the resource being carved (reset per carve). */
  taken: Range[];
}
/** One free interval of a ranged resource, tagged with its pool, sorted by begin. */
interface Interval {
  begin: number;
  end: number;
  pool: RangePool;
}

export function toMillis(value: number): number {
  return Math.round(value * 1000);
}

export class Bin {
  readonly offerIds: OfferID[] = [];
  hostname = '';
  /** Offered resources not yet taken by special (exact-value) placements. */
  resources: Resource[] = [];
  /** Our executor already runs here: it costs nothing more (resources counted when new, §4 ExecutorInfo). */
  executorRunning = false;
  /** Something is placed here, so the executor (if new) is already charged. */
  opened = false;
  // ---- numeric model (built by index()) ----
  free: number[] = [];
  freeCounts: number[] = [];
  private scalarPools: ScalarPool[][] = [];
  private poolCursor: number[] = [];
  private intervals: Interval[][] = [];
  private intervalCursor: number[] = [];
  private nextValue: number[] = [];
  /** The last range-free Resource[] carved, shared by identical next carves. */
  private lastCarved: Resource[] | undefined;
  /** Reused buffer of carve(). */
  private readonly scratch: Resource[] = [];

  constructor(readonly agentId: string) {}

  addOffer(offer: Offer, executorId: string | undefined): void {
    this.offerIds.push(offer.id);
    this.hostname = offer.hostname;
    for (const r of offer.resources ?? []) this.resources.push(r);
    // Offer.executor_ids: this framework's executors already running on the agent (§4).
    if (executorId !== undefined && offer.executor_ids?.some((e) => e.value === executorId)) this.executorRunning = true;
  }

  /** Builds the numeric model and pools from `resources` for the given dimensions. */
  index(dims: Dimensions): void {
    this.free = dims.scalars.map(() => 0);
    this.scalarPools = dims.scalars.map(() => []);
    this.poolCursor = dims.scalars.map(() => 0);
    this.freeCounts = dims.ranged.map(() => 0);
    this.intervals = dims.ranged.map(() => []);
    this.intervalCursor = dims.ranged.map(() => 0);
    this.nextValue = dims.ranged.map(() => 0);
    for (const r of this.resources) {
      if (r.type === 'SCALAR') {
        const d = dims.scalars.indexOf(r.name);
        if (d < 0) continue;
        const millis = toMillis(r.scalar?.value ?? 0);
        if (millis <= 0) continue;
        this.free[d]! += millis;
        this.scalarPools[d]!.push({ proto: identityOf(r), millis, last: undefined });
      } else if (r.type === 'RANGES') {
        const d = dims.ranged.indexOf(r.name);
        if (d < 0) continue;
        const pool: RangePool = { proto: identityOf(r), taken: [] };
        for (const x of r.ranges?.range ?? []) {
          if (x.end < x.begin) continue;
          this.intervals[d]!.push({ begin: x.begin, end: x.end, pool });
          this.freeCounts[d]! += x.end - x.begin + 1;
        }
      }
    }
    for (const list of this.intervals) list.sort((a, b) => a.begin - b.begin);
    this.nextValue = this.intervals.map((list) => (list.length > 0 ? list[0]!.begin : 0));
  }

  /**
   * How many copies of `demand` fit (at most `cap`), after charging `extra` (the executor)
   * first when given. Zero-demand dimensions do not limit it.
   */
  capacity(demand: Demand, extra: Demand | undefined, cap: number): number {
    let k = cap;
    for (let d = 0; d < demand.millis.length; d++) {
      const need = demand.millis[d]!;
      const free = this.free[d]! - (extra ? extra.millis[d]! : 0);
      if (free < 0) return 0;
      if (need > 0) k = Math.min(k, Math.floor(free / need));
    }
    for (let d = 0; d < demand.counts.length; d++) {
      const need = demand.counts[d]!;
      const free = this.freeCounts[d]! - (extra ? extra.counts[d]! : 0);
      if (free < 0) return 0;
      if (need > 0) k = Math.min(k, Math.floor(free / need));
    }
    return k;
  }

  /** Takes `times` copies of `demand` from the numeric totals (carve later). */
  charge(demand: Demand, times: number): void {
    for (let d = 0; d < demand.millis.length; d++) this.free[d]! -= demand.millis[d]! * times;
    for (let d = 0; d < demand.counts.length; d++) this.freeCounts[d]! -= demand.counts[d]! * times;
  }

  /**
   * Carves one copy of `demand` out of the pools, lowest range values first, returning the
   * Resource[] for a TaskInfo or ExecutorInfo. Call only for demand already `charge`d. The
   * result may be shared with other tasks and is frozen: copy it before changing it.
   */
  carve(demand: Demand, dims: Dimensions): Resource[] {
    // Copies of one shape carved in a row from the same pools get the very same (frozen)
    // Resource objects and array: 100 000 tasks must not cost 300 000 fresh objects.
    const scratch = this.scratch;
    scratch.length = 0;
    let reused = true;
    for (let d = 0; d < demand.millis.length; d++) {
      let need = demand.millis[d]!;
      const pools = this.scalarPools[d]!;
      while (need > 0) {
        const pool = pools[this.poolCursor[d]!]!;
        const take = Math.min(pool.millis, need);
        if (take > 0) {
          let r = pool.last;
          if (r === undefined || r.scalar!.value !== take / 1000) {
            r = Object.freeze(withValue(pool.proto, dims.scalars[d]!, 'SCALAR', { scalar: Object.freeze({ value: take / 1000 }) }));
            pool.last = r;
            reused = false;
          }
          scratch.push(r);
        }
        pool.millis -= take;
        need -= take;
        if (pool.millis === 0) this.poolCursor[d]!++;
      }
    }
    let hasRanges = false;
    for (let d = 0; d < demand.counts.length; d++) if (demand.counts[d]! > 0) hasRanges = true;
    if (!hasRanges) {
      const prev = this.lastCarved;
      if (reused && prev !== undefined && sameItems(prev, scratch)) return prev;
      this.lastCarved = Object.freeze([...scratch]) as Resource[];
      return this.lastCarved;
    }
    const out = [...scratch];
    for (let d = 0; d < demand.counts.length; d++) {
      let need = demand.counts[d]!;
      if (need === 0) continue;
      const list = this.intervals[d]!;
      const touched: RangePool[] = [];
      while (need > 0) {
        const iv = list[this.intervalCursor[d]!]!;
        const from = this.nextValue[d]!;
        const to = Math.min(iv.end, from + need - 1);
        if (iv.pool.taken.length === 0) touched.push(iv.pool);
        const last = iv.pool.taken[iv.pool.taken.length - 1];
        if (last !== undefined && last.end + 1 === from) last.end = to;
        else iv.pool.taken.push({ begin: from, end: to });
        need -= to - from + 1;
        if (to === iv.end) {
          this.intervalCursor[d]!++;
          const next = list[this.intervalCursor[d]!];
          this.nextValue[d] = next ? next.begin : 0;
        } else {
          this.nextValue[d] = to + 1;
        }
      }
      for (const pool of touched) {
        out.push(withValue(pool.proto, dims.ranged[d]!, 'RANGES', { ranges: { range: pool.taken } }));
        pool.taken = [];
      }
    }
    return out;
  }
}

/** A resource's identity fields (role, reservations, allocation…) without its value. */
function identityOf(r: Resource): Resource {
  if (
    r.role === undefined && r.allocation_info === undefined && r.reservation === undefined && r.reservations === undefined &&
    r.disk === undefined && r.revocable === undefined && r.shared === undefined && r.provider_id === undefined
  ) {
    // The common case, unreserved with no extras: one shared identity object per name.
    let plain = PLAIN_IDENTITIES.get(r.name);
    if (plain === undefined) PLAIN_IDENTITIES.set(r.name, (plain = Object.freeze({ name: r.name, type: r.type })));
    return plain;
  }
  // Field by field rather than a rest-spread: this runs for every offered resource.
  const proto: Resource = { name: r.name, type: r.type };
  if (r.role !== undefined) proto.role = r.role;
  if (r.allocation_info !== undefined) proto.allocation_info = r.allocation_info;
  if (r.reservation !== undefined) proto.reservation = r.reservation;
  if (r.reservations !== undefined) proto.reservations = r.reservations;
  if (r.disk !== undefined) proto.disk = r.disk;
  if (r.revocable !== undefined) proto.revocable = r.revocable;
  if (r.shared !== undefined) proto.shared = r.shared;
  if (r.provider_id !== undefined) proto.provider_id = r.provider_id;
  return proto;
}

/** Identity objects of unreserved resources, by name (bounded by the resource names in use). */
const PLAIN_IDENTITIES = new Map<string, Resource>();

/** `proto`'s identity with a name, type and value. */
function withValue(proto: Resource, name: string, type: Resource['type'], value: Pick<Resource, 'scalar' | 'ranges'>): Resource {
  const r: Resource = proto.role === undefined && proto.allocation_info === undefined && Object.keys(proto).length === 2 ? { name, type } : { ...proto, name, type };
  if (value.scalar !== undefined) r.scalar = value.scalar;
  if (value.ranges !== undefined) r.ranges = value.ranges;
  return r;
}

function sameItems(a: readonly Resource[], b: readonly Resource[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Offers grouped by agent, in the order agents first appear (one ACCEPT may take all of an agent's offers). */
export function binsFromOffers(offers: readonly Offer[], executorIdFor: (agentId: string) => string | undefined): Bin[] {
  const byAgent = new Map<string, Bin>();
  for (const offer of offers) {
    const id = offer.agent_id.value;
    let bin = byAgent.get(id);
    if (bin === undefined) byAgent.set(id, (bin = new Bin(id)));
    bin.addOffer(offer, executorIdFor(id));
  }
  return [...byAgent.values()];
}
