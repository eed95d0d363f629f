/**
 * RESERVE, UNRESERVE, CREATE and DESTROY inside an ACCEPT (docs/protobuf.md, "Offer operations"),
 * checked in the order and with the messages of Mesos' master: a valid operation converts part of
 * what is left of the accepted offers (and the same part of the agent's total), so a later
 * operation of the same ACCEPT sees the result, and the next offers carry it; an invalid one
 * changes nothing and names why. Pure: the caller applies the outcome and tells the framework.
 */
import { addResources, resourcesContain, subtractResources, type OfferOperation, type Resource } from '@mesosgot/common/internal';
import { bare } from './agent-registry.js';
import { validateId } from './launch-validation.js';
import { formatResources } from './resource-text.js';

/** The operations performed here; LAUNCH and LAUNCH_GROUP go through launch validation. */
export type ResourceOperationType = 'RESERVE' | 'UNRESERVE' | 'CREATE' | 'DESTROY';

export interface ResourceOperationContext {
  /**
   * The framework's roles (what it may reserve for); undefined for the operator API, which
   * converts unallocated resources and may reserve for any role.
   */
  frameworkRoles: readonly string[] | undefined;
  /** Non-MULTI_ROLE frameworks leave allocation_info out; Mesos fills in the offer's role. */
  isMultiRole: boolean;
  /** SHARED_RESOURCES capability: only then may a volume be `shared`. */
  hasSharedResources: boolean;
  /** The role of the accepted offers; undefined for the operator API (nothing is allocated). */
  role: string | undefined;
  /** What is left of the accepted offers, bare. */
  offered: Resource[];
  /** The agent's total, bare (reservations and volumes included). */
  total: Resource[];
  /** What the agent's tasks and executors use, bare. */
  used: Resource[];
}

export type ResourceOperationOutcome =
  | {
      ok: true;
      /** `offered` after the conversion. */
      offered: Resource[];
      /** The agent's `total` after the conversion. */
      total: Resource[];
      /** What the operation produced, bare (OperationStatus.converted_resources). */
      converted: Resource[];
    }
  | { ok: false; message: string };

/** True for the operation types this module performs. */
export function isResourceOperation(type: OfferOperation['type']): type is ResourceOperationType {
  return type === 'RESERVE' || type === 'UNRESERVE' || type === 'CREATE' || type === 'DESTROY';
}

/** Validates `op` and converts `ctx.offered` and `ctx.total`; never throws. */
export function applyResourceOperation(op: OfferOperation & { type: ResourceOperationType }, ctx: ResourceOperationContext): ResourceOperationOutcome {
  const byOperator = ctx.frameworkRoles === undefined;
  const withAllocation = (rs: readonly Resource[] | undefined): Resource[] =>
    (rs ?? []).map((r) => (byOperator || ctx.isMultiRole || r.allocation_info || ctx.role === undefined ? r : { ...r, allocation_info: { role: ctx.role } }));
  switch (op.type) {
    case 'RESERVE':
      return reserve(withAllocation(op.reserve?.resources), ctx);
    case 'UNRESERVE':
      return unreserve(withAllocation(op.unreserve?.resources), ctx);
    case 'CREATE':
      return create(withAllocation(op.create?.volumes), ctx);
    case 'DESTROY':
      return destroy(withAllocation(op.destroy?.volumes), ctx);
  }
}

function reserve(resources: Resource[], ctx: ResourceOperationContext): ResourceOperationOutcome {
  const invalid = validateResources(resources);
  if (invalid) return { ok: false, message: `Invalid resources: ${invalid}` };
  const refined = resources.map((r) => ({ original: r, post: bare([r])[0]! }));
  for (const { original, post } of refined) {
    const top = post.reservations?.at(-1);
    if (top?.type !== 'DYNAMIC') return { ok: false, message: `Resource ${text(original)} is not dynamically reserved` };
    const allocationRole = original.allocation_info?.role;
    if (ctx.frameworkRoles === undefined) {
      if (original.allocation_info !== undefined) {
        return {
          ok: false,
          message: 'A reserve operation was attempted with an allocated resource, but the operator API only allows reservations to be made to unallocated resources',
        };
      }
      continue;
    }
    if (allocationRole === undefined) {
      return {
        ok: false,
        message: `A reserve operation was attempted on unallocated resource ${text(original)}, but frameworks can only perform reservations on allocated resources`,
      };
    }
    const role = top.role ?? '*';
    if (allocationRole !== role) {
      return { ok: false, message: `A reserve operation was attempted for a resource with role '${role}', but the resource was allocated to role '${allocationRole}'` };
    }
    if (!ctx.frameworkRoles.includes(role)) {
      return {
        ok: false,
        message: `A reserve operation was attempted for a resource allocated to role '${role}', but the framework only has roles '{ ${ctx.frameworkRoles.join(', ')} }'`,
      };
    }
  }
  if (new Set(resources.map((r) => r.allocation_info?.role)).size > 1) {
    return { ok: false, message: 'Invalid reservation resources: Expecting resources to be allocated to a single role' };
  }
  const produced = refined.map((x) => x.post);
  return convert('RESERVE', produced.map(popReservation), produced, ctx);
}

function unreserve(resources: Resource[], ctx: ResourceOperationContext): ResourceOperationOutcome {
  const invalid = validateResources(resources);
  if (invalid) return { ok: false, message: `Invalid resources: ${invalid}` };
  for (const r of resources) {
    const post = bare([r])[0]!;
    if (post.reservations?.at(-1)?.type !== 'DYNAMIC') return { ok: false, message: `Resource ${text(r)} is not dynamically reserved` };
    if (post.disk?.persistence !== undefined) {
      return {
        ok: false,
        message: `A dynamically reserved persistent volume ${text(r)} cannot be unreserved directly. Please destroy the persistent volume first then unreserve the resource`,
      };
    }
  }
  const consumed = bare(resources);
  return convert('UNRESERVE', consumed, consumed.map(popReservation), ctx);
}

