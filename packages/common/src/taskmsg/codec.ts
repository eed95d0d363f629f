import { InvalidArgumentError, ProtocolError } from '../errors.js';

/** One message between the scheduler function and a task (docs/design.md, "Public API"). */
export type TaskMsg = {
  /** The destination task id when the scheduler sends; the source task id when it receives. */
  taskName: string;
  /** The payload: bytes, or a string; the receiver gets the same kind the sender sent. */
  data: Uint8Array | string;
};

/*
 * Binary layout of one encoded TaskMsg (all integers big-endian):
 *
 *   offset  size  field
 *   0       1     kind: 0x00 = data is bytes, 0x01 = data is a string (UTF-8)
 *   1       4     u32 nameLength: bytes of the UTF-8 task name
 *   5       n     task name, UTF-8 (any text: '^', NUL, emoji; nothing is reserved)
 *   5+n     4     u32 dataLength
 *   9+n     d     data: raw bytes, or UTF-8 when kind = 0x01
 *
 * Every field is length-prefixed, so no name or data value can be mistaken for a separator
 * (mesosgot's "name^data" text form could not carry a '^' in a name). Messages concatenate
 * without padding; `readTaskMsg` returns where the next one starts. The decoder checks every
 * length against the bytes actually present before slicing, so a corrupt length costs a
 * ProtocolError, never a large allocation.
 */

/** Bytes of an encoded TaskMsg besides its name and data: kind + two u32 lengths. */
export const TASK_MSG_OVERHEAD_BYTES = 9;

const KIND_BYTES = 0x00;
const KIND_STRING = 0x01;
const MAX_U32 = 0xffff_ffff;

// With the u flag a surrogate pair is one code point, so only a lone surrogate is \p{Cs}.
const LONE_SURROGATE = /\p{Cs}/u;
const utf8Encoder = new TextEncoder();
// fatal: bad UTF-8 is reported, not silently replaced by U+FFFD (which would change the name).
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Exact size of `encodeTaskMsg(msg)`. Throws InvalidArgumentError for a name or string data
 * that is not well-formed UTF-16 (a lone surrogate has no UTF-8 form, so it could not round-trip).
 */
export function encodedTaskMsgLength(msg: TaskMsg): number {
  checkMsg(msg);
  return TASK_MSG_OVERHEAD_BYTES + Buffer.byteLength(msg.taskName, 'utf8') + dataLength(msg.data);
}

/** Encodes one TaskMsg into a new array. Throws InvalidArgumentError for an invalid message. */
export function encodeTaskMsg(msg: TaskMsg): Uint8Array {
  const out = new Uint8Array(encodedTaskMsgLength(msg));
  writeTaskMsg(out, 0, msg);
  return out;
}

/** Decodes exactly one TaskMsg; trailing bytes are a ProtocolError. Data is a copy, never a view of `bytes`. */
export function decodeTaskMsg(bytes: Uint8Array): TaskMsg {
  const { msg, next } = readTaskMsg(bytes, 0);
  if (next !== bytes.length) throw new ProtocolError(`${bytes.length - next} trailing bytes after a TaskMsg`, next);
  return msg;
}

/**
 * Writes `msg` into `buf` at `offset` and returns the offset just past it. Throws
 * InvalidArgumentError if the message is invalid or `buf` lacks `encodedTaskMsgLength(msg)`
 * bytes from `offset` (nothing is written then).
 */
