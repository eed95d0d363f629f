/**
 * All or nothing (issue 6; mesosgot's rule): no task is launched until every task fits the
 * offers held, packed per agent by real multi-resource packing — cpus, mem, disk, gpus, any
 * other scalar, and port ranges as concrete values, never as sums. The executor's own resources
 * are charged once per agent that gets tasks, unless that agent already runs our executor.
 *
 * Packing is first-fit decreasing over *shapes* (tasks with equal requests): each shape places
 * as many copies as fit in one agent at a time, so 100 000 tasks of a few shapes into 10 000
 * agents costs shapes × agents steps. A failed pass is retried with other orderings (bin
 * packing is NP-hard; FFD can miss a packing that exists). Tasks asking for exact values
 * (specific ports, SET items) are placed first, one by one, with common's `allocate`.
 */
import {
  InvalidArgumentError,
  allocate,
  type Offer,
  type OfferID,
  type Resource,
  type ResourceRequest,
} from '@mesosgot/common';
import { Bin, binsFromOffers, toMillis, type Demand, type Dimensions } from './gang-bins.js';
import type { AllocationShortfall } from './sched-events.js';

/** One task of the gang: id `<name>-<index>`, and what it needs (parseResourceMap's result). */
export interface GangTask {
  name: string;
  index: number;
  request: ResourceRequest;
}

export interface TaskPlacement {
  taskId: string;
  name: string;
  index: number;
  /**
   * Carved out of the agent's offers with their identities: put these in the TaskInfo.
   * Frozen, and shared between tasks of one shape on one agent: copy before changing.
   */
  resources: Resource[];
}

export interface AgentPlacement {
  agentId: string;
  hostname: string;
  /** Every offer held for this agent: accept them together. */
  offerIds: OfferID[];
  /** The executor's resources (ExecutorInfo.resources), or undefined when it already runs here. */
  executorResources: Resource[] | undefined;
  tasks: TaskPlacement[];
}

export type GangPlan =
  | { fits: true; agents: AgentPlacement[]; /** Offers of agents that got nothing: decline them. */ unusedOfferIds: OfferID[] }
  | { fits: false; shortfall: AllocationShortfall };

export interface GangAllocatorOptions {
  /** The executor's own resources: scalars and port counts (no exact values). */
  executor: ResourceRequest;
  /**
   * Our executor's id, or a function giving it per agent (one executor per agent): an offer
   * listing it in `executor_ids` has it running already, so it costs nothing more there.
   */
  executorId?: string | ((agentId: string) => string | undefined);
}

/** Orderings tried before giving up: dominant share, then each scalar dimension. */
const MAX_ATTEMPTS = 4;

interface Shape {
  request: ResourceRequest;
  demand: Demand;
  tasks: GangTask[];
  /** `<name>-<index>` of each task, built once. */
  ids: string[];
  /** Needs exact values: placed one by one with `allocate`. */
  special: boolean;
}

interface Attempt {
  placed: number;
  bins: Bin[];
  /** (bin, shape, copies) in placement order, for the fast path. */
  runs: { bin: Bin; shape: Shape; copies: number }[];
  special: Map<Bin, { exec: Resource[] | undefined; tasks: TaskPlacement[] }>;
  unplaced: Map<Shape, number>;
}

export class GangAllocator {
  private readonly executor: ResourceRequest;
  private readonly executorIdFor: (agentId: string) => string | undefined;

  /** Throws InvalidArgumentError if the executor asks for exact ranges or set items. */
  constructor(options: GangAllocatorOptions) {
    if (options.executor.resources.some((r) => r.type !== 'SCALAR')) {
      throw new InvalidArgumentError('executor', options.executor, 'executor resources must be scalars and port counts');
    }
    this.executor = options.executor;
    const id = options.executorId;
    this.executorIdFor = typeof id === 'function' ? id : () => id;
  }

  /**
   * Decides where every task goes, or what is missing. Pure: reads `offers`, changes nothing.
   * Throws InvalidArgumentError for a duplicate task id.
   */
  plan(offers: readonly Offer[], tasks: readonly GangTask[]): GangPlan {
    const shapes = groupShapes(tasks);
    const dims = dimensionsOf([this.executor, ...shapes.map((s) => s.request)]);
    for (const s of shapes) s.demand = demandOf(s.request, dims);
    const execDemand = demandOf(this.executor, dims);
    const totals = totalFree(offers, dims);
    const orders = orderings(shapes, dims, totals);
    let best: Attempt | undefined;
    for (const order of orders) {
      const attempt = this.attempt(offers, order, dims, execDemand);
      if (attempt.unplaced.size === 0) return this.finish(attempt, dims, execDemand);
      if (best === undefined || attempt.placed > best.placed) best = attempt;
    }
    return { fits: false, shortfall: shortfallOf(best!, dims, offers.length) };
  }

