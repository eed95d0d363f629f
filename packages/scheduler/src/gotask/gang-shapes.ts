/**
 * Groups a gang's tasks into *shapes* (tasks with equal requests) for the gang allocator, and
 * refuses duplicate task ids. One pass over the tasks with no per-task objects: 100 000 tasks
 * of a few shapes must cost a few typed arrays, not 100 000 strings or set entries.
 */
import { type ResourceRequest, InvalidArgumentError } from '@mesosgot/common/internal';
import { toMillis, type Dimensions } from './gang-bins.js';
import type { GangTask } from './gang-allocator.js';

/** A request in dimension form: thousandths per scalar dimension, values per ranged dimension. */
export interface Demand {
  millis: number[];
  counts: number[];
}

export interface Shape {
  /** 0, 1, 2… in first-seen order. */
  id: number;
  request: ResourceRequest;
  /** Set by the allocator once the dimensions are known. */
  demand: Demand;
  /** Positions in the task list of this shape's tasks, in input order. */
  positions: Int32Array;
  /** Needs exact values (specific ports, SET items): placed one by one with `allocate`. */
  special: boolean;
}

/**
 * The shapes of `tasks`, in first-seen order. Throws InvalidArgumentError when two tasks share
 * a name and an index (the task id `<name>-<index>`).
 */
export function groupShapes(tasks: readonly GangTask[]): Shape[] {
  const n = tasks.length;
  const shapeOf = new Int32Array(n);
  const sizes: number[] = [];
  const shapes: Shape[] = [];
  const byObject = new Map<ResourceRequest, number>();
  const byKey = new Map<string, number>();
  const seen = new Map<string, IndexSet>();
  // Tasks of one spawn come in runs of one name and one request object: skip the map lookups.
  let lastName: string | undefined;
  let lastSeen: IndexSet | undefined;
  let lastRequest: ResourceRequest | undefined;
  let lastShape = -1;
  for (let i = 0; i < n; i++) {
    const task = tasks[i]!;
    if (lastSeen === undefined || task.name !== lastName) {
      lastName = task.name;
      lastSeen = seen.get(task.name);
      if (lastSeen === undefined) seen.set(task.name, (lastSeen = new IndexSet(n)));
    }
    if (!lastSeen.add(task.index)) throw new InvalidArgumentError('tasks', `${task.name}-${task.index}`, 'duplicate task id');
    if (task.request !== lastRequest) {
      lastRequest = task.request;
      lastShape = shapeIdOf(task.request, byObject, byKey, shapes, sizes);
    }
    shapeOf[i] = lastShape;
    sizes[lastShape]!++;
  }
  for (const s of shapes) s.positions = new Int32Array(sizes[s.id]!);
  const fill = new Int32Array(shapes.length);
  for (let i = 0; i < n; i++) {
    const s = shapeOf[i]!;
    shapes[s]!.positions[fill[s]!++] = i;
  }
  return shapes;
}

function shapeIdOf(
  request: ResourceRequest,
  byObject: Map<ResourceRequest, number>,
  byKey: Map<string, number>,
  shapes: Shape[],
  sizes: number[],
): number {
  let id = byObject.get(request);
  if (id !== undefined) return id;
  const key = JSON.stringify([request.resources, Object.entries(request.rangeCounts).sort()]);
  id = byKey.get(key);
  if (id === undefined) {
    id = shapes.length;
    const special = request.resources.some((r) => r.type !== 'SCALAR');
    shapes.push({ id, request, demand: { millis: [], counts: [] }, positions: EMPTY, special });
    sizes.push(0);
    byKey.set(key, id);
  }
  byObject.set(request, id);
  return id;
}

const EMPTY = new Int32Array(0);

/** Scalar names and ranged-count names the requests use, in first-seen order. */
export function dimensionsOf(requests: readonly ResourceRequest[]): Dimensions {
  const scalars = new Set<string>();
  const ranged = new Set<string>();
  for (const r of requests) {
    for (const res of r.resources) if (res.type === 'SCALAR') scalars.add(res.name);
    for (const [name, n] of Object.entries(r.rangeCounts)) if (n > 0) ranged.add(name);
  }
  return { scalars: [...scalars], ranged: [...ranged] };
}

/** `request` in dimension form. */
export function demandOf(request: ResourceRequest, dims: Dimensions): Demand {
  const millis = dims.scalars.map(() => 0);
  for (const r of request.resources) {
    if (r.type === 'SCALAR') millis[dims.scalars.indexOf(r.name)]! += toMillis(r.scalar?.value ?? 0);
  }
  const counts = dims.ranged.map((name) => request.rangeCounts[name] ?? 0);
  return { millis, counts };
}

/** Orderings tried before giving up: dominant share, then each scalar dimension. */
const MAX_ATTEMPTS = 4;

/**
 * The shape orders the allocator tries: decreasing dominant share of `totals` (first fit
 * decreasing), then decreasing need in each scalar dimension.
 */
export function orderings(shapes: Shape[], dims: Dimensions, totals: Demand): Shape[][] {
  const share = (s: Shape): number => {
    let m = 0;
    s.demand.millis.forEach((v, d) => (m = Math.max(m, v / Math.max(1, totals.millis[d]!))));
    s.demand.counts.forEach((v, d) => (m = Math.max(m, v / Math.max(1, totals.counts[d]!))));
    return m;
  };
  const orders: Shape[][] = [[...shapes].sort((a, b) => share(b) - share(a) || b.positions.length - a.positions.length)];
  for (let d = 0; d < dims.scalars.length && orders.length < MAX_ATTEMPTS; d++) {
    orders.push([...shapes].sort((a, b) => b.demand.millis[d]! - a.demand.millis[d]! || share(b) - share(a)));
  }
  return shapes.length > 1 ? orders : orders.slice(0, 1);
}

/**
 * Task indices seen under one name: a bitmap for the usual 0…n-1, a Set for anything else
 * (negative, fractional or huge indices). Same equality as a Set (0 and -0 are one index).
 */
class IndexSet {
  private bits = new Uint32Array(4);
  private other: Set<number> | undefined;
  /** Indices at or past this go to the Set, so the bitmap stays proportional to the gang. */
  private readonly limit: number;

  constructor(tasks: number) {
    this.limit = 32 * tasks + 1024;
  }

  /** False if `index` was already there. */
  add(index: number): boolean {
    if (Number.isInteger(index) && index >= 0 && index < this.limit) {
      const word = index >>> 5;
      if (word >= this.bits.length) {
        const grown = new Uint32Array(Math.max(word + 1, this.bits.length * 2));
        grown.set(this.bits);
        this.bits = grown;
      }
      const mask = 1 << (index & 31);
      if ((this.bits[word]! & mask) !== 0) return false;
      this.bits[word]! |= mask;
      return true;
    }
    this.other ??= new Set();
    if (this.other.has(index)) return false;
    this.other.add(index);
    return true;
  }
}
