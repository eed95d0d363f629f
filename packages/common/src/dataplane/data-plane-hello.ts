import { ProtocolError } from '../errors.js';

/**
 * The handshake that opens a data-plane connection (docs/protocol.md, "Data plane"), each record
 * one socket frame:
 * ```
 * executor → scheduler  HELLO:   u8 0xD7 | u8 version 1 | u8 kind 1 | u16be idLength | executor id (UTF-8)
 *                                | u8 credentialLength | credential
 * scheduler → executor  WELCOME: u8 0xD7 | u8 1 | u8 kind 2
 *                       REFUSED: u8 0xD7 | u8 1 | u8 kind 3 | reason (UTF-8), then the scheduler closes
 * ```
 * The credential is the one the scheduler sent that executor in its data-plane offer; after
 * WELCOME both ends exchange link frames only.
 */
export const DATA_PLANE_MAGIC = 0xd7;
export const DATA_PLANE_VERSION = 1;
const KIND_HELLO = 1;
const KIND_WELCOME = 2;
const KIND_REFUSED = 3;
/** Longest executor id a HELLO may carry (Mesos ids are far shorter). */
const MAX_ID_BYTES = 1024;

/** What an executor says first on a data-plane connection. */
export interface DataPlaneHello {
  executorId: string;
  credential: Buffer;
}

/** The scheduler's answer: admitted, or refused with a reason. */
export type DataPlaneReply = { accepted: true } | { accepted: false; reason: string };

export function encodeHello(hello: DataPlaneHello): Buffer {
  const id = Buffer.from(hello.executorId, 'utf8');
  if (id.length > MAX_ID_BYTES) throw new ProtocolError(`executor id of ${id.length} bytes is longer than ${MAX_ID_BYTES}`);
  if (hello.credential.length > 255) throw new ProtocolError(`credential of ${hello.credential.length} bytes is longer than 255`);
  const out = Buffer.allocUnsafe(3 + 2 + id.length + 1 + hello.credential.length);
  out[0] = DATA_PLANE_MAGIC;
  out[1] = DATA_PLANE_VERSION;
  out[2] = KIND_HELLO;
  out.writeUInt16BE(id.length, 3);
  id.copy(out, 5);
  out[5 + id.length] = hello.credential.length;
  hello.credential.copy(out, 6 + id.length);
  return out;
}

/** Decodes a HELLO; throws ProtocolError naming the offset for anything else. */
export function decodeHello(bytes: Buffer): DataPlaneHello {
  checkHead(bytes, KIND_HELLO);
  if (bytes.length < 5) throw new ProtocolError('HELLO truncated before the id length', bytes.length);
  const idLength = bytes.readUInt16BE(3);
  if (idLength === 0 || idLength > MAX_ID_BYTES) throw new ProtocolError(`HELLO executor id length ${idLength} outside 1 … ${MAX_ID_BYTES}`, 3);
  const credAt = 5 + idLength;
  if (bytes.length < credAt + 1) throw new ProtocolError('HELLO truncated in the executor id', bytes.length);
  const credLength = bytes[credAt]!;
  if (bytes.length !== credAt + 1 + credLength) throw new ProtocolError(`HELLO is ${bytes.length} bytes, expected ${credAt + 1 + credLength}`, credAt);
  return { executorId: bytes.toString('utf8', 5, credAt), credential: Buffer.from(bytes.subarray(credAt + 1)) };
}

export function encodeWelcome(): Buffer {
  return Buffer.from([DATA_PLANE_MAGIC, DATA_PLANE_VERSION, KIND_WELCOME]);
}

export function encodeRefusal(reason: string): Buffer {
  return Buffer.concat([Buffer.from([DATA_PLANE_MAGIC, DATA_PLANE_VERSION, KIND_REFUSED]), Buffer.from(reason, 'utf8')]);
}

/** Decodes WELCOME or REFUSED; throws ProtocolError for anything else. */
export function decodeReply(bytes: Buffer): DataPlaneReply {
  if (bytes.length >= 3 && bytes[0] === DATA_PLANE_MAGIC && bytes[1] === DATA_PLANE_VERSION && bytes[2] === KIND_REFUSED) {
    return { accepted: false, reason: bytes.toString('utf8', 3) };
  }
  checkHead(bytes, KIND_WELCOME);
  if (bytes.length !== 3) throw new ProtocolError(`WELCOME is ${bytes.length} bytes, expected 3`, 3);
  return { accepted: true };
}

function checkHead(bytes: Buffer, kind: number): void {
  if (bytes.length < 3) throw new ProtocolError(`data-plane handshake record of ${bytes.length} bytes`, 0);
  if (bytes[0] !== DATA_PLANE_MAGIC) throw new ProtocolError('not a data-plane handshake: bad magic byte', 0);
  if (bytes[1] !== DATA_PLANE_VERSION) throw new ProtocolError(`unsupported data-plane version ${bytes[1]}`, 1);
  if (bytes[2] !== kind) throw new ProtocolError(`data-plane handshake kind ${bytes[2]} where ${kind} was expected`, 2);
}
