/**
 * The agents the master knows and what is allocated on each: task resources and executor
 * resources (charged once per executor per agent, docs/protocol.md, "Launch validation").
 */
import type { AgentInfo, ExecutorInfo, Resource } from '@mesosgot/common/internal';
import type { AgentLink } from '../links.js';
import { addResources, subtractResources } from '@mesosgot/common/internal';

/** One registered agent. `used` is written by launches, terminal updates and executor exits. */
export interface AgentEntry {
  readonly id: string;
  readonly link: AgentLink;
  readonly info: AgentInfo;
  /**
   * Everything the agent has, bare, with the reservations and persistent volumes made on it: offer
   * operations (RESERVE, UNRESERVE, CREATE, DESTROY; offer-operations.ts) convert parts of it.
   */
  total: Resource[];
  /** Resources of live tasks and executors (without role/allocation_info). */
  used: Resource[];
  /** frameworkId → executorId → the ExecutorInfo the master accepted (for the compatibility check of
   * docs/protocol.md, "Launch validation"). */
  readonly executors: Map<string, Map<string, ExecutorInfo>>;
  readonly registeredAt: number;
}

export class AgentRegistry {
  readonly #agents = new Map<string, AgentEntry>();

  /** Adds (or replaces, on re-registration with the same id) an agent with nothing used. */
  register(link: AgentLink): AgentEntry {
    const id = link.info.id.value;
    const entry: AgentEntry = {
      id,
      link,
      info: link.info,
      total: bare(link.info.resources ?? []),
      used: [],
      executors: new Map(),
      registeredAt: Date.now() / 1000,
    };
    this.#agents.set(id, entry);
    return entry;
  }

  get(id: string | undefined): AgentEntry | undefined {
    return id === undefined ? undefined : this.#agents.get(id);
  }

  all(): AgentEntry[] {
    return [...this.#agents.values()];
  }

  remove(id: string): AgentEntry | undefined {
    const entry = this.#agents.get(id);
    this.#agents.delete(id);
    return entry;
  }

  charge(agent: AgentEntry, resources: readonly Resource[]): void {
    agent.used = addResources(agent.used, bare(resources));
  }

  release(agent: AgentEntry, resources: readonly Resource[]): void {
    agent.used = subtractResources(agent.used, bare(resources));
  }

  executor(agent: AgentEntry, frameworkId: string, executorId: string): ExecutorInfo | undefined {
    return agent.executors.get(frameworkId)?.get(executorId);
  }

  addExecutor(agent: AgentEntry, frameworkId: string, info: ExecutorInfo): void {
    let byId = agent.executors.get(frameworkId);
    if (!byId) agent.executors.set(frameworkId, (byId = new Map()));
    byId.set(info.executor_id.value, info);
    this.charge(agent, info.resources ?? []);
  }

  /** Frees an executor's resources; false if the master did not know it. */
  removeExecutor(agent: AgentEntry, frameworkId: string, executorId: string): boolean {
    const byId = agent.executors.get(frameworkId);
    const info = byId?.get(executorId);
    if (!byId || !info) return false;
    byId.delete(executorId);
    if (byId.size === 0) agent.executors.delete(frameworkId);
    this.release(agent, info.resources ?? []);
    return true;
  }

  executorIds(agent: AgentEntry, frameworkId: string): string[] {
    return [...(agent.executors.get(frameworkId)?.keys() ?? [])];
  }
}

/**
 * Resources as accounted: in the post-refinement format (reservations stacked in
 * `reservations`, no `role`/`reservation`), without allocation_info. A pre-refinement resource
 * (`role` other than `"*"`) becomes one reservation for that role, DYNAMIC when it carries
 * `reservation` (principal, labels), STATIC otherwise, as Mesos upgrades what such a framework sends.
 */
export function bare(resources: readonly Resource[]): Resource[] {
  return resources.map((r) => {
    const { role, reservation, allocation_info: _alloc, ...rest } = r;
    if ((rest.reservations?.length ?? 0) > 0 || role === undefined || role === '*') {
      if (rest.reservations?.length === 0) delete rest.reservations;
      return rest;
    }
    return { ...rest, reservations: [{ ...reservation, type: reservation ? 'DYNAMIC' : 'STATIC', role }] };
  });
}
