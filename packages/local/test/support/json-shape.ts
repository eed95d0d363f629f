/**
 * Shape comparison against a recording of a real Mesos: every field the recorded document has
 * must be present in ours with the same JSON kind (object, array, string, number, boolean),
 * recursively; arrays compare their first elements when both have one. Values may differ (ids,
 * times, resources); extra fields of ours are allowed. Returns the mismatching paths.
 */
export function shapeMismatches(recorded: unknown, ours: unknown, path = '$', ignore: ReadonlySet<string> = new Set()): string[] {
  if (ignore.has(path)) return [];
  const kind = (v: unknown): string => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);
  if (kind(recorded) !== kind(ours)) return [`${path}: recorded ${kind(recorded)}, ours ${kind(ours)}`];
  if (Array.isArray(recorded)) {
    const theirs = recorded[0];
    const mine = (ours as unknown[])[0];
    return theirs === undefined || mine === undefined ? [] : shapeMismatches(theirs, mine, `${path}[]`, ignore);
  }
  if (recorded !== null && typeof recorded === 'object') {
    const out: string[] = [];
    for (const [key, value] of Object.entries(recorded)) {
      const here = `${path}.${key}`;
      if (ignore.has(here)) continue;
      if (!(key in (ours as Record<string, unknown>))) out.push(`${here}: missing`);
      else out.push(...shapeMismatches(value, (ours as Record<string, unknown>)[key], here, ignore));
    }
    return out;
  }
  return [];
}
