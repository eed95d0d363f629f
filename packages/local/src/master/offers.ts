/**
 * Outstanding offers and refuse filters (docs/protocol.md, "Offer lifetime", "Filters and declines"). One offer per agent
 * per framework holds every resource of that agent nobody uses or holds in another offer.
 * Leftovers of an ACCEPT/DECLINE are filtered for `refuse_seconds` (default 5, negative ⇒ the
 * default, 0 ⇒ no filter, capped at 365 days); REVIVE clears a framework's filters.
 */
import type { ExecutorID, Offer, Resource } from '@mesosgot/common/internal';
import type { AgentEntry } from './agent-registry.js';
import type { Framework } from './frameworks.js';
import { addResources, isEmptyResources, resourcesContain, scalarOf } from '@mesosgot/common/internal';

/** Longest filter Mesos applies (docs/protocol.md, "Filters and declines"). */
const MAX_REFUSE_SECONDS = 365 * 24 * 3600;
/**
 * Mesos' default `--min_allocatable_resources` is `cpus:0.01|mem:32`: smaller leftovers are
 * not offered.
 */
const MIN_OFFER_CPUS = 0.01;
const MIN_OFFER_MEM = 32;

export interface OutstandingOffer {
  readonly offer: Offer;
  readonly frameworkId: string;
  readonly agentId: string;
  /** The offered resources, bare (no role/allocation_info). */
  readonly resources: Resource[];
  readonly role: string;
}

interface RefuseFilter {
  frameworkId: string;
  agentId: string;
  resources: Resource[];
  expiresAt: number;
}

export class OfferBook {
  readonly #masterId: string;
  readonly #offers = new Map<string, OutstandingOffer>();
  #filters: RefuseFilter[] = [];
  #nextId = 0;

  constructor(masterId: string) {
    this.#masterId = masterId;
  }

  get(offerId: string): OutstandingOffer | undefined {
    return this.#offers.get(offerId);
  }

  all(): OutstandingOffer[] {
    return [...this.#offers.values()];
  }

  /** Removes an offer (used, declined, rescinded) and returns it. */
  take(offerId: string): OutstandingOffer | undefined {
    const offer = this.#offers.get(offerId);
    this.#offers.delete(offerId);
    return offer;
  }

  /** Everything currently offered on one agent (to any framework). */
  offeredOn(agentId: string): Resource[] {
    let sum: Resource[] = [];
    for (const o of this.#offers.values()) if (o.agentId === agentId) sum = addResources(sum, o.resources);
    return sum;
  }

  /** Removes and returns every offer matching `predicate`. */
  takeWhere(predicate: (o: OutstandingOffer) => boolean): OutstandingOffer[] {
    const taken = [...this.#offers.values()].filter(predicate);
    for (const o of taken) this.#offers.delete(o.offer.id.value);
    return taken;
  }

  /** True if `available` resources are worth an offer (Mesos' minimum allocatable). */
  static isOfferable(available: readonly Resource[]): boolean {
    return scalarOf(available, 'cpus') >= MIN_OFFER_CPUS || scalarOf(available, 'mem') >= MIN_OFFER_MEM;
  }

  /** Makes an offer of `resources` (bare) on `agent` to `framework` for `role`. */
  create(framework: Framework, agent: AgentEntry, available: Resource[], role: string, executorIds: string[]): Offer {
    // A real master lists ranges/sets before scalars (recorded offers: ports, cpus, mem, disk).
    const resources = [...available].sort((a, b) => Number(a.type === 'SCALAR') - Number(b.type === 'SCALAR'));
    const id = `${this.#masterId}-O${this.#nextId++}`;
    const multiRole = framework.isMultiRole;
    const allocation = multiRole ? { allocation_info: { role } } : {};
    const format = framework.isReservationRefinement ? postRefinement : preRefinement;
    const offer: Offer = {
      id: { value: id },
      framework_id: { value: framework.id },
      agent_id: { value: agent.id },
      hostname: agent.info.hostname,
      url: {
        scheme: 'http',
        address: { hostname: agent.info.hostname, ip: agent.info.hostname, port: agent.info.port ?? 5051 },
        path: '/slave(1)',
      },
      // allocation_info only for MULTI_ROLE (docs/protocol.md, "FrameworkInfo"); the reservation
      // format follows RESERVATION_REFINEMENT (docs/protobuf.md, "Capability-dependent formats").
      resources: resources.map((r) => ({ ...format(r), ...allocation })),
      ...(executorIds.length > 0 ? { executor_ids: executorIds.map((e): ExecutorID => ({ value: e })) } : {}),
      ...allocation,
    };
    this.#offers.set(id, { offer, frameworkId: framework.id, agentId: agent.id, resources, role });
    return offer;
  }

  /**
   * Filters `resources` on `agentId` from `frameworkId` for `refuseSeconds` (docs/protocol.md, "Filters and declines"); `defaultSeconds`
   * applies when the call gave none or a negative value.
   */
  refuse(frameworkId: string, agentId: string, resources: Resource[], refuseSeconds: number | undefined, defaultSeconds: number): void {
    let seconds = refuseSeconds === undefined || !(refuseSeconds >= 0) ? defaultSeconds : refuseSeconds;
    seconds = Math.min(seconds, MAX_REFUSE_SECONDS);
    if (seconds <= 0 || isEmptyResources(resources)) return;
    this.#filters.push({ frameworkId, agentId, resources, expiresAt: Date.now() + seconds * 1000 });
  }

  /** True while a filter covers everything `available` on that agent (Mesos filters by subset). */
  isFiltered(frameworkId: string, agentId: string, available: Resource[]): boolean {
    const now = Date.now();
    this.#filters = this.#filters.filter((f) => f.expiresAt > now);
    return this.#filters.some(
      (f) => f.frameworkId === frameworkId && f.agentId === agentId && resourcesContain(f.resources, available),
    );
  }

  /** REVIVE (docs/protocol.md, "Filters and declines"): all of this framework's filters go. */
  clearFilters(frameworkId: string): void {
    this.#filters = this.#filters.filter((f) => f.frameworkId !== frameworkId);
  }

  /** A removed framework or agent leaves no filters behind. */
  dropFilters(predicate: (frameworkId: string, agentId: string) => boolean): void {
    this.#filters = this.#filters.filter((f) => !predicate(f.frameworkId, f.agentId));
  }
}

/**
 * A resource as kept (post-refinement: reservations stacked in `reservations`, none when
 * unreserved) in the format of a framework without RESERVATION_REFINEMENT: `role` is the
 * innermost reservation's role or `"*"`, a dynamic reservation's principal and labels go in
 * `reservation`. Mesos refuses to offer refined reservations (more than one) to such a framework.
 */
export function preRefinement(resource: Resource): Resource {
  const { reservations, reservation: _ignored, ...rest } = resource;
  const last = reservations?.at(-1);
  if (last === undefined) return { ...rest, role: '*' };
  const dynamic = last.type === 'DYNAMIC';
  return {
    ...rest,
    role: last.role ?? '*',
    ...(dynamic ? { reservation: { ...(last.principal !== undefined ? { principal: last.principal } : {}), ...(last.labels ? { labels: last.labels } : {}) } } : {}),
  };
}

/** The post-refinement format: the resource as kept, without the deprecated `role`/`reservation`. */
export function postRefinement(resource: Resource): Resource {
  const { role: _role, reservation: _reservation, ...rest } = resource;
  return rest;
}
