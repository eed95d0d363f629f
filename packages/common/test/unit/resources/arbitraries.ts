import fc from 'fast-check';
import type { Resource } from '@mesosgot/common';

/** Identities a generated resource may carry (both role formats, two allocation roles). */
const identities: Partial<Resource>[] = [
  {},
  { role: '*' },
  { role: 'prod' },
  { reservations: [{ type: 'DYNAMIC', role: 'prod', principal: 'p' }] },
  { allocation_info: { role: 'a' } },
  { allocation_info: { role: 'b' }, role: '*' },
];

/**
 * Valid resources; `lane` keeps ranges and set items of two generated lists apart
 * (range values lane*1000…lane*1000+999, items prefixed by the lane) when a law needs disjoint inputs.
 */
export function resourceArb(lane = 0): fc.Arbitrary<Resource> {
  const identity = fc.constantFrom(...identities);
  const scalar = fc
    .tuple(fc.constantFrom('cpus', 'mem', 'gpus'), fc.integer({ min: 0, max: 100_000 }), identity)
    .map(([name, millis, id]): Resource => ({ name, type: 'SCALAR', scalar: { value: millis / 1000 }, ...id }));
  const range = fc
    .tuple(fc.integer({ min: 0, max: 999 }), fc.integer({ min: 0, max: 20 }))
    .map(([b, len]) => ({ begin: lane * 1000 + b, end: lane * 1000 + Math.min(999, b + len) }));
  const ranges = fc
    .tuple(fc.array(range, { maxLength: 4 }), identity)
    .map(([range, id]): Resource => ({ name: 'ports', type: 'RANGES', ranges: { range }, ...id }));
  const set = fc
    .tuple(fc.array(fc.constantFrom('x', 'y', 'z').map((s) => `${lane}${s}`), { maxLength: 3 }), identity)
    .map(([item, id]): Resource => ({ name: 'zones', type: 'SET', set: { item }, ...id }));
  return fc.oneof(scalar, ranges, set);
}

export const resourcesArb = (lane = 0): fc.Arbitrary<Resource[]> => fc.array(resourceArb(lane), { maxLength: 8 });
