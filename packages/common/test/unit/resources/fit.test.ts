import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import {
  addResources,
  allocate,
  allocateAll,
  fits,
  parseResourceFlags,
  parseResourceMap,
  rangesOf,
  resourcesContain,
  scalarOf,
} from '@mesosgot/common/internal';
import type { Resource } from '@mesosgot/common';
import { resourcesArb } from './arbitraries.js';

const withAllocation = (rs: Resource[], role: string): Resource[] => rs.map((r) => ({ ...r, allocation_info: { role } }));
const stripIdentity = (rs: Resource[]): Resource[] =>
  rs.map(({ name, type, scalar, ranges, set }) => ({ name, type, scalar, ranges, set }) as Resource);

describe('resources/fit', () => {
  it('takes the lowest free ports for a port count and keeps the offer identity', () => {
    const offer = withAllocation(parseResourceFlags('cpus:2;mem:1024;ports:[31005-31010,31000-31001]'), 'web');
    const a = allocate(offer, parseResourceMap({ cpus: 0.5, mem: 128, ports: 3 }));
    expect(a).toBeDefined();
    expect(rangesOf(a?.allocated ?? [], 'ports')).toEqual([
      { begin: 31000, end: 31001 },
      { begin: 31005, end: 31005 },
    ]);
    expect(a?.allocated.every((r) => r.allocation_info?.role === 'web')).toBe(true);
    expect(scalarOf(a?.remaining ?? [], 'cpus')).toBe(1.5);
    expect(rangesOf(a?.remaining ?? [], 'ports')).toEqual([{ begin: 31006, end: 31010 }]);
  });

  it('takes exact ports when asked for ranges, and refuses ports the offer lacks', () => {
    const offer = parseResourceFlags('ports:[31000-31010]');
    expect(rangesOf(allocate(offer, parseResourceMap({ ports: [[31004, 31005]] }))?.allocated ?? [], 'ports')).toEqual([{ begin: 31004, end: 31005 }]);
    expect(fits(offer, parseResourceMap({ ports: [[31010, 31011]] }))).toBe(false);
    expect(fits(offer, parseResourceMap({ ports: 12 }))).toBe(false);
    expect(fits(offer, parseResourceMap({ ports: 11 }))).toBe(true);
  });

  it('fits 0.1 + 0.2 cpus into 0.3, and combines reservations of one allocation role', () => {
    const offer = [
      { name: 'cpus', type: 'SCALAR', scalar: { value: 0.2 }, reservations: [{ type: 'STATIC', role: 'r' }], allocation_info: { role: 'r' } },
      { name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 }, allocation_info: { role: 'r' } },
    ] satisfies Resource[];
    const a = allocate(offer, [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.3 } }]);
    expect(a?.allocated).toHaveLength(2);
    expect(a?.remaining).toEqual([]);
  });

  it('never spans allocation roles', () => {
    const offer = [...withAllocation(parseResourceFlags('cpus:1'), 'a'), ...withAllocation(parseResourceFlags('cpus:1'), 'b')];
    expect(fits(offer, parseResourceMap({ cpus: 1 }))).toBe(true);
    expect(fits(offer, parseResourceMap({ cpus: 1.5 }))).toBe(false);
  });

  it('allocateAll is all or nothing', () => {
    const offer = parseResourceFlags('cpus:1;mem:256;ports:[31000-31002]');
    const task = parseResourceMap({ cpus: 0.4, mem: 100, ports: 1 });
    const two = allocateAll(offer, [task, task]);
    expect(two?.allocations.map((r) => rangesOf(r, 'ports')[0]?.begin)).toEqual([31000, 31001]);
    expect(scalarOf(two?.remaining ?? [], 'cpus')).toBe(0.2);
    expect(allocateAll(offer, [task, task, task])).toBeUndefined();
    expect(allocateAll(offer, [])).toEqual({ allocations: [], remaining: offer });
  });

  it('an empty request fits anything, even nothing', () => {
    expect(allocate([], parseResourceMap({}))).toEqual({ allocated: [], remaining: [] });
    expect(fits([], parseResourceMap({ cpus: 0.001 }))).toBe(false);
  });

  it('laws: allocated + remaining == have, and a request made of part of an offer fits it', () => {
    fc.assert(
      fc.property(resourcesArb(0), resourcesArb(1), fc.nat({ max: 5 }), (part, rest, ports) => {
        const have = withAllocation(addResources(part, rest), 'r');
        const a = allocate(have, { resources: stripIdentity(part), rangeCounts: ports > 0 ? { ports } : {} });
        const freePorts = rangesOf(rest, 'ports').reduce((n, r) => n + r.end - r.begin + 1, 0);
        if (ports <= freePorts) expect(a).toBeDefined();
        if (a === undefined) return;
        expect(resourcesContain(have, a.allocated)).toBe(true);
        const back = addResources(a.allocated, a.remaining);
        expect(resourcesContain(back, have) && resourcesContain(have, back)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
