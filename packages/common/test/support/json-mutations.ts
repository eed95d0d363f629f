// Shared by the scheduler and executor event-decoder fuzz suites (test-only helper).
import fc from 'fast-check';

/** A key path into a JSON value (object keys and array indexes). */
export type JsonPath = (string | number)[];

/** Every path below the root, parents before children. */
export function pathsOf(value: unknown, prefix: JsonPath = []): JsonPath[] {
  if (typeof value !== 'object' || value === null) return [];
  const out: JsonPath[] = [];
  for (const [key, child] of Object.entries(value)) {
    const path = [...prefix, Array.isArray(value) ? Number(key) : key];
    out.push(path, ...pathsOf(child, path));
  }
  return out;
}

/** One edit of a decoded event: drop a field, or put another JSON value (of any type) there. */
export type Mutation = { pick: number; kind: 'remove' } | { pick: number; kind: 'replace'; value: unknown };

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ pick: fc.nat(), kind: fc.constant('remove' as const) }),
  fc.record({
    pick: fc.nat(),
    kind: fc.constant('replace' as const),
    // Retyped values: the wrong scalar kinds, empty containers, ids without `value`, deep-ish JSON.
    value: fc.oneof(
      fc.constantFrom(null, true, 0, -1, 1.5, '', 'x', [], {}, { value: 7 }, { value: '' }, [{ value: 'a' }]),
      fc.jsonValue({ maxDepth: 3 }),
    ),
  }),
);

/** Applies `mutations` to a deep copy of `event`; each picks a path of the copy as it is then. */
export function mutate(event: unknown, mutations: readonly Mutation[]): unknown {
  const copy = structuredClone(event);
  for (const m of mutations) {
    const paths = pathsOf(copy);
    if (paths.length === 0) break;
    const path = paths[m.pick % paths.length]!;
    const parent = path.slice(0, -1).reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], copy) as
      | Record<string, unknown>
      | unknown[];
    const key = path.at(-1)!;
    if (m.kind === 'remove') {
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
    } else {
      (parent as Record<string | number, unknown>)[key] = structuredClone(m.value);
    }
  }
  return copy;
}

/** fc.anything() turned into what JSON.parse can return (undefined → null, NaN → null, …). */
export const anyJson: fc.Arbitrary<unknown> = fc
  .anything({ maxDepth: 3 })
  .map((v) => JSON.parse(JSON.stringify(v) ?? 'null') as unknown);
