/**
 * Identities of offered resources for the gang carver (name, type, role, reservations,
 * allocation… — everything but the value, docs/protocol.md, "Resources"), and the frozen Resource
 * pieces carved from them. Plain resources (name, type, role only) share one identity per plan,
 * so equal pieces on different agents are the same object.
 */
import type { Range, Resource } from '@mesosgot/common/internal';

/** A resource identity (the offered resource minus its value), with its carved pieces by amount. */
export interface Identity {
  proto: Resource;
  pieces: Map<number, Resource> | undefined;
  /** Single-interval range pieces by first value (the last one made for that value). */
  ranges: Map<number, Resource> | undefined;
}

export class ResourceIdentities {
  /** Identities of plain resources by name, then role. */
  private readonly plain = new Map<string, Map<string | undefined, Identity>>();
  /** The plain identity last used per slot (the caller's dimension index). */
  private readonly recent: (Identity | undefined)[] = [];

  /** The frozen Resource for the values begin…end of `identity`. */
  rangePiece(identity: Identity, begin: number, end: number): Resource {
    identity.ranges ??= new Map();
    let r = identity.ranges.get(begin);
    if (r === undefined || r.ranges?.range?.[0]?.end !== end) {
      r = Object.freeze({ ...identity.proto, ranges: Object.freeze({ range: Object.freeze([Object.freeze({ begin, end })]) as Range[] }) });
      identity.ranges.set(begin, r);
    }
    return r;
  }

  /** The frozen Resource for `millis` thousandths of `identity`. */
  piece(identity: Identity, millis: number): Resource {
    identity.pieces ??= new Map();
    let r = identity.pieces.get(millis);
    if (r === undefined) {
      r = Object.freeze({ ...identity.proto, scalar: Object.freeze({ value: millis / 1000 }) });
      identity.pieces.set(millis, r);
    }
    return r;
  }

  /** A resource's identity (name, type, role, reservations, allocation…) without its value. */
  of(r: Resource, slot: number): Identity {
    if (
      r.allocation_info === undefined && r.reservation === undefined && r.reservations === undefined && r.disk === undefined &&
      r.revocable === undefined && r.shared === undefined && r.provider_id === undefined
    ) {
      // The common case, unreserved with no extras: one identity per (name, role) for the plan.
      // Bins mostly repeat the previous bin's identity in each dimension (slot): skip the maps.
      const recent = this.recent[slot];
      if (recent !== undefined && recent.proto.role === r.role && recent.proto.type === r.type) return recent;
      const identity = this.plainIdentity(r);
      this.recent[slot] = identity;
      return identity;
    }
    return this.reservedIdentity(r);
  }

  private plainIdentity(r: Resource): Identity {
    let byRole = this.plain.get(r.name);
    if (byRole === undefined) this.plain.set(r.name, (byRole = new Map()));
    let identity = byRole.get(r.role);
    if (identity === undefined || identity.proto.type !== r.type) {
      const proto: Resource = r.role === undefined ? { name: r.name, type: r.type } : { name: r.name, type: r.type, role: r.role };
      identity = { proto, pieces: undefined, ranges: undefined };
      if (!byRole.has(r.role)) byRole.set(r.role, identity);
    }
    return identity;
  }

  private reservedIdentity(r: Resource): Identity {
    // Field by field rather than a rest-spread, so the value and unknown fields stay behind.
    const proto: Resource = { name: r.name, type: r.type };
    if (r.role !== undefined) proto.role = r.role;
    if (r.allocation_info !== undefined) proto.allocation_info = r.allocation_info;
    if (r.reservation !== undefined) proto.reservation = r.reservation;
    if (r.reservations !== undefined) proto.reservations = r.reservations;
    if (r.disk !== undefined) proto.disk = r.disk;
    if (r.revocable !== undefined) proto.revocable = r.revocable;
    if (r.shared !== undefined) proto.shared = r.shared;
    if (r.provider_id !== undefined) proto.provider_id = r.provider_id;
    return { proto, pieces: undefined, ranges: undefined };
  }
}
