/**
 * The gang allocator's model of the offers: one *bin* per agent (one ACCEPT may take all of an
 * agent's offers), numbered 0… in the order agents first appear, with numeric free totals per
 * dimension in typed arrays (row per bin) for packing. Scalars are integer thousandths, as Mesos
 * stores them (docs/protocol.md, "Resources"), so sums and quotients are exact. The Resource[] with
 * identities are only read again when a bin's placements are carved (gang-carver.ts).
 */
import type { Offer, OfferID, Resource } from '@mesosgot/common/internal';
import type { Demand } from './gang-shapes.js';

/** Scalar names and ranged-count names that some request uses, in a fixed order. */
export interface Dimensions {
  scalars: string[];
  ranged: string[];
}

/** Free amounts per bin: `scalars[bin * dims.scalars.length + d]` thousandths, `counts[…]` range values. */
export interface BinFree {
  scalars: Float64Array;
  counts: Float64Array;
}

export function toMillis(value: number): number {
  return Math.round(value * 1000);
}

export class BinTable {
  readonly size: number;
  readonly agentIds: string[] = [];
  readonly hostnames: string[] = [];
  /** Our executor already runs on the bin's agent: it costs nothing more (docs/protocol.md, "Offer fields"). */
  readonly executorRunning: Uint8Array;
  /** Offers of a bin as a list through `nextOffer` (-1 ends); `lastOffer` appends. */
  private readonly firstOffer: number[] = [];
  private readonly lastOffer: number[] = [];
  private readonly nextOffer: Int32Array;

  constructor(
    private readonly offers: readonly Offer[],
    executorIdFor: (agentId: string) => string | undefined,
  ) {
    const byAgent = new Map<string, number>();
    this.nextOffer = new Int32Array(offers.length).fill(-1);
    const running: boolean[] = [];
    for (let i = 0; i < offers.length; i++) {
      const offer = offers[i]!;
      const agent = offer.agent_id.value;
      let b = byAgent.get(agent);
      if (b === undefined) {
        b = this.agentIds.length;
        byAgent.set(agent, b);
        this.agentIds.push(agent);
        this.hostnames.push(offer.hostname);
        this.firstOffer.push(i);
        running.push(false);
      } else {
        this.nextOffer[this.lastOffer[b]!] = i;
        this.hostnames[b] = offer.hostname;
      }
      this.lastOffer[b] = i;
      const executorIds = offer.executor_ids;
      if (executorIds !== undefined && executorIds.length > 0) {
        const executorId = executorIdFor(agent);
        if (executorId !== undefined && executorIds.some((e) => e.value === executorId)) running[b] = true;
      }
    }
    this.size = this.agentIds.length;
    this.executorRunning = Uint8Array.from(running, (r) => (r ? 1 : 0));
  }

  offerIdsOf(bin: number): OfferID[] {
    const ids: OfferID[] = [];
    for (let o = this.firstOffer[bin]!; o >= 0; o = this.nextOffer[o]!) ids.push(this.offers[o]!.id);
    return ids;
  }

  /** Every resource of the bin's offers, in offer order. */
  resourcesOf(bin: number): readonly Resource[] {
    const only = this.firstOffer[bin]!;
    // One offer per agent is the usual case: its own list, not a copy.
    if (this.nextOffer[only] === -1) return this.offers[only]!.resources ?? [];
    const out: Resource[] = [];
    for (let o = this.firstOffer[bin]!; o >= 0; o = this.nextOffer[o]!) for (const r of this.offers[o]!.resources ?? []) out.push(r);
    return out;
  }

  /** Free totals of every bin straight from its offers. */
  measure(dims: Dimensions): BinFree {
    const free: BinFree = {
      scalars: new Float64Array(this.size * dims.scalars.length),
      counts: new Float64Array(this.size * dims.ranged.length),
    };
    for (let b = 0; b < this.size; b++) {
      for (let o = this.firstOffer[b]!; o >= 0; o = this.nextOffer[o]!) addRow(free, b, this.offers[o]!.resources ?? [], dims);
    }
    return free;
  }
}

/** Sets bin `b`'s row of `free` to the totals of `resources` (what specials left there). */
export function measureRow(free: BinFree, b: number, resources: readonly Resource[], dims: Dimensions): void {
  free.scalars.fill(0, b * dims.scalars.length, (b + 1) * dims.scalars.length);
  free.counts.fill(0, b * dims.ranged.length, (b + 1) * dims.ranged.length);
  addRow(free, b, resources, dims);
}

function addRow(free: BinFree, b: number, resources: readonly Resource[], dims: Dimensions): void {
  for (const r of resources) {
    if (r.type === 'SCALAR') {
      const d = dims.scalars.indexOf(r.name);
      const millis = toMillis(r.scalar?.value ?? 0);
      // Negative or zero scalars give nothing (Mesos drops them).
      if (d >= 0 && millis > 0) free.scalars[b * dims.scalars.length + d]! += millis;
    } else if (r.type === 'RANGES') {
      const d = dims.ranged.indexOf(r.name);
      if (d < 0) continue;
      for (const x of r.ranges?.range ?? []) if (x.end >= x.begin) free.counts[b * dims.ranged.length + d]! += x.end - x.begin + 1;
    }
  }
}

/** Free totals over all bins: what the orderings' dominant shares are taken against. */
export function totalFree(free: BinFree, dims: Dimensions): Demand {
  return { millis: sumColumns(free.scalars, dims.scalars.length), counts: sumColumns(free.counts, dims.ranged.length) };
}

/** Column sums of a row-major table `columns` wide. */
function sumColumns(table: Float64Array, columns: number): number[] {
  const sums = new Array<number>(columns).fill(0);
  for (let i = 0; i < table.length; i++) sums[i % columns]! += table[i]!;
  return sums;
}
