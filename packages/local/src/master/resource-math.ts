/**
 * Resource arithmetic the master needs for offers and launch validation: unreserved
 * resources summed by name, scalars in 3-decimal fixed point as Mesos does (§4 "Mesos rounds
 * to 3 decimal digits"), ranges merged, sets as unions.
 * TODO(common resources): switch to @mesosgot/common's arithmetic once it lands.
 */
import type { Range, Resource } from '@mesosgot/common';

/** One resource name's amount, normalized. */
type Amount =
  | { type: 'SCALAR'; milli: number }
  | { type: 'RANGES'; ranges: Range[] }
  | { type: 'SET'; items: string[] };

/** Resources keyed by name, insertion-ordered (agent flag order). */
export type ResourceBag = Map<string, Amount>;

export function toBag(resources: readonly Resource[] | undefined): ResourceBag {
  const bag: ResourceBag = new Map();
  for (const r of resources ?? []) addInto(bag, r.name, amountOf(r));
  return bag;
}

export function fromBag(bag: ResourceBag): Resource[] {
  const out: Resource[] = [];
  for (const [name, a] of bag) {
    switch (a.type) {
      case 'SCALAR':
        if (a.milli > 0) out.push({ name, type: 'SCALAR', scalar: { value: a.milli / 1000 } });
        break;
      case 'RANGES':
        if (a.ranges.length > 0) out.push({ name, type: 'RANGES', ranges: { range: a.ranges.map((r) => ({ ...r })) } });
        break;
      case 'SET':
        if (a.items.length > 0) out.push({ name, type: 'SET', set: { item: [...a.items] } });
        break;
    }
  }
  return out;
}

export function addResources(a: readonly Resource[], b: readonly Resource[]): Resource[] {
  const bag = toBag(a);
  for (const r of b) addInto(bag, r.name, amountOf(r));
  return fromBag(bag);
}

/** `a - b`, clamped at zero per name (callers check `containsResources` first when it matters). */
export function subtractResources(a: readonly Resource[], b: readonly Resource[]): Resource[] {
  const bag = toBag(a);
  for (const [name, amount] of toBag(b)) {
    const have = bag.get(name);
    if (!have) continue;
    bag.set(name, minus(have, amount));
  }
  return fromBag(bag);
}

/** True when `a` holds at least everything in `b`. */
export function containsResources(a: readonly Resource[], b: readonly Resource[]): boolean {
  const have = toBag(a);
  for (const [name, need] of toBag(b)) {
    const got = have.get(name);
    if (!isZero(need) && (!got || !covers(got, need))) return false;
  }
  return true;
}

export function isEmptyResources(rs: readonly Resource[] | undefined): boolean {
  return fromBag(toBag(rs)).length === 0;
}

/** Scalar amount of one resource name (0 if absent). */
export function scalarOf(rs: readonly Resource[] | undefined, name: string): number {
  const a = toBag(rs).get(name);
  return a?.type === 'SCALAR' ? a.milli / 1000 : 0;
}

/**
 * Mesos' text form of resources, as it appears in validation messages:
 * `cpus(allocated: *):3.8; mem(allocated: *):4032; ports(allocated: *):[31000-31099]`.
 */
export function formatResources(rs: readonly Resource[], role: string | undefined): string {
  const suffix = role === undefined ? '' : `(allocated: ${role})`;
  return rs
    .map((r) => {
      const a = amountOf(r);
      const text =
        a.type === 'SCALAR'
          ? String(a.milli / 1000)
          : a.type === 'RANGES'
            ? `[${a.ranges.map((x) => `${x.begin}-${x.end}`).join(', ')}]`
            : `{${a.items.join(', ')}}`;
      return `${r.name}${suffix}:${text}`;
    })
    .join('; ');
}

/** Scalars as numbers and ranges as Mesos' `[a-b, c-d]` text, for /master/state. */
export function resourcesSummary(rs: readonly Resource[]): Record<string, number | string> {
  const out: Record<string, number | string> = { cpus: 0, mem: 0, disk: 0, gpus: 0 };
  for (const [name, a] of toBag(rs)) {
    if (a.type === 'SCALAR') out[name] = a.milli / 1000;
    else if (a.type === 'RANGES') out[name] = `[${a.ranges.map((x) => `${x.begin}-${x.end}`).join(', ')}]`;
    else out[name] = `{${a.items.join(', ')}}`;
  }
  return out;
}

/**
 * Parses an agent `--resources` flag: `cpus:4;mem:4096;disk:4096;ports:[31000-32000]`
 * (a `{a,b}` value is a set). Throws on a malformed entry.
 */
