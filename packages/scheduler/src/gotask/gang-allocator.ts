/**
 * All or nothing (mesosgot's rule; docs/design.md, "All or nothing"): no task is launched until every task fits the
 * offers held, packed per agent by real multi-resource packing — cpus, mem, disk, gpus, any
 * other scalar, and port ranges as concrete values, never as sums. The executor's own resources
 * are charged once per agent that gets tasks, unless that agent already runs our executor.
 *
 * Packing is first-fit decreasing over *shapes* (tasks with equal requests): each shape places
 * as many copies as fit in one agent at a time, computed arithmetically (the least over
 * dimensions of free ÷ need, scalars in integer thousandths, ports by count) on typed arrays,
 * so 100 000 tasks of a few shapes into 10 000 agents costs shapes × agents steps. Resource[]
 * are carved from the offers only once the whole gang fits (gang-carver.ts). A failed pass is
 * retried with other orderings (bin packing is NP-hard; FFD can miss a packing that exists).
 * Tasks asking for exact values (specific ports, SET items) are placed first, one by one, with
 * common's `allocate`.
 */
import {
  allocate,
  type ResourceRequest,
  InvalidArgumentError,
  type Offer,
  type OfferID,
  type Resource,
} from '@mesosgot/common/internal';
import { BinTable, measureRow, totalFree, type BinFree, type Dimensions } from './gang-bins.js';
import { BinCarver, quotient } from './gang-carver.js';
import { demandOf, dimensionsOf, groupShapes, orderings, type Demand, type Shape } from './gang-shapes.js';
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
   * Usually frozen and shared between tasks of one shape, on one agent or several (same
   * identities, same amounts, same ports): copy before changing.
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

/** Placements of exact-value tasks on one bin, and what they left of its resources. */
interface SpecialBin {
  exec: Resource[] | undefined;
  tasks: TaskPlacement[];
  resources: readonly Resource[];
}

interface Attempt {
  placed: number;
  free: BinFree;
  /** Something is placed on the bin, so the executor (if new there) is already charged. */
  opened: Uint8Array;
  /** Fast-path runs, (bin, shape id, copies) in placement order: the shape's next `copies` tasks go to the bin. */
  runBin: number[];
  runShape: number[];
  runCopies: number[];
  special: Map<number, SpecialBin>;
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
    const table = new BinTable(offers, this.executorIdFor);
    const base = table.measure(dims);
    const orders = orderings(shapes, dims, totalFree(base, dims));
    let best: Attempt | undefined;
    for (const order of orders) {
      const attempt = this.attempt(table, base, order, tasks, dims, execDemand);
      if (attempt.unplaced.size === 0) return this.finish(table, attempt, shapes, tasks, dims, execDemand);
      if (best === undefined || attempt.placed > best.placed) best = attempt;
    }
    return { fits: false, shortfall: shortfallOf(best!, tasks, dims, offers.length) };
  }

  private attempt(table: BinTable, base: BinFree, order: Shape[], tasks: readonly GangTask[], dims: Dimensions, exec: Demand): Attempt {
    const attempt: Attempt = {
      placed: 0,
      free: base,
      opened: new Uint8Array(table.size),
      runBin: [],
      runShape: [],
      runCopies: [],
      special: new Map(),
      unplaced: new Map(),
    };
    for (const shape of order) {
      if (!shape.special) continue;
      for (const p of shape.positions) {
        if (this.placeSpecial(table, tasks[p]!, attempt)) attempt.placed++;
        else attempt.unplaced.set(shape, (attempt.unplaced.get(shape) ?? 0) + 1);
      }
    }
    const free: BinFree = { scalars: base.scalars.slice(), counts: base.counts.slice() };
    for (const [b, entry] of attempt.special) measureRow(free, b, entry.resources, dims);
    attempt.free = free;
    const { opened } = attempt;
    const running = table.executorRunning;
    for (const shape of order) {
      if (shape.special) continue;
      let remaining = shape.positions.length;
      for (let b = 0; b < table.size && remaining > 0; b++) {
        const extra = opened[b] === 1 || running[b] === 1 ? undefined : exec;
        const copies = capacity(free, b, shape.demand, extra, remaining);
        if (copies === 0) continue;
        if (extra !== undefined) charge(free, b, extra, 1);
        opened[b] = 1;
        charge(free, b, shape.demand, copies);
        attempt.runBin.push(b);
        attempt.runShape.push(shape.id);
        attempt.runCopies.push(copies);
        remaining -= copies;
      }
      attempt.placed += shape.positions.length - remaining;
      if (remaining > 0) attempt.unplaced.set(shape, remaining);
    }
    return attempt;
  }

  private placeSpecial(table: BinTable, task: GangTask, attempt: Attempt): boolean {
    for (let b = 0; b < table.size; b++) {
      let entry = attempt.special.get(b);
      let have: readonly Resource[] = entry?.resources ?? table.resourcesOf(b);
      let exec: Resource[] | undefined;
      if (attempt.opened[b] === 0 && table.executorRunning[b] === 0) {
        const e = allocate(have, this.executor);
        if (e === undefined) continue;
        exec = e.allocated;
        have = e.remaining;
      }
      const a = allocate(have, task.request);
      if (a === undefined) continue;
      if (entry === undefined) attempt.special.set(b, (entry = { exec: undefined, tasks: [], resources: a.remaining }));
      entry.resources = a.remaining;
      if (exec !== undefined) entry.exec = exec;
      attempt.opened[b] = 1;
      entry.tasks.push({ taskId: `${task.name}-${task.index}`, name: task.name, index: task.index, resources: a.allocated });
      return true;
    }
    return false;
  }

  /** Materialises the placements, bin by bin: Resource[] are built only here, from the offers. */
  private finish(table: BinTable, attempt: Attempt, shapes: Shape[], tasks: readonly GangTask[], dims: Dimensions, exec: Demand): GangPlan {
    const { runBin, runShape, runCopies } = attempt;
    const runs = runBin.length;
    // Each shape's tasks go to its runs in placement order: run r starts at task first[r].
    const first = new Int32Array(runs);
    const cursor = new Int32Array(shapes.length);
    for (let r = 0; r < runs; r++) {
      first[r] = cursor[runShape[r]!]!;
      cursor[runShape[r]!]! += runCopies[r]!;
    }
    // Runs grouped by bin (stable counting sort), so each bin is carved once, start to end.
    const binStart = new Int32Array(table.size + 1);
    for (let r = 0; r < runs; r++) binStart[runBin[r]! + 1]!++;
    for (let b = 0; b < table.size; b++) binStart[b + 1]! += binStart[b]!;
    const byBin = new Int32Array(runs);
    const fill = binStart.slice(0, table.size);
    for (let r = 0; r < runs; r++) byBin[fill[runBin[r]!]!++] = r;

    const carver = new BinCarver(dims);
    const execKey = shapes.length;
    const agents: AgentPlacement[] = [];
    const unusedOfferIds: OfferID[] = [];
    let prefixName: string | undefined;
    let prefix = '';
    for (let b = 0; b < table.size; b++) {
      const special = attempt.special.get(b);
      if (special === undefined && binStart[b] === binStart[b + 1]) {
        for (const id of table.offerIdsOf(b)) unusedOfferIds.push(id);
        continue;
      }
      carver.load(special?.resources ?? table.resourcesOf(b));
      let executorResources = special?.exec;
      // A bin opened only by the fast path has its executor charged but not yet carved.
      if (special === undefined && table.executorRunning[b] === 0) executorResources = carver.carveRun(exec, execKey, 1)[0];
      const placed = special?.tasks ?? [];
      for (let i = binStart[b]!; i < binStart[b + 1]!; i++) {
        const r = byBin[i]!;
        const shape = shapes[runShape[r]!]!;
        const copies = runCopies[r]!;
        const carved = carver.carveRun(shape.demand, shape.id, copies);
        for (let c = 0, t = first[r]!; c < copies; c++, t++) {
          const task = tasks[shape.positions[t]!]!;
          // `<name>-` once per run of one name: a template literal would build it per task.
          if (task.name !== prefixName) prefix = (prefixName = task.name) + '-';
          placed.push({ taskId: prefix + task.index, name: task.name, index: task.index, resources: carved[c]! });
        }
      }
      agents.push({ agentId: table.agentIds[b]!, hostname: table.hostnames[b]!, offerIds: table.offerIdsOf(b), executorResources, tasks: placed });
    }
    return { fits: true, agents, unusedOfferIds };
  }
}

