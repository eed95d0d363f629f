import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import {
  addResources,
  isEmptyResources,
  parseResourceFlags,
  rangesOf,
  resourcesContain,
  ResourceBalance,
  scalarOf,
  subtractResources,
  toResourceMap,
} from '@mesosgot/common/internal';
import type { Resource } from '@mesosgot/common';
import { resourcesArb } from './arbitraries.js';

const cpus = (value: number, extra: Partial<Resource> = {}): Resource => ({ name: 'cpus', type: 'SCALAR', scalar: { value }, ...extra });
const same = (a: Resource[], b: Resource[]): boolean => resourcesContain(a, b) && resourcesContain(b, a);

describe('resources/arithmetic', () => {
  it('a ResourceBalance answers contains and subtract step by step as resourcesContain and subtractResources do (fast-check)', () => {
    fc.assert(
      fc.property(resourcesArb(), fc.array(resourcesArb(), { maxLength: 6 }), (start, steps) => {
        const balance = new ResourceBalance(start);
        let left = subtractResources(start, []);
        for (const step of steps) {
          expect(balance.contains(step)).toBe(resourcesContain(left, step));
          balance.subtract(step);
          left = subtractResources(left, step);
          expect(balance.resources()).toEqual(left);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('uses 3-decimal fixed point: 0.1 + 0.2 fits in 0.3 and equals it', () => {
    const sum = addResources([cpus(0.1)], [cpus(0.2)]);
    expect(sum).toEqual([cpus(0.3)]);
    expect(resourcesContain([cpus(0.3)], sum)).toBe(true);
    expect(scalarOf([cpus(0.1), cpus(0.2)], 'cpus')).toBe(0.3);
  });

  it('splits a range when ports are subtracted from its middle', () => {
    const have = parseResourceFlags('ports:[31000-32000]');
    const left = subtractResources(have, parseResourceFlags('ports:[31500-31500,31999-32005]'));
    expect(rangesOf(left, 'ports')).toEqual([
      { begin: 31000, end: 31499 },
      { begin: 31501, end: 31998 },
    ]);
  });

  it('keeps identities apart: reserved cpus do not satisfy an unreserved want', () => {
    const reserved = cpus(4, { reservations: [{ type: 'STATIC', role: 'prod' }] });
    expect(resourcesContain([reserved], [cpus(1)])).toBe(false);
    expect(resourcesContain([reserved, cpus(1)], [cpus(1)])).toBe(true);
    expect(addResources([reserved], [cpus(1)])).toHaveLength(2);
    // Absent role and "*" are both unreserved.
    expect(resourcesContain([cpus(1, { role: '*' })], [cpus(1)])).toBe(true);
  });

  it('saturates at zero and drops what is used up', () => {
    expect(subtractResources([cpus(1)], [cpus(2)])).toEqual([]);
    expect(isEmptyResources(subtractResources(parseResourceFlags('cpus:1;zones:{a,b}'), parseResourceFlags('cpus:1;zones:{a,b}')))).toBe(true);
    expect(subtractResources(parseResourceFlags('zones:{a,b}'), parseResourceFlags('zones:{a}'))).toEqual(parseResourceFlags('zones:{b}'));
    expect(isEmptyResources([cpus(0)])).toBe(true);
    expect(isEmptyResources([])).toBe(true);
  });

  it('summarises resources for logs', () => {
    const r = parseResourceFlags('cpus:1.5;cpus(prod):0.5;mem:128;ports:[31000-31001,31005-31005];zones:{a,b}');
    expect(toResourceMap(r)).toEqual({ cpus: 2, mem: 128, ports: '[31000-31001,31005-31005]', zones: '{a,b}' });
    expect(scalarOf(r, 'disk')).toBe(0);
  });

  it('laws: (a+b)-b == a, a+b contains a and b, a+b == b+a, a-a is empty', () => {
    fc.assert(
      fc.property(resourcesArb(0), resourcesArb(1), (a, b) => {
        const sum = addResources(a, b);
        expect(same(subtractResources(sum, b), addResources([], a))).toBe(true);
        expect(resourcesContain(sum, a)).toBe(true);
        expect(resourcesContain(sum, b)).toBe(true);
        expect(same(sum, addResources(b, a))).toBe(true);
        expect(isEmptyResources(subtractResources(a, a))).toBe(true);
        expect(Math.round(scalarOf(sum, 'cpus') * 1000)).toBe(Math.round((scalarOf(a, 'cpus') + scalarOf(b, 'cpus')) * 1000));
      }),
      { numRuns: 300 },
    );
  });

  it('laws: a-b is contained in a, and (a-b)+b contains a for overlapping inputs', () => {
    fc.assert(
      fc.property(resourcesArb(0), resourcesArb(0), (a, b) => {
        const diff = subtractResources(a, b);
        expect(resourcesContain(a, diff)).toBe(true);
        expect(resourcesContain(addResources(diff, b), a)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