export function parseResourceFlag(text: string): Resource[] {
  const out: Resource[] = [];
  for (const part of text.split(';').map((p) => p.trim()).filter((p) => p.length > 0)) {
    const m = /^([A-Za-z0-9_.-]+)(?:\([^)]*\))?:(.+)$/.exec(part);
    if (!m) throw new Error(`invalid resource '${part}': expected name:value`);
    const name = m[1]!;
    const value = m[2]!.trim();
    if (value.startsWith('[')) {
      const body = value.replace(/^\[|\]$/g, '');
      const range: Range[] = body
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0)
        .map((s) => {
          const rm = /^(\d+)-(\d+)$/.exec(s);
          if (!rm || Number(rm[1]) > Number(rm[2])) throw new Error(`invalid range '${s}' in resource '${name}'`);
          return { begin: Number(rm[1]), end: Number(rm[2]) };
        });
      out.push({ name, type: 'RANGES', ranges: { range } });
    } else if (value.startsWith('{')) {
      const item = value.replace(/^\{|\}$/g, '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
      out.push({ name, type: 'SET', set: { item } });
    } else {
      const n = Number(value);
      if (!Number.isFinite(n) || n < 0) throw new Error(`invalid scalar '${value}' in resource '${name}'`);
      out.push({ name, type: 'SCALAR', scalar: { value: n } });
    }
  }
  return out;
}

function amountOf(r: Resource): Amount {
  switch (r.type) {
    case 'SCALAR':
      return { type: 'SCALAR', milli: Math.round((r.scalar?.value ?? 0) * 1000) };
    case 'RANGES':
      return { type: 'RANGES', ranges: normalize((r.ranges?.range ?? []).map((x) => ({ begin: x.begin, end: x.end }))) };
    case 'SET':
      return { type: 'SET', items: [...new Set(r.set?.item ?? [])] };
    case 'TEXT':
      return { type: 'SET', items: [] };
  }
}

function addInto(bag: ResourceBag, name: string, a: Amount): void {
  const have = bag.get(name);
  if (!have) {
    bag.set(name, a);
    return;
  }
  if (have.type === 'SCALAR' && a.type === 'SCALAR') bag.set(name, { type: 'SCALAR', milli: have.milli + a.milli });
  else if (have.type === 'RANGES' && a.type === 'RANGES') bag.set(name, { type: 'RANGES', ranges: normalize([...have.ranges, ...a.ranges]) });
  else if (have.type === 'SET' && a.type === 'SET') bag.set(name, { type: 'SET', items: [...new Set([...have.items, ...a.items])] });
}

function minus(have: Amount, take: Amount): Amount {
  if (have.type === 'SCALAR' && take.type === 'SCALAR') return { type: 'SCALAR', milli: Math.max(0, have.milli - take.milli) };
  if (have.type === 'RANGES' && take.type === 'RANGES') {
    let ranges = have.ranges;
    for (const t of take.ranges) {
      ranges = ranges.flatMap((r) => {
        if (t.end < r.begin || t.begin > r.end) return [r];
        const parts: Range[] = [];
        if (t.begin > r.begin) parts.push({ begin: r.begin, end: t.begin - 1 });
        if (t.end < r.end) parts.push({ begin: t.end + 1, end: r.end });
        return parts;
      });
    }
    return { type: 'RANGES', ranges };
  }
  if (have.type === 'SET' && take.type === 'SET') return { type: 'SET', items: have.items.filter((i) => !take.items.includes(i)) };
  return have;
}

function covers(have: Amount, need: Amount): boolean {
  if (have.type === 'SCALAR' && need.type === 'SCALAR') return have.milli >= need.milli;
  if (have.type === 'RANGES' && need.type === 'RANGES') {
    return need.ranges.every((n) => have.ranges.some((h) => h.begin <= n.begin && n.end <= h.end));
  }
  if (have.type === 'SET' && need.type === 'SET') return need.items.every((i) => have.items.includes(i));
  return false;
}

function isZero(a: Amount): boolean {
  return a.type === 'SCALAR' ? a.milli <= 0 : a.type === 'RANGES' ? a.ranges.length === 0 : a.items.length === 0;
}

function normalize(ranges: Range[]): Range[] {
  const sorted = ranges.filter((r) => r.begin <= r.end).sort((x, y) => x.begin - y.begin);
  const out: Range[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.begin <= last.end + 1) last.end = Math.max(last.end, r.end);
    else out.push({ ...r });
  }
  return out;
}