/**
 * How many copies of `demand` fit in bin `b` (at most `cap`) after charging `extra` (the
 * executor) first when given: the least over dimensions of free ÷ need, in exact integers.
 * Zero-demand dimensions do not limit it.
 */
function capacity(free: BinFree, b: number, demand: Demand, extra: Demand | undefined, cap: number): number {
  let k = cap;
  const ns = demand.millis.length;
  for (let d = 0, i = b * ns; d < ns; d++, i++) {
    const have = free.scalars[i]! - (extra === undefined ? 0 : extra.millis[d]!);
    if (have < 0) return 0;
    const need = demand.millis[d]!;
    if (need > 0 && have < need * k) k = quotient(have, need);
  }
  const nr = demand.counts.length;
  for (let d = 0, i = b * nr; d < nr; d++, i++) {
    const have = free.counts[i]! - (extra === undefined ? 0 : extra.counts[d]!);
    if (have < 0) return 0;
    const need = demand.counts[d]!;
    if (need > 0 && have < need * k) k = quotient(have, need);
  }
  return k;
}

/** Takes `times` copies of `demand` from bin `b`'s free totals (carved later). */
function charge(free: BinFree, b: number, demand: Demand, times: number): void {
  const ns = demand.millis.length;
  for (let d = 0; d < ns; d++) free.scalars[b * ns + d]! -= demand.millis[d]! * times;
  const nr = demand.counts.length;
  for (let d = 0; d < nr; d++) free.counts[b * nr + d]! -= demand.counts[d]! * times;
}

function shortfallOf(attempt: Attempt, tasks: readonly GangTask[], dims: Dimensions, offersHeld: number): AllocationShortfall {
  const unplacedByName = new Map<string, number>();
  const need = { millis: dims.scalars.map(() => 0), counts: dims.ranged.map(() => 0) };
  for (const [shape, count] of attempt.unplaced) {
    const n = shape.positions.length;
    for (let i = n - count; i < n; i++) {
      const name = tasks[shape.positions[i]!]!.name;
      unplacedByName.set(name, (unplacedByName.get(name) ?? 0) + 1);
    }
    shape.demand.millis.forEach((v, d) => (need.millis[d]! += v * count));
    shape.demand.counts.forEach((v, d) => (need.counts[d]! += v * count));
  }
  const left = totalFree(attempt.free, dims);
  const missing: Record<string, number> = {};
  // Only what is short: a zero entry says nothing and reads like a problem.
  dims.scalars.forEach((name, d) => {
    const short = Math.max(0, need.millis[d]! - left.millis[d]!) / 1000;
    if (short > 0) missing[name] = short;
  });
  dims.ranged.forEach((name, d) => {
    const short = Math.max(0, need.counts[d]! - left.counts[d]!);
    if (short > 0) missing[name] = short;
  });
  return { unplaced: [...unplacedByName].map(([name, count]) => ({ name, count })), missing, offersHeld };
}
