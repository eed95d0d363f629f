/**
 * The master's framework registry (docs/protocol.md, "Subscribing", "Failover timeout"): ids `<masterId>-0000`,
 * the current subscription of each framework, its failover timer, and the ids of removed
 * frameworks, which can never subscribe again.
 */
import type { FrameworkID, FrameworkInfo } from '@mesosgot/common/internal';
import type { Subscription } from './subscriptions.js';

/** The role a framework without `roles`/`role` is offered resources for. */
const DEFAULT_ROLE = '*';

/** Mesos `--max_completed_frameworks` default: removed frameworks remembered. */
export const DEFAULT_MAX_COMPLETED_FRAMEWORKS = 50;

/**
 * Largest FrameworkInfo (as JSON) the local master takes. Mesos sets no such bound; the local
 * master shares its process with the scheduler, and frameworks are kept after removal, so a
 * 30 MB `name` per SUBSCRIBE would otherwise pile up (and /master/state could no longer be
 * serialised). 64 KiB is hundreds of times what a real FrameworkInfo needs.
 */
export const MAX_FRAMEWORK_INFO_BYTES = 64 * 1024;

/** One registered framework. Mutated only by the master's call and link handlers. */
export class Framework {
  readonly id: string;
  /** The FrameworkInfo as last (re-)subscribed, with the master-assigned id. */
  info: FrameworkInfo & { id: FrameworkID };
  /** The live stream; undefined while disconnected (failover pending). */
  subscription: Subscription | undefined;
  /** Roles for which SUPPRESS is in force (docs/protocol.md, "Filters and declines"); REVIVE removes them. */
  readonly suppressedRoles = new Set<string>();
  readonly registeredAt = Date.now() / 1000;
  /** Set while disconnected: fires the removal after failover_timeout (docs/protocol.md, "Failover timeout"). */
  #failoverTimer: NodeJS.Timeout | undefined;

  constructor(id: string, info: FrameworkInfo) {
    this.id = id;
    this.info = { ...info, id: { value: id } };
  }

  get isConnected(): boolean {
    return this.subscription?.isOpen === true;
  }

  get isMultiRole(): boolean {
    return this.info.capabilities?.some((c) => c.type === 'MULTI_ROLE') === true;
  }

  /** Offered resources in the post-refinement format: `reservations`, never `role` (docs/protobuf.md, "Capability-dependent formats"). */
  get isReservationRefinement(): boolean {
    return this.info.capabilities?.some((c) => c.type === 'RESERVATION_REFINEMENT') === true;
  }

  get isPartitionAware(): boolean {
    return this.info.capabilities?.some((c) => c.type === 'PARTITION_AWARE') === true;
  }

  /** The framework's roles: `roles` for MULTI_ROLE frameworks, else `[role ?? "*"]`. */
  get roles(): string[] {
    if (this.isMultiRole && this.info.roles && this.info.roles.length > 0) return [...this.info.roles];
    return [this.info.role ?? DEFAULT_ROLE];
  }

  /** The first role not suppressed, which offers are made for; undefined when all are. */
  get offerRole(): string | undefined {
    return this.roles.find((r) => !this.suppressedRoles.has(r));
  }

  /** Starts the failover timer; `onExpire` runs once unless `cancelFailover()` comes first. */
  startFailover(onExpire: () => void): void {
    this.cancelFailover();
    const ms = Math.max(0, (this.info.failover_timeout ?? 0) * 1000);
    this.#failoverTimer = setTimeout(() => {
      this.#failoverTimer = undefined;
      onExpire();
    }, ms);
  }

  cancelFailover(): void {
    if (this.#failoverTimer) clearTimeout(this.#failoverTimer);
    this.#failoverTimer = undefined;
  }
}

/** What /master/state lists under `completed_frameworks`. */
export interface CompletedFramework {
  id: string;
  info: FrameworkInfo & { id: FrameworkID };
  unregisteredAt: number;
}

