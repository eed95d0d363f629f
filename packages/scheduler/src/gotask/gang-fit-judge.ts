/**
 * Which gangs can never fit (docs/design.md, "Gangs that can never fit"): a gang is compared
 * with the cluster at its largest — every agent known, at its largest known size, all empty.
 * It can never fit when one of its tasks with the executor is larger than every agent, or when
 * the whole gang packs onto no set of them (the allocator's own packing against one "offer" per
 * agent the size of the agent, one executor charged per agent used).
 */
import type { Offer, Resource, ResourceMap } from '@mesosgot/common/internal';
import { toResourceMap } from '@mesosgot/common/internal';
import { describeUnfittable, unfittableTasks, type AgentSize } from './agent-fit.js';
import { AgentSizes, plain } from './agent-sizes.js';
import type { GangAllocator } from './gang-allocator.js';
import type { TaskEntry } from './task-table.js';

export interface GangFitJudgeOptions {
  allocator: GangAllocator;
  executorResources: ResourceMap;
  /** The agents' exact totals when known (the embedded cluster); else sizes are learned from offers. */
  agentTotals?: () => readonly AgentSize[];
}

export class GangFitJudge {
  /** Agent sizes learned from offers (agent-sizes.ts); written by the launcher as offers come. */
  readonly sizes = new AgentSizes();
  /** Gang id → the sizes' version it was last found able to fit at: not judged again until they grow. */
  private readonly fitChecked = new Map<number, number>();

  constructor(private readonly options: GangFitJudgeOptions) {}

  /**
   * Why gang `gang` can never fit (the task kind to name, and the reason), or undefined when it
   * could, or while no agent is known.
   */
  neverFits(gang: number, tasks: readonly TaskEntry[]): { taskName: string; reason: string } | undefined {
    const sizes = this.agentSizes();
    // Exact totals do not change; sizes learned from offers only grow (each growth bumps the version).
    const version = this.options.agentTotals === undefined ? this.sizes.version : -1;
    if (sizes.length === 0 || this.fitChecked.get(gang) === version) return undefined;
    const alone = unfittableTasks(tasks, this.options.executorResources, sizes);
    if (alone.length > 0) return { taskName: alone[0]!.name, reason: describeUnfittable(alone, 'agent known') };
    const empty: Offer[] = sizes.map((a) => ({
      id: { value: `size-of-${a.agentId}` },
      framework_id: { value: '' },
      agent_id: { value: a.agentId },
      hostname: a.agentId,
      resources: [...a.resources],
    }));
    if (!this.options.allocator.plan(empty, tasks).fits) {
      const names = [...new Set(tasks.map((t) => t.name))].join(', ');
      return {
        taskName: tasks[0]!.name,
        reason:
          `the gang (${tasks.length} × ${names}, with an executor on each agent used) is larger than the ${sizes.length} ` +
          `agent(s) known together (${describeResources(plain(sizes.flatMap((a) => a.resources)))}), even with every agent empty`,
      };
    }
    this.fitChecked.set(gang, version);
    return undefined;
  }

  /** Agents' sizes to judge by: exact totals when known, else what offers taught. */
  private agentSizes(): readonly AgentSize[] {
    const totals = this.options.agentTotals?.();
    return totals !== undefined && totals.length > 0 ? totals : this.sizes.all();
  }
}

/** `cpus 8, mem 4096, ports [31000-31099]`: a plain size, for messages. */
function describeResources(resources: readonly Resource[]): string {
  return Object.entries(toResourceMap(resources))
    .map(([name, value]) => `${name} ${value}`)
    .join(', ');
}