function create(volumes: Resource[], ctx: ResourceOperationContext): ResourceOperationOutcome {
  const invalid = validateResources(volumes);
  if (invalid) return { ok: false, message: `Invalid resources: ${invalid}` };
  const notVolume = persistentVolumeError(volumes);
  if (notVolume) return { ok: false, message: `Not a persistent volume: ${notVolume}` };
  const ids = new Set(ctx.total.flatMap((r) => (r.disk?.persistence ? [r.disk.persistence.id] : [])));
  for (const volume of volumes) {
    const id = volume.disk!.persistence!.id;
    if (ids.has(id)) return { ok: false, message: `Persistence ID '${id}' is not unique` };
    ids.add(id);
    if (volume.shared !== undefined && !ctx.hasSharedResources) {
      return { ok: false, message: `Create volume operation for '${text(volume)}' has been attempted by a framework with no SHARED_RESOURCES capability` };
    }
  }
  const produced = bare(volumes);
  return convert('CREATE', produced.map(stripVolume), produced, ctx);
}

function destroy(volumes: Resource[], ctx: ResourceOperationContext): ResourceOperationOutcome {
  const invalid = validateResources(volumes);
  if (invalid) return { ok: false, message: `Invalid resources: ${invalid}` };
  const notVolume = persistentVolumeError(volumes);
  if (notVolume) return { ok: false, message: `Not a persistent volume: ${notVolume}` };
  const consumed = bare(volumes);
  for (const volume of consumed) {
    if (!resourcesContain(ctx.total, [volume])) return { ok: false, message: 'Persistent volumes not found' };
    if (resourcesContain(ctx.used, [volume])) return { ok: false, message: 'Persistent volumes in use' };
  }
  return convert('DESTROY', consumed, consumed.map(stripVolume), ctx);
}

/** Takes `consumed` out of what is offered (it must all be there) and puts `produced` in. */
function convert(type: ResourceOperationType, consumed: Resource[], produced: Resource[], ctx: ResourceOperationContext): ResourceOperationOutcome {
  if (!resourcesContain(ctx.offered, consumed)) {
    return { ok: false, message: `Invalid ${type} Operation: ${formatResources(ctx.offered, ctx.role)} does not contain ${formatResources(consumed, ctx.role)}` };
  }
  return {
    ok: true,
    offered: addResources(subtractResources(ctx.offered, consumed), produced),
    total: addResources(subtractResources(ctx.total, consumed), produced),
    converted: produced,
  };
}

/** The resource one reservation level down: what a RESERVE consumes, what an UNRESERVE gives back. */
function popReservation(r: Resource): Resource {
  const reservations = (r.reservations ?? []).slice(0, -1);
  const { reservations: _all, ...rest } = r;
  return reservations.length > 0 ? { ...rest, reservations } : rest;
}

/** The disk a volume was made of: without `persistence` and `volume` (and `disk` when nothing is left). */
function stripVolume(r: Resource): Resource {
  const { disk, shared: _shared, ...rest } = r;
  const source = disk?.source;
  return source !== undefined ? { ...rest, disk: { source } } : rest;
}

/** The checks of Mesos' Resources::validate that an operation's resources can fail. */
function validateResources(resources: readonly Resource[]): string | undefined {
  if (resources.length === 0) return 'Resources cannot be empty';
  for (const r of resources) {
    if (typeof r.name !== 'string' || r.name === '') return 'Empty resource name';
    const valueOk =
      r.type === 'SCALAR'
        ? typeof r.scalar?.value === 'number' && Number.isFinite(r.scalar.value) && r.scalar.value >= 0
        : r.type === 'RANGES'
          ? r.ranges !== undefined
          : r.type === 'SET' && r.set !== undefined;
    if (!valueOk) return `Invalid resource ${text(r)}`;
    for (const level of bare([r])[0]!.reservations ?? []) {
      if (level.role === undefined || level.role === '*') return `Invalid reservation: role "*" cannot be reserved`;
      if (level.type === 'STATIC' && level.principal !== undefined) return 'Invalid reservation: a static reservation must not have a principal';
    }
    if (r.disk?.persistence !== undefined && (bare([r])[0]!.reservations?.length ?? 0) === 0 && r.shared === undefined) {
      return 'Persistent volumes cannot be created from unreserved resources.';
    }
    if (r.disk !== undefined && r.name !== 'disk') return `DiskInfo should not be set for ${r.name} resource`;
  }
  return undefined;
}

/** Mesos' validatePersistentVolume, in its order. */
function persistentVolumeError(volumes: readonly Resource[]): string | undefined {
  for (const volume of volumes) {
    if (volume.disk === undefined) return `Resource ${text(volume)} does not have DiskInfo`;
    if (volume.disk.persistence === undefined) return "'persistence' is not set in DiskInfo";
    if (volume.disk.volume === undefined) return "'volume' is not set in DiskInfo";
    if (volume.disk.volume.host_path !== undefined) return "'host_path' must not be set in DiskInfo.volume";
    const idError = validateId(volume.disk.persistence.id);
    if (idError) return `Invalid persistence ID for persistent volume: ${idError}`;
    const path = volume.disk.volume.container_path;
    if (path.startsWith('/') || path.split('/').includes('..') || path === '') {
      return `'${path}' is not a relative path inside the sandbox`;
    }
  }
  return undefined;
}

function text(r: Resource): string {
  return formatResources([r], r.allocation_info?.role);
}
