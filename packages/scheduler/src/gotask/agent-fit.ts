/**
 * Which declared tasks can never fit on any agent: all-or-nothing waits for offers until the
 * gang fits, which is for ever when one task (plus the executor charged on its agent) is larger
 * than every agent. The aggregate shortfall of the allocator cannot say so (4 agents of 4 cpus
 * "miss" 50 cpus for a 64-cpu task); comparing each task with each agent's size can. Sizes are
 * agents' totals when known (the embedded cluster), else the most an agent offered at once.
 */
import { parseResourceMap, rangesOf, scalarOf, type Resource, type ResourceMap } from '@mesosgot/common/internal';
import type { TaskEntry } from './task-table.js';

/** One task kind that no agent can hold, and why. */
export interface UnfittableTask {
  /** The spawn's name. */
  name: string;
  /** Per resource: what one task needs, its agent's executor included. */
  demand: Record<string, number>;
  /** The largest agent compared (by how much of the demand it could hold), and what it has. */
  largestAgent: { agentId: string; resources: Record<string, number> } | undefined;
  /** Resources the largest agent has too little of, e.g. `cpus 64.1 > 4`. */
  short: string[];
}

/** An agent's size: its id and resources. */
export interface AgentSize {
  agentId: string;
  resources: readonly Resource[];
}

/**
 * The task kinds among `tasks` that fit none of `agents` even alone, with `executor` charged on
 * the agent. Empty when `agents` is empty (nothing known yet). Never throws.
 */
export function unfittableTasks(tasks: Iterable<TaskEntry>, executor: ResourceMap, agents: readonly AgentSize[]): UnfittableTask[] {
  if (agents.length === 0) return [];
  const executorRequest = parseResourceMap(executor, 'executorResources');
  const seen = new Set<string>();
  const out: UnfittableTask[] = [];
  for (const task of tasks) {
    if (seen.has(task.name)) continue;
    seen.add(task.name);
    const demand: Record<string, number> = {};
    for (const r of [...task.request.resources, ...executorRequest.resources]) {
      if (r.scalar !== undefined) demand[r.name] = round((demand[r.name] ?? 0) + r.scalar.value);
    }
    for (const [name, count] of Object.entries(task.request.rangeCounts)) demand[name] = (demand[name] ?? 0) + count;
    let best: { agent: AgentSize; short: string[]; have: Record<string, number> } | undefined;
    for (const agent of agents) {
      const have: Record<string, number> = {};
      const short: string[] = [];
      for (const [name, need] of Object.entries(demand)) {
        const size = name in task.request.rangeCounts ? rangeSize(agent.resources, name) : scalarOf(agent.resources, name);
        have[name] = round(size);
        if (need > size + 1e-9) short.push(`${name} ${need} > ${round(size)}`);
      }
      if (short.length === 0) {
        best = undefined;
        break;
      }
      if (best === undefined || short.length < best.short.length) best = { agent, short, have };
    }
    if (best !== undefined) out.push({ name: task.name, demand, largestAgent: { agentId: best.agent.agentId, resources: best.have }, short: best.short });
  }
  return out;
}

/** One line per kind: `task "x" cannot fit on any agent: needs cpus 64.1 > 4 (largest agent a1)`. */
export function describeUnfittable(tasks: readonly UnfittableTask[], where: string): string {
  return tasks
    .map((t) => `task "${t.name}" cannot fit on any ${where}: one task with its executor needs ${t.short.join(', ')}${t.largestAgent ? ` (largest agent ${t.largestAgent.agentId})` : ''}`)
    .join('; ');
}

function rangeSize(resources: readonly Resource[], name: string): number {
  return rangesOf(resources, name).reduce((n, r) => n + (r.end - r.begin + 1), 0);
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