  private attempt(offers: readonly Offer[], order: Shape[], dims: Dimensions, exec: Demand): Attempt {
    const bins = binsFromOffers(offers, this.executorIdFor);
    const attempt: Attempt = { placed: 0, bins, runs: [], special: new Map(), unplaced: new Map() };
    for (const shape of order) {
      if (!shape.special) continue;
      for (const task of shape.tasks) {
        if (this.placeSpecial(bins, task, attempt)) attempt.placed++;
        else attempt.unplaced.set(shape, (attempt.unplaced.get(shape) ?? 0) + 1);
      }
    }
    for (const bin of bins) bin.index(dims);
    for (const shape of order) {
      if (shape.special) continue;
      let remaining = shape.tasks.length;
      for (let b = 0; b < bins.length && remaining > 0; b++) {
        const bin = bins[b]!;
        const extra = bin.opened || bin.executorRunning ? undefined : exec;
        const copies = bin.capacity(shape.demand, extra, remaining);
        if (copies === 0) continue;
        if (extra) bin.charge(extra, 1);
        bin.opened = true;
        bin.charge(shape.demand, copies);
        attempt.runs.push({ bin, shape, copies });
        remaining -= copies;
      }
      attempt.placed += shape.tasks.length - remaining;
      if (remaining > 0) attempt.unplaced.set(shape, remaining);
    }
    return attempt;
  }

  private placeSpecial(bins: Bin[], task: GangTask, attempt: Attempt): boolean {
    for (const bin of bins) {
      let have = bin.resources;
      let exec: Resource[] | undefined;
      if (!bin.opened && !bin.executorRunning) {
        const e = allocate(have, this.executor);
        if (e === undefined) continue;
        exec = e.allocated;
        have = e.remaining;
      }
      const a = allocate(have, task.request);
      if (a === undefined) continue;
      bin.resources = a.remaining;
      let entry = attempt.special.get(bin);
      if (entry === undefined) attempt.special.set(bin, (entry = { exec: undefined, tasks: [] }));
      if (exec !== undefined) entry.exec = exec;
      bin.opened = true;
      entry.tasks.push({ taskId: `${task.name}-${task.index}`, name: task.name, index: task.index, resources: a.allocated });
      return true;
    }
    return false;
  }

  private finish(attempt: Attempt, dims: Dimensions, exec: Demand): GangPlan {
    const byBin = new Map<Bin, AgentPlacement>();
    const placementOf = (bin: Bin): AgentPlacement => {
      let p = byBin.get(bin);
      if (p === undefined) {
        const special = attempt.special.get(bin);
        let executorResources = special?.exec;
        // A bin opened only by the fast path has its executor charged but not yet carved.
        if (special === undefined && !bin.executorRunning) executorResources = bin.carve(exec, dims);
        p = { agentId: bin.agentId, hostname: bin.hostname, offerIds: bin.offerIds, executorResources, tasks: special?.tasks ?? [] };
        byBin.set(bin, p);
      }
      return p;
    };
    for (const bin of attempt.special.keys()) placementOf(bin);
    const cursor = new Map<Shape, number>();
    for (const { bin, shape, copies } of attempt.runs) {
      const p = placementOf(bin);
      let i = cursor.get(shape) ?? 0;
      for (let c = 0; c < copies; c++, i++) {
        const task = shape.tasks[i]!;
        p.tasks.push({ taskId: shape.ids[i]!, name: task.name, index: task.index, resources: bin.carve(shape.demand, dims) });
      }
      cursor.set(shape, i);
    }
    const agents = attempt.bins.filter((b) => byBin.has(b)).map((b) => byBin.get(b)!);
    const unusedOfferIds = attempt.bins.filter((b) => !byBin.has(b)).flatMap((b) => b.offerIds);
    return { fits: true, agents, unusedOfferIds };
  }
}

