import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import {
  type Offer,
  type Resource,
  type ResourceMap,
} from '@mesosgot/common';
import {
  addResources,
  allocate,
  parseResourceMap,
  rangesOf,
  resourcesContain,
  type ResourceRequest,
} from '@mesosgot/common/internal';
import { GangAllocator, type GangPlan, type GangTask } from '../../../src/internal.js';

/*
 * The allocator packs a shape's copies into a bin arithmetically (min over dimensions of
 * free ÷ need in integer thousandths, ports by count) and carves Resource[] afterwards. These
 * properties hold it to what placing tasks one by one with common's `allocate` gives.
 */

const EXECUTOR_ID = 'exec';

interface OfferSpec {
  cpus: number;
  mem: number;
  ports: number;
  reserved: boolean;
  role: '*' | undefined;
}

const offerArb: fc.Arbitrary<OfferSpec> = fc.record({
  cpus: fc.integer({ min: 0, max: 4000 }),
  mem: fc.integer({ min: 0, max: 2000 }),
  ports: fc.integer({ min: 0, max: 12 }),
  reserved: fc.boolean(),
  role: fc.constantFrom<'*' | undefined>('*', undefined),
});
const agentArb = fc.record({ offers: fc.array(offerArb, { minLength: 1, maxLength: 3 }), running: fc.boolean() });
const shapeArb = fc.record({
  count: fc.integer({ min: 1, max: 15 }),
  cpus: fc.integer({ min: 0, max: 1500 }),
  mem: fc.integer({ min: 0, max: 400 }),
  ports: fc.integer({ min: 0, max: 3 }),
});

/** One agent's offers never hold the same port twice (Mesos offers disjoint parts of an agent): offer k gets 31000 + 16k…. */
function resourcesOf(spec: OfferSpec, k: number): Resource[] {
  const portBase = 31000 + 16 * k;
  const identity: Partial<Resource> = spec.reserved ? { reservations: [{ type: 'STATIC', role: 'prod' }] } : spec.role ? { role: spec.role } : {};
  const out: Resource[] = [
    { name: 'cpus', type: 'SCALAR', scalar: { value: spec.cpus / 1000 }, ...identity },
    { name: 'mem', type: 'SCALAR', scalar: { value: spec.mem }, ...identity },
  ];
  if (spec.ports > 0) out.push({ name: 'ports', type: 'RANGES', ranges: { range: [{ begin: portBase, end: portBase + spec.ports - 1 }] }, ...identity });
  return out;
}

function offersOf(agents: { offers: OfferSpec[]; running: boolean }[]): Offer[] {
  return agents.flatMap((a, i) =>
    a.offers.map((spec, k) => ({
      id: { value: `O${i}-${k}` },
      framework_id: { value: 'F' },
      agent_id: { value: `A${i}` },
      hostname: `a${i}.local`,
      resources: resourcesOf(spec, k),
      ...(a.running ? { executor_ids: [{ value: EXECUTOR_ID }] } : {}),
    })),
  );
}

function tasksOf(name: string, count: number, map: ResourceMap): GangTask[] {
  const request = parseResourceMap(map);
  return Array.from({ length: count }, (_, index) => ({ name, index, request }));
}

/** Every task once; per agent, executor + tasks are contained in its offers (identity by identity); no port twice. */
function expectValid(plan: GangPlan, offers: Offer[], all: GangTask[]): void {
  if (!plan.fits) throw new Error('expected a fit');
  const ids = new Set<string>();
  for (const agent of plan.agents) {
    const offered = offers.filter((o) => o.agent_id.value === agent.agentId);
    const running = offered.some((o) => o.executor_ids !== undefined);
    expect(agent.executorResources === undefined).toBe(running);
    const have = addResources([], offered.flatMap((o) => o.resources ?? []));
    let used = addResources([], agent.executorResources ?? []);
    const ports = new Set<number>();
    for (const r of rangesOf(agent.executorResources ?? [], 'ports')) for (let p = r.begin; p <= r.end; p++) ports.add(p);
    for (const t of agent.tasks) {
      expect(ids.has(t.taskId)).toBe(false);
      ids.add(t.taskId);
      used = addResources(used, t.resources);
      for (const r of rangesOf(t.resources, 'ports')) {
        for (let p = r.begin; p <= r.end; p++) {
          expect(ports.has(p)).toBe(false);
          ports.add(p);
        }
      }
    }
    expect(resourcesContain(have, used)).toBe(true);
  }
  expect(ids.size).toBe(all.length);
}