export function writeTaskMsg(buf: Uint8Array, offset: number, msg: TaskMsg): number {
  const total = encodedTaskMsgLength(msg);
  if (!Number.isSafeInteger(offset) || offset < 0 || offset + total > buf.length) {
    throw new InvalidArgumentError('offset', offset, `a ${total}-byte TaskMsg does not fit in a ${buf.length}-byte buffer there`);
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const isString = typeof msg.data === 'string';
  buf[offset] = isString ? KIND_STRING : KIND_BYTES;
  let pos = offset + 1;
  const nameBytes = utf8Encoder.encodeInto(msg.taskName, buf.subarray(pos + 4)).written;
  view.setUint32(pos, nameBytes);
  pos += 4 + nameBytes;
  let dataBytes: number;
  if (typeof msg.data === 'string') {
    dataBytes = utf8Encoder.encodeInto(msg.data, buf.subarray(pos + 4)).written;
  } else {
    buf.set(msg.data, pos + 4);
    dataBytes = msg.data.length;
  }
  view.setUint32(pos, dataBytes);
  return pos + 4 + dataBytes;
}

/**
 * Reads one TaskMsg starting at `offset` of `buf`; `next` is where the following one starts.
 * Throws ProtocolError, naming the byte offset, for a truncated message, an unknown kind, a
 * length running past the end, or bad UTF-8 in the name or string data.
 */
export function readTaskMsg(buf: Uint8Array, offset: number): { msg: TaskMsg; next: number } {
  if (!Number.isSafeInteger(offset) || offset < 0 || offset > buf.length) {
    throw new InvalidArgumentError('offset', offset, `outside a ${buf.length}-byte buffer`);
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (offset + 5 > buf.length) throw new ProtocolError('truncated TaskMsg header', offset);
  const kind = buf[offset];
  if (kind !== KIND_BYTES && kind !== KIND_STRING) throw new ProtocolError(`unknown TaskMsg kind 0x${(kind ?? 0).toString(16)}`, offset);
  const nameLength = view.getUint32(offset + 1);
  const nameStart = offset + 5;
  if (nameLength > buf.length - nameStart - 4) {
    throw new ProtocolError(`TaskMsg name length ${nameLength} runs past the end of ${buf.length} bytes`, offset + 1);
  }
  const taskName = decodeUtf8(buf, nameStart, nameStart + nameLength, 'task name');
  const dataLengthAt = nameStart + nameLength;
  const dataLen = view.getUint32(dataLengthAt);
  const dataStart = dataLengthAt + 4;
  if (dataLen > buf.length - dataStart) {
    throw new ProtocolError(`TaskMsg data length ${dataLen} runs past the end of ${buf.length} bytes`, dataLengthAt);
  }
  const next = dataStart + dataLen;
  const data = kind === KIND_STRING ? decodeUtf8(buf, dataStart, next, 'string data') : buf.slice(dataStart, next);
  return { msg: { taskName, data }, next };
}

/** Concatenates the encodings of `msgs` (the inverse of `decodeTaskMsgs`). */
export function encodeTaskMsgs(msgs: readonly TaskMsg[]): Uint8Array {
  let total = 0;
  for (const m of msgs) total += encodedTaskMsgLength(m);
  const out = new Uint8Array(total);
  let pos = 0;
  for (const m of msgs) pos = writeTaskMsg(out, pos, m);
  return out;
}

/** Decodes back-to-back TaskMsgs filling `bytes` exactly. Throws ProtocolError like `readTaskMsg`. */
export function decodeTaskMsgs(bytes: Uint8Array): TaskMsg[] {
  const out: TaskMsg[] = [];
  for (let pos = 0; pos < bytes.length; ) {
    const { msg, next } = readTaskMsg(bytes, pos);
    out.push(msg);
    pos = next;
  }
  return out;
}

function checkMsg(msg: TaskMsg): void {
  if (msg === null || typeof msg !== 'object') throw new InvalidArgumentError('msg', msg, 'must be a TaskMsg object');
  if (typeof msg.taskName !== 'string') throw new InvalidArgumentError('msg.taskName', msg.taskName, 'must be a string');
  if (!isWellFormed(msg.taskName)) {
    throw new InvalidArgumentError('msg.taskName', msg.taskName, 'contains a lone surrogate (no UTF-8 form)');
  }
  if (typeof msg.data === 'string') {
    if (!isWellFormed(msg.data)) throw new InvalidArgumentError('msg.data', msg.data, 'contains a lone surrogate (no UTF-8 form)');
  } else if (!(msg.data instanceof Uint8Array)) {
    throw new InvalidArgumentError('msg.data', typeof msg.data, 'must be a string or a Uint8Array');
  }
}

/** No lone surrogate, so `text` has a UTF-8 form (String.prototype.isWellFormed is ES2024; our lib is ES2023). */
export function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

function dataLength(data: Uint8Array | string): number {
  const n = typeof data === 'string' ? Buffer.byteLength(data, 'utf8') : data.length;
  if (n > MAX_U32) throw new InvalidArgumentError('msg.data', `${n} bytes`, 'longer than 4 GiB');
  return n;
}

function decodeUtf8(buf: Uint8Array, start: number, end: number, what: string): string {
  try {
    return utf8Decoder.decode(buf.subarray(start, end));
  } catch (error) {
    throw new ProtocolError(`TaskMsg ${what} is not valid UTF-8`, start, { cause: error });
  }
}
