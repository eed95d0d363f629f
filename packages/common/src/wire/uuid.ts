/**
 * Status-update uuids: 16 raw bytes of an RFC 4122 UUID, base64 on the wire (docs/protocol.md, "TaskStatus and uuids").
 * A real agent refuses 16 random bytes ("Not a valid UUID"): the version nibble must be 1–5.
 */
import { randomUUID } from 'node:crypto';
import type { Base64 } from './mesos.js';

/** A fresh version-4 uuid as Mesos wants it in TaskStatus.uuid. */
export function newStatusUuid(): Base64 {
  return Buffer.from(randomUUID().replace(/-/g, ''), 'hex').toString('base64');
}

/** True when `uuid` is base64 of exactly 16 bytes whose version nibble is 1–5 (what Mesos accepts). */
export function isValidStatusUuid(uuid: unknown): boolean {
  if (typeof uuid !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(uuid) || uuid.length % 4 !== 0) return false;
  const bytes = Buffer.from(uuid, 'base64');
  if (bytes.length !== 16) return false;
  const version = bytes[6]! >> 4;
  return version >= 1 && version <= 5;
}

/** The canonical 36-character text form, for logs and `/master/state`. */
export function statusUuidToString(uuid: Base64): string {
  const hex = Buffer.from(uuid, 'base64').toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