function groupShapes(tasks: readonly GangTask[]): Shape[] {
  const byObject = new Map<ResourceRequest, Shape>();
  const byKey = new Map<string, Shape>();
  // Indices seen per name: number sets are much cheaper than 100 000 id strings in one set.
  const seen = new Map<string, Set<number>>();
  for (const task of tasks) {
    let indices = seen.get(task.name);
    if (indices === undefined) seen.set(task.name, (indices = new Set()));
    const id = `${task.name}-${task.index}`;
    if (indices.has(task.index)) throw new InvalidArgumentError('tasks', id, 'duplicate task id');
    indices.add(task.index);
    let shape = byObject.get(task.request);
    if (shape === undefined) {
      const key = JSON.stringify([task.request.resources, Object.entries(task.request.rangeCounts).sort()]);
      shape = byKey.get(key);
      if (shape === undefined) {
        const special = task.request.resources.some((r) => r.type !== 'SCALAR');
        shape = { request: task.request, demand: { millis: [], counts: [] }, tasks: [], ids: [], special };
        byKey.set(key, shape);
      }
      byObject.set(task.request, shape);
    }
    shape.tasks.push(task);
    shape.ids.push(id);
  }
  return [...byKey.values()];
}

function dimensionsOf(requests: readonly ResourceRequest[]): Dimensions {
  const scalars = new Set<string>();
  const ranged = new Set<string>();
  for (const r of requests) {
    for (const res of r.resources) if (res.type === 'SCALAR') scalars.add(res.name);
    for (const [name, n] of Object.entries(r.rangeCounts)) if (n > 0) ranged.add(name);
  }
  return { scalars: [...scalars], ranged: [...ranged] };
}

function demandOf(request: ResourceRequest, dims: Dimensions): Demand {
  const millis = dims.scalars.map(() => 0);
  for (const r of request.resources) {
    if (r.type === 'SCALAR') millis[dims.scalars.indexOf(r.name)]! += toMillis(r.scalar?.value ?? 0);
  }
  const counts = dims.ranged.map((name) => request.rangeCounts[name] ?? 0);
  return { millis, counts };
}

function totalFree(offers: readonly Offer[], dims: Dimensions): Demand {
  const millis = dims.scalars.map(() => 0);
  const counts = dims.ranged.map(() => 0);
  for (const o of offers) {
    for (const r of o.resources ?? []) {
      if (r.type === 'SCALAR') {
        const d = dims.scalars.indexOf(r.name);
        if (d >= 0) millis[d]! += toMillis(r.scalar?.value ?? 0);
      } else if (r.type === 'RANGES') {
        const d = dims.ranged.indexOf(r.name);
        if (d >= 0) for (const x of r.ranges?.range ?? []) counts[d]! += Math.max(0, x.end - x.begin + 1);
      }
    }
  }
  return { millis, counts };
}

function orderings(shapes: Shape[], dims: Dimensions, totals: Demand): Shape[][] {
  const share = (s: Shape): number => {
    let m = 0;
    s.demand.millis.forEach((v, d) => (m = Math.max(m, v / Math.max(1, totals.millis[d]!))));
    s.demand.counts.forEach((v, d) => (m = Math.max(m, v / Math.max(1, totals.counts[d]!))));
    return m;
  };
  const orders: Shape[][] = [[...shapes].sort((a, b) => share(b) - share(a) || b.tasks.length - a.tasks.length)];
  for (let d = 0; d < dims.scalars.length && orders.length < MAX_ATTEMPTS; d++) {
    orders.push([...shapes].sort((a, b) => b.demand.millis[d]! - a.demand.millis[d]! || share(b) - share(a)));
  }
  return shapes.length > 1 ? orders : orders.slice(0, 1);
}

function shortfallOf(attempt: Attempt, dims: Dimensions, offersHeld: number): AllocationShortfall {
  const unplacedByName = new Map<string, number>();
  const need = { millis: dims.scalars.map(() => 0), counts: dims.ranged.map(() => 0) };
  for (const [shape, count] of attempt.unplaced) {
    for (let i = shape.tasks.length - count; i < shape.tasks.length; i++) {
      const name = shape.tasks[i]!.name;
      unplacedByName.set(name, (unplacedByName.get(name) ?? 0) + 1);
    }
    shape.demand.millis.forEach((v, d) => (need.millis[d]! += v * count));
    shape.demand.counts.forEach((v, d) => (need.counts[d]! += v * count));
  }
  const left = { millis: dims.scalars.map(() => 0), counts: dims.ranged.map(() => 0) };
  for (const bin of attempt.bins) {
    bin.free.forEach((v, d) => (left.millis[d]! += v));
    bin.freeCounts.forEach((v, d) => (left.counts[d]! += v));
  }
  const missing: Record<string, number> = {};
  dims.scalars.forEach((name, d) => (missing[name] = Math.max(0, need.millis[d]! - left.millis[d]!) / 1000));
  dims.ranged.forEach((name, d) => (missing[name] = Math.max(0, need.counts[d]! - left.counts[d]!)));
  return { unplaced: [...unplacedByName].map(([name, count]) => ({ name, count })), missing, offersHeld };
}
