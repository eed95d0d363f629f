/**
 * How large each agent is, as far as a scheduler can tell (docs/design.md, "Gangs that can
 * never fit"): the embedded cluster reports its agents' totals; on a real cluster an agent is
 * at least what it offered at once plus what our own tasks and executor held there at that
 * moment, and the largest such sum seen is kept. Resources are kept plain (per name, no role or
 * reservation), as a fit check against an empty agent needs.
 */
import { rangesOf, scalarOf, type Offer, type Resource } from '@mesosgot/common/internal';
import type { AgentSize } from './agent-fit.js';

export class AgentSizes {
  /** Per agent, its largest known size (plain resources). Bound: one entry per agent that ever offered. */
  private readonly sizes = new Map<string, Resource[]>();
  /** Bumped whenever a size grew or an agent appeared: results computed from the sizes go stale. */
  version = 0;

  /**
   * Takes the offers held now: for each agent, what it offers plus `ours(agentId)` (the
   * resources our live tasks and executor hold there) is a lower bound of its size.
   */
  note(held: Iterable<Offer>, ours: (agentId: string) => readonly Resource[]): void {
    const offered = new Map<string, Resource[]>();
    for (const offer of held) {
      const list = offered.get(offer.agent_id.value);
      if (list === undefined) offered.set(offer.agent_id.value, [...(offer.resources ?? [])]);
      else list.push(...(offer.resources ?? []));
    }
    for (const [agentId, resources] of offered) {
      const seen = plain([...resources, ...ours(agentId)]);
      const before = this.sizes.get(agentId);
      const merged = before === undefined ? seen : larger(before, seen);
      if (before === undefined || !sameSize(before, merged)) {
        this.sizes.set(agentId, merged);
        this.version++;
      }
    }
  }

  /** Every agent's known size. */
  all(): AgentSize[] {
    return [...this.sizes].map(([agentId, resources]) => ({ agentId, resources }));
  }
}

/** One plain resource per name: scalars summed over identities, ranges united. */
export function plain(resources: readonly Resource[]): Resource[] {
  const out: Resource[] = [];
  const names = new Map<string, Resource['type']>();
  for (const r of resources) if (!names.has(r.name) && (r.type === 'SCALAR' || r.type === 'RANGES')) names.set(r.name, r.type);
  for (const [name, type] of names) {
    if (type === 'SCALAR') out.push({ name, type, scalar: { value: scalarOf(resources, name) } });
    else out.push({ name, type, ranges: { range: rangesOf(resources, name) } });
  }
  return out;
}

/** Per name, the larger of two plain sizes (ranges united). */
function larger(a: readonly Resource[], b: readonly Resource[]): Resource[] {
  const both = [...a, ...b];
  const out: Resource[] = [];
  for (const name of new Set(both.map((r) => r.name))) {
    const first = both.find((r) => r.name === name)!;
    if (first.type === 'SCALAR') {
      out.push({ name, type: 'SCALAR', scalar: { value: Math.max(scalarOf(a, name), scalarOf(b, name)) } });
    } else {
      out.push({ name, type: 'RANGES', ranges: { range: rangesOf(both, name) } });
    }
  }
  return out;
}

function sameSize(a: readonly Resource[], b: readonly Resource[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