/**
 * Frameworks by id, plus the removed ones (docs/protocol.md, "Failover timeout": "the id becomes
 * unusable"). As Mesos keeps its completed frameworks in a bounded buffer, only the latest
 * `maxCompleted` removed ones are remembered; an older id is forgotten like in Mesos.
 */
export class FrameworkRegistry {
  readonly #masterId: string;
  readonly #maxCompleted: number;
  readonly #frameworks = new Map<string, Framework>();
  /** Insertion-ordered, so the oldest removal is the first key; at most #maxCompleted entries. */
  readonly #removed = new Map<string, CompletedFramework>();
  #nextId = 0;

  constructor(masterId: string, maxCompleted = DEFAULT_MAX_COMPLETED_FRAMEWORKS) {
    this.#masterId = masterId;
    this.#maxCompleted = maxCompleted;
  }

  /** Registers a framework; a new one gets `<masterId>-<4-digit counter>`. */
  add(info: FrameworkInfo, id?: string): Framework {
    const fid = id ?? `${this.#masterId}-${String(this.#nextId++).padStart(4, '0')}`;
    const framework = new Framework(fid, info);
    this.#frameworks.set(fid, framework);
    return framework;
  }

  get(id: string): Framework | undefined {
    return this.#frameworks.get(id);
  }

  isRemoved(id: string): boolean {
    return this.#removed.has(id);
  }

  all(): Framework[] {
    return [...this.#frameworks.values()];
  }

  completed(): CompletedFramework[] {
    return [...this.#removed.values()];
  }

  /** Forgets a framework for good; its timer is cancelled. */
  remove(framework: Framework): void {
    framework.cancelFailover();
    this.#frameworks.delete(framework.id);
    this.#removed.set(framework.id, { id: framework.id, info: framework.info, unregisteredAt: Date.now() / 1000 });
    for (const oldest of this.#removed.keys()) {
      if (this.#removed.size <= this.#maxCompleted) break;
      this.#removed.delete(oldest);
    }
  }
}

/** FrameworkInfo checks answered with an ERROR record inside the stream (docs/protocol.md, "Subscribing"). */
export function validateFrameworkInfo(info: FrameworkInfo): string | undefined {
  const oversized = oversizedFrameworkInfo(info);
  if (oversized) return oversized;
  const timeout = info.failover_timeout;
  if (timeout !== undefined && !(typeof timeout === 'number' && Number.isFinite(timeout) && timeout >= 0)) {
    return `The framework failover_timeout (${String(timeout)}) is invalid`;
  }
  const multiRole = info.capabilities?.some((c) => c.type === 'MULTI_ROLE') === true;
  if (!multiRole && info.roles !== undefined && info.roles.length > 0) {
    return "'FrameworkInfo.roles' must not be set when the framework is not MULTI_ROLE capable";
  }
  if (multiRole && info.role !== undefined) {
    return "'FrameworkInfo.role' must not be set when the framework is MULTI_ROLE capable";
  }
  if (info.roles && new Set(info.roles).size !== info.roles.length) return "'FrameworkInfo.roles' contains duplicate items";
  return undefined;
}

/** Names the largest field when the FrameworkInfo passes MAX_FRAMEWORK_INFO_BYTES. */
function oversizedFrameworkInfo(info: FrameworkInfo): string | undefined {
  const size = Buffer.byteLength(JSON.stringify(info));
  if (size <= MAX_FRAMEWORK_INFO_BYTES) return undefined;
  let largest = '';
  let largestSize = -1;
  for (const [field, value] of Object.entries(info)) {
    const fieldSize = Buffer.byteLength(JSON.stringify(value) ?? '');
    if (fieldSize > largestSize) [largest, largestSize] = [field, fieldSize];
  }
  return `'FrameworkInfo' is ${size} bytes, more than the local master's limit of ${MAX_FRAMEWORK_INFO_BYTES} ('${largest}' is ${largestSize} bytes)`;
}