/**
 * First fit of one shape, one task at a time with `allocate`: per agent (in offer order), how
 * many copies go there. The executor is charged on an agent's first task unless it runs there.
 */
function firstFitOneByOne(offers: Offer[], request: ResourceRequest, count: number, executor: ResourceRequest): Map<string, number> {
  const agents = [...new Set(offers.map((o) => o.agent_id.value))];
  const placed = new Map<string, number>();
  let remaining = count;
  for (const agent of agents) {
    if (remaining === 0) break;
    const offered = offers.filter((o) => o.agent_id.value === agent);
    let have: Resource[] = offered.flatMap((o) => o.resources ?? []);
    if (!offered.some((o) => o.executor_ids !== undefined)) {
      const e = allocate(have, executor);
      if (e === undefined) continue;
      have = e.remaining;
    }
    let n = 0;
    for (let a = allocate(have, request); a !== undefined && remaining > 0; a = allocate(have, request)) {
      have = a.remaining;
      n++;
      remaining--;
    }
    if (n > 0) placed.set(agent, n);
  }
  return remaining === 0 ? placed : new Map();
}

describe('GangAllocator arithmetic packing', () => {
  it('places as many copies per agent as allocating them one by one would (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(agentArb, { minLength: 1, maxLength: 6 }), shapeArb, fc.boolean(), (agents, shape, execPorts) => {
        const offers = offersOf(agents);
        const executor = parseResourceMap(execPorts ? { cpus: 0.05, mem: 8, ports: 1 } : { cpus: 0.05, mem: 8 });
        const all = tasksOf('t', shape.count, { cpus: shape.cpus / 1000, mem: shape.mem, ports: shape.ports });
        const plan = new GangAllocator({ executor, executorId: EXECUTOR_ID }).plan(offers, all);
        const expected = firstFitOneByOne(offers, all[0]!.request, all.length, executor);
        expect(plan.fits).toBe(expected.size > 0 || all.length === 0);
        if (!plan.fits) return;
        expectValid(plan, offers, all);
        expect(new Map(plan.agents.map((a) => [a.agentId, a.tasks.length]))).toEqual(expected);
      }),
      { numRuns: 400 },
    );
  });

  it('every fitting plan of several shapes is valid: within offers, nothing taken twice (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(agentArb, { minLength: 1, maxLength: 6 }), fc.array(shapeArb, { minLength: 1, maxLength: 4 }), fc.boolean(), (agents, shapes, execPorts) => {
        const offers = offersOf(agents);
        const executor = parseResourceMap(execPorts ? { cpus: 0.05, mem: 8, ports: 1 } : { cpus: 0.05, mem: 8 });
        const all = shapes.flatMap((s, i) => tasksOf(`s${i}`, s.count, { cpus: s.cpus / 1000, mem: s.mem, ports: s.ports }));
        const plan = new GangAllocator({ executor, executorId: EXECUTOR_ID }).plan(offers, all);
        if (plan.fits) expectValid(plan, offers, all);
        else expect(plan.shortfall.unplaced.reduce((n, u) => n + u.count, 0)).toBeGreaterThan(0);
      }),
      { numRuns: 400 },
    );
  });

  it('shares frozen resources between copies and keeps ports distinct on many agents', () => {
    const offers = offersOf(Array.from({ length: 50 }, () => ({ offers: [{ cpus: 2000, mem: 1000, ports: 10, reserved: false, role: '*' as const }], running: false })));
    const all = [...tasksOf('plain', 300, { cpus: 0.1, mem: 10 }), ...tasksOf('web', 400, { cpus: 0.05, mem: 5, ports: 1 })];
    const plan = new GangAllocator({ executor: parseResourceMap({ cpus: 0.1, mem: 32 }) }).plan(offers, all);
    expectValid(plan, offers, all);
    if (!plan.fits) return;
    for (const agent of plan.agents) for (const t of agent.tasks) expect(Object.isFrozen(t.resources)).toBe(true);
    const plain = plan.agents.flatMap((a) => a.tasks.filter((t) => t.name === 'plain'));
    expect(new Set(plain.map((t) => t.resources)).size).toBeLessThan(plain.length);
  });
});
