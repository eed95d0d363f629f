import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import {
  InvalidArgumentError,
  type Offer,
  type Resource,
  type ResourceMap,
} from '@mesosgot/common';
import {
  addResources,
  parseResourceFlags,
  parseResourceMap,
  rangesOf,
  resourcesContain,
  scalarOf,
} from '@mesosgot/common/internal';
import { GangAllocator, type GangPlan, type GangTask } from '../../../src/internal.js';

const EXECUTOR = parseResourceMap({ cpus: 0.1, mem: 32 });

function offer(id: string, agent: string, resources: string | Resource[], executorIds: string[] = []): Offer {
  return {
    id: { value: id },
    framework_id: { value: 'F' },
    agent_id: { value: agent },
    hostname: `${agent}.local`,
    resources: typeof resources === 'string' ? parseResourceFlags(resources) : resources,
    ...(executorIds.length ? { executor_ids: executorIds.map((value) => ({ value })) } : {}),
  };
}

function tasks(name: string, count: number, map: ResourceMap): GangTask[] {
  const request = parseResourceMap(map);
  return Array.from({ length: count }, (_, index) => ({ name, index, request }));
}

/** Checks a fitting plan against the offers: every task once, each agent within its offers, ports disjoint. */
function verify(plan: GangPlan, offers: Offer[], all: GangTask[], executorId?: string): void {
  if (!plan.fits) throw new Error(`expected a fit, got ${JSON.stringify(plan.shortfall)}`);
  const seen = new Set<string>();
  for (const agent of plan.agents) {
    const offered = offers.filter((o) => o.agent_id.value === agent.agentId);
    expect(agent.offerIds.map((o) => o.value).sort()).toEqual(offered.map((o) => o.id.value).sort());
    const have = addResources([], offered.flatMap((o) => o.resources ?? []));
    const running = executorId !== undefined && offered.some((o) => o.executor_ids?.some((e) => e.value === executorId));
    expect(agent.executorResources === undefined).toBe(running);
    let used: Resource[] = addResources([], agent.executorResources ?? []);
    const ports = new Set<number>();
    for (const t of agent.tasks) {
      expect(seen.has(t.taskId)).toBe(false);
      seen.add(t.taskId);
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
  expect(seen.size).toBe(all.length);
  const placedAgents = new Set(plan.agents.map((a) => a.agentId));
  expect(plan.unusedOfferIds.map((o) => o.value).sort()).toEqual(offers.filter((o) => !placedAgents.has(o.agent_id.value)).map((o) => o.id.value).sort());
}

describe('GangAllocator', () => {
  it('places every task and charges the executor once per agent', () => {
    const offers = [offer('O1', 'A', 'cpus:1;mem:256')];
    const all = tasks('floor', 3, { cpus: 0.3, mem: 64 });
    const plan = new GangAllocator({ executor: EXECUTOR }).plan(offers, all);
    verify(plan, offers, all);
    if (!plan.fits) return;
    expect(plan.agents).toHaveLength(1);
    expect(plan.agents[0]!.tasks.map((t) => t.taskId)).toEqual(['floor-0', 'floor-1', 'floor-2']);
    expect(scalarOf(plan.agents[0]!.executorResources!, 'cpus')).toBe(0.1);
    expect(scalarOf(plan.agents[0]!.tasks[2]!.resources, 'mem')).toBe(64);
  });

  it('refuses offers that fit in sum but not when packed (fragmentation)', () => {
    // Two agents of 1 cpu hold 1.8 cpus of tasks in sum, but only one 0.6-cpu task each.
    const offers = [offer('O1', 'A', 'cpus:1.2;mem:1024'), offer('O2', 'B', 'cpus:1.2;mem:1024')];
    const all = tasks('t', 3, { cpus: 0.6, mem: 10 });
    const plan = new GangAllocator({ executor: parseResourceMap({ cpus: 0.1 }) }).plan(offers, all);
    expect(plan.fits).toBe(false);
    if (plan.fits) return;
    expect(plan.shortfall.unplaced).toEqual([{ name: 't', count: 1 }]);
    expect(plan.shortfall.missing.cpus).toBeUndefined(); // nothing short: zero entries are left out
    expect(plan.shortfall.offersHeld).toBe(2);
  });

  it('counts the executor: a task that fills an agent alone does not fit beside it', () => {
    const offers = [offer('O1', 'A', 'cpus:1;mem:128')];
    const plan = new GangAllocator({ executor: EXECUTOR }).plan(offers, tasks('t', 1, { cpus: 1, mem: 64 }));
    expect(plan.fits).toBe(false);
    if (!plan.fits) expect(plan.shortfall.missing).toEqual({});
  });

  it('does not charge the executor where it already runs', () => {
    const offers = [offer('O1', 'A', 'cpus:1;mem:128', ['exec-A'])];
    const all = tasks('t', 1, { cpus: 1, mem: 64 });
    const plan = new GangAllocator({ executor: EXECUTOR, executorId: 'exec-A' }).plan(offers, all);
    verify(plan, offers, all, 'exec-A');
  });

  it('reports what is missing when the sum does not fit', () => {
    const offers = [offer('O1', 'A', 'cpus:2;mem:100')];
    const plan = new GangAllocator({ executor: parseResourceMap({}) }).plan(offers, tasks('big', 4, { cpus: 1, mem: 40 }));
    expect(plan.fits).toBe(false);
    if (plan.fits) return;
    expect(plan.shortfall.unplaced).toEqual([{ name: 'big', count: 2 }]);
    expect(plan.shortfall.missing).toEqual({ cpus: 2, mem: 60 });
  });

  it('assigns concrete, disjoint ports from the offered ranges, lowest first', () => {
    const offers = [offer('O1', 'A', 'cpus:4;mem:1024;ports:[31000-31002,31010-31020]')];
    const all = tasks('web', 3, { cpus: 0.1, mem: 10, ports: 2 });
    const plan = new GangAllocator({ executor: EXECUTOR }).plan(offers, all);
    verify(plan, offers, all);
    if (!plan.fits) return;
    expect(plan.agents[0]!.tasks.map((t) => rangesOf(t.resources, 'ports'))).toEqual([
      [{ begin: 31000, end: 31001 }],
      [{ begin: 31002, end: 31002 }, { begin: 31010, end: 31010 }],
      [{ begin: 31011, end: 31012 }],
    ]);
  });

  it('fails when ports run out even though cpus and mem are plenty', () => {
    const offers = [offer('O1', 'A', 'cpus:8;mem:8192;ports:[31000-31004]')];
    const plan = new GangAllocator({ executor: EXECUTOR }).plan(offers, tasks('web', 3, { cpus: 0.1, mem: 10, ports: 2 }));
    expect(plan.fits).toBe(false);
    if (!plan.fits) expect(plan.shortfall.missing.ports).toBe(1);
  });

  it('places tasks asking for the same exact port on different agents', () => {
    const offers = [offer('O1', 'A', 'cpus:4;mem:1024;ports:[8000-8100]'), offer('O2', 'B', 'cpus:4;mem:1024;ports:[8000-8100]')];
    const all = tasks('http', 2, { cpus: 0.1, mem: 10, ports: [[8080, 8080]] });
    const plan = new GangAllocator({ executor: EXECUTOR }).plan(offers, all);
    verify(plan, offers, all);
    if (plan.fits) expect(plan.agents.map((a) => a.tasks.length)).toEqual([1, 1]);
    const three = tasks('http', 3, { cpus: 0.1, mem: 10, ports: [[8080, 8080]] });
    expect(new GangAllocator({ executor: EXECUTOR }).plan(offers, three).fits).toBe(false);
  });

  it('combines several offers of one agent and keeps reservation identities', () => {
    const reserved: Resource[] = [
      { name: 'cpus', type: 'SCALAR', scalar: { value: 0.5 }, reservations: [{ type: 'STATIC', role: 'prod' }] },
      { name: 'mem', type: 'SCALAR', scalar: { value: 100 }, reservations: [{ type: 'STATIC', role: 'prod' }] },
    ];
    const offers = [offer('O1', 'A', reserved), offer('O2', 'A', 'cpus:0.5;mem:100')];
    const all = tasks('t', 2, { cpus: 0.45, mem: 80 });
    const plan = new GangAllocator({ executor: parseResourceMap({ cpus: 0.1, mem: 10 }) }).plan(offers, all);
    verify(plan, offers, all);
    if (!plan.fits) return;
    expect(plan.agents[0]!.offerIds.map((o) => o.value)).toEqual(['O1', 'O2']);
    // The first task's cpus span both pools: one Resource per identity.
    const cpus = plan.agents[0]!.tasks[0]!.resources.filter((r) => r.name === 'cpus');
    expect(cpus.some((r) => r.reservations?.[0]?.role === 'prod')).toBe(true);
  });

  it('packs big tasks first so small ones fill the gaps (decreasing order)', () => {
    const offers = [offer('O1', 'A', 'cpus:1;mem:1000'), offer('O2', 'B', 'cpus:1;mem:1000')];
    const all = [...tasks('small', 2, { cpus: 0.3, mem: 1 }), ...tasks('big', 2, { cpus: 0.7, mem: 1 })];
    const plan = new GangAllocator({ executor: parseResourceMap({}) }).plan(offers, all);
    verify(plan, offers, all);
  });

  it('refuses a duplicate task id with InvalidArgumentError', () => {
    const all = [...tasks('t', 2, { cpus: 0.1 }), ...tasks('t', 1, { cpus: 0.1 })];
    expect(() => new GangAllocator({ executor: EXECUTOR }).plan([], all)).toThrow(InvalidArgumentError);
    expect(() => new GangAllocator({ executor: parseResourceMap({ ports: [[1, 2]] }) })).toThrow(InvalidArgumentError);
  });

  it('an empty gang fits with no agents; every offer is unused', () => {
    const offers = [offer('O1', 'A', 'cpus:1')];
    expect(new GangAllocator({ executor: EXECUTOR }).plan(offers, [])).toEqual({ fits: true, agents: [], unusedOfferIds: [{ value: 'O1' }] });
  });

  it('every plan it calls a fit is valid against the offers (fast-check)', () => {
    const agentArb = fc.record({
      cpus: fc.integer({ min: 0, max: 8000 }).map((m) => m / 1000),
      mem: fc.integer({ min: 0, max: 4096 }),
      ports: fc.integer({ min: 0, max: 20 }),
      offers: fc.integer({ min: 1, max: 2 }),
    });
    const groupArb = fc.record({
      count: fc.integer({ min: 1, max: 12 }),
      cpus: fc.integer({ min: 1, max: 2000 }).map((m) => m / 1000),
      mem: fc.integer({ min: 0, max: 512 }),
      ports: fc.integer({ min: 0, max: 3 }),
    });
    fc.assert(
      fc.property(fc.array(agentArb, { minLength: 1, maxLength: 6 }), fc.array(groupArb, { minLength: 1, maxLength: 4 }), (agents, groups) => {
        const offers: Offer[] = [];
        agents.forEach((a, i) => {
          for (let k = 0; k < a.offers; k++) {
            // Split the agent's resources over its offers.
            const share = k === 0 ? 1 - (a.offers - 1) / 2 : 0.5;
            const text = `cpus:${Math.floor(a.cpus * share * 1000) / 1000};mem:${Math.floor(a.mem * share)}${k === 0 && a.ports > 0 ? `;ports:[${30000}-${30000 + a.ports - 1}]` : ''}`;
            offers.push(offer(`O${i}-${k}`, `A${i}`, text));
          }
        });
        const all = groups.flatMap((g, i) => tasks(`g${i}`, g.count, { cpus: g.cpus, mem: g.mem, ports: g.ports }));
        const plan = new GangAllocator({ executor: parseResourceMap({ cpus: 0.05, mem: 8 }) }).plan(offers, all);
        if (plan.fits) verify(plan, offers, all);
        else {
          const unplaced = plan.shortfall.unplaced.reduce((n, u) => n + u.count, 0);
          expect(unplaced).toBeGreaterThan(0);
          expect(unplaced).toBeLessThanOrEqual(all.length);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('packs 100 000 tasks into 10 000 offers', () => {
    const offers = Array.from({ length: 10_000 }, (_, i) => offer(`O${i}`, `A${i}`, 'cpus:4;mem:4096;disk:1000;ports:[31000-31099]'));
    const all = [
      ...tasks('worker', 60_000, { cpus: 0.3, mem: 256 }),
      ...tasks('web', 30_000, { cpus: 0.2, mem: 128, ports: 2 }),
      ...tasks('db', 10_000, { cpus: 0.5, mem: 512, disk: 50 }),
    ];
    // Correctness only: the ≤ 200 ms goal is a benchmark figure (npm run bench, gang packing),
    // never a timed unit test on a shared machine.
    const plan = new GangAllocator({ executor: EXECUTOR }).plan(offers, all);
    expect(plan.fits).toBe(true);
    if (plan.fits) expect(plan.agents.reduce((n, a) => n + a.tasks.length, 0)).toBe(100_000);
  });
});
