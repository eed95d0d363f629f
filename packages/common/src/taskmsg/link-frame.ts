import { ProtocolError, assertNever } from '../errors.js';
import { ByteReader, ByteWriter, varintLength } from './byte-cursor.js';
import type { TaskMsg } from './codec.js';
import { SLAB_BYTES, SLAB_COPY_MAX_BYTES, copySpan } from './payload-slab.js';

/**
 * The bytes of one Mesos framework message on a reliable link (docs/design.md,
 * "Channels across the wire"). Mesos relays framework messages at most once, unacknowledged (docs/protocol.md,
 * "Framework messages"), and relays thousands of messages a second but tens of MB/s, so one frame carries many
 * TaskMsgs plus the acknowledgements and credit grants of the reverse direction.
 *
 * Layout (integers are unsigned LEB128 varints unless marked):
 * ```
 * u8 magic 0xA7 | u8 version 1 | u8 kind (1 DATA, 2 BYE)
 * u32be senderSession | u32be receiverSession (0 = sender has not heard from the receiver yet)
 * sectionCount, then per section:
 *   keyLength, key (UTF-8 stream key = task name)
 *   u8 flags: 1 FEEDBACK | 2 CLOSED | 4 DATA | 8 PROBE
 *   FEEDBACK: ack (all seqs ≤ ack received), limit (peer may send seqs ≤ limit)
 *   DATA: firstSeq, count, then count entries: u8 kind (0 bytes, 1 string), length, payload
 * ```
 * FEEDBACK and CLOSED describe the receiver's side of the *peer's* stream with the same key;
 * DATA is the sender's own stream. A message's `taskName` is its section's key, so it is
 * written once per section, not per message.
 */

export const LINK_FRAME_MAGIC = 0xa7;
export const LINK_FRAME_VERSION = 1;
/** Fixed header bytes before the section count. */
export const LINK_FRAME_HEADER_BYTES = 11;

/** DATA carries sections; BYE says the sender's link is closed for good. */
export type LinkFrameKind = 'DATA' | 'BYE';

export interface LinkFeedback {
  /** Cumulative acknowledgement: every seq ≤ ack of the peer's stream was received. */
  ack: number;
  /** Credit: the peer may send seqs ≤ limit on this stream. */
  limit: number;
}

export interface LinkSection {
  stream: string;
  feedback?: LinkFeedback;
  /** The sender no longer consumes the peer's stream `stream`; the peer should stop sending. */
  closed?: boolean;
  /** The sender asks for this stream's feedback (it is blocked on credit or lost an ack). */
  probe?: boolean;
  /** Consecutive messages firstSeq, firstSeq+1, … of the sender's stream `stream`. */
  data?: { firstSeq: number; messages: TaskMsg[] };
}

export interface LinkFrame {
  kind: LinkFrameKind;
  senderSession: number;
  receiverSession: number;
  sections: LinkSection[];
}

const FLAG_FEEDBACK = 1;
const FLAG_CLOSED = 2;
const FLAG_DATA = 4;
const FLAG_PROBE = 8;
const KNOWN_FLAGS = FLAG_FEEDBACK | FLAG_CLOSED | FLAG_DATA | FLAG_PROBE;
const ENTRY_BYTES = 0;
/**
 * Byte payloads at least this long are sent by reference (encodeLinkFrameChunks) and returned as
 * views into the received frame, not copies.
 */
const LARGE_ENTRY_BYTES = 64 * 1024;
const ENTRY_STRING = 1;
/** What a decoded small payload holds until its copy is made (never handed out). */
const NO_BYTES = new Uint8Array(0);

/** Does `bytes` start like a link frame (so an owner can tell it from other framework messages)? */
export function isLinkFrame(bytes: Uint8Array): boolean {
  return bytes.length >= LINK_FRAME_HEADER_BYTES && bytes[0] === LINK_FRAME_MAGIC && bytes[1] === LINK_FRAME_VERSION;
}

/** Encoded bytes of one message entry (kind, length, payload). */
export function entryLength(data: Uint8Array | string): number {
  const n = typeof data === 'string' ? Buffer.byteLength(data, 'utf8') : data.length;
  return 1 + varintLength(n) + n;
}

/**
 * Encoded bytes of a section without its entries. `count` of entries is budgeted at its real
 * varint size; a batcher adding entries one by one can reserve 3 bytes (counts < 2^21) instead.
 */
export function sectionOverhead(keyByteLength: number, feedback?: LinkFeedback, data?: { firstSeq: number; count: number }): number {
  let n = varintLength(keyByteLength) + keyByteLength + 1;
  if (feedback) n += varintLength(feedback.ack) + varintLength(feedback.limit);
  if (data) n += varintLength(data.firstSeq) + varintLength(data.count);
  return n;
}

function kindCode(kind: LinkFrameKind): number {
  switch (kind) {
    case 'DATA':
      return 1;
    case 'BYE':
      return 2;
    default:
      return assertNever(kind, 'link frame kind');
  }
}

/**
 * A frame's bytes as consecutive pieces: spans of one buffer holding everything but the large
 * byte payloads, and those payloads themselves (the messages' own bytes, not copies). Joined
 * they are exactly encodeLinkFrame's buffer.
 */
export interface LinkFrameChunks {
  chunks: Uint8Array[];
  /** Total bytes of `chunks`. */
  length: number;
}

/**
 * Encodes a frame into one exactly sized buffer. Seqs, acks and limits must be safe integers ≥ 0
 * (the link's own counters); the frame is not validated beyond that.
 */
export function encodeLinkFrame(frame: LinkFrame): Buffer {
  const { chunks, length } = encodeLinkFrameChunks(frame);
  return joinLinkFrameChunks(chunks, length);
}

/** The one buffer of a frame's chunks (the chunk itself when there is only one, as for frames of small messages). */
export function joinLinkFrameChunks(chunks: readonly Uint8Array[], length: number): Buffer {
  const only = chunks.length === 1 ? chunks[0]! : undefined;
  if (only !== undefined && Buffer.isBuffer(only)) return only;
  return Buffer.concat(chunks, length);
}

/**
 * Encodes a frame as chunks for a transport that writes them in sequence (a socket's writev):
 * byte payloads of 64 KiB or more are referenced, not copied, so a 1 MiB message costs no fresh
 * megabyte (and its page faults) on the sending side. The payloads must not change until the
 * chunks are written; the link keeps them unchanged until acknowledged anyway.
 */
export function encodeLinkFrameChunks(frame: LinkFrame): LinkFrameChunks {
  // Pass 1: exact length, caching UTF-8 lengths so pass 2 does not measure twice.
  const keyLengths = new Array<number>(frame.sections.length);
  let total = LINK_FRAME_HEADER_BYTES + varintLength(frame.sections.length);
  let referenced = 0;
  for (let s = 0; s < frame.sections.length; s++) {
    const section = frame.sections[s]!;
    const keyLength = Buffer.byteLength(section.stream, 'utf8');
    keyLengths[s] = keyLength;
    const data = section.data;
    total += sectionOverhead(keyLength, section.feedback, data && { firstSeq: data.firstSeq, count: data.messages.length });
    if (data) {
      for (const msg of data.messages) {
        total += entryLength(msg.data);
        if (isLargeBytes(msg.data)) referenced += msg.data.length;
      }
    }
  }
  const w = new ByteWriter(Buffer.allocUnsafe(total - referenced));
  const chunks: Uint8Array[] = [];
  let spanFrom = 0;
  w.u8(LINK_FRAME_MAGIC);
  w.u8(LINK_FRAME_VERSION);
  w.u8(kindCode(frame.kind));
  w.u32(frame.senderSession);
  w.u32(frame.receiverSession);
  w.varint(frame.sections.length);
  for (let s = 0; s < frame.sections.length; s++) {
    const section = frame.sections[s]!;
    w.varint(keyLengths[s]!);
    w.utf8(section.stream, keyLengths[s]!);
    const flags =
      (section.feedback ? FLAG_FEEDBACK : 0) |
      (section.closed ? FLAG_CLOSED : 0) |
      (section.data ? FLAG_DATA : 0) |
      (section.probe ? FLAG_PROBE : 0);
    w.u8(flags);
    if (section.feedback) {
      w.varint(section.feedback.ack);
      w.varint(section.feedback.limit);
    }
    if (section.data) {
      w.varint(section.data.firstSeq);
      w.varint(section.data.messages.length);
      for (const msg of section.data.messages) {
        const data = msg.data;
        if (isLargeBytes(data)) {
          w.u8(ENTRY_BYTES);
          w.varint(data.length);
          chunks.push(w.buffer.subarray(spanFrom, w.offset), data);
          spanFrom = w.offset;
        } else {
          writeEntry(w, data);
        }
      }
    }
  }
  if (w.offset !== total - referenced) throw new ProtocolError(`link frame length mismatch: wrote ${w.offset + referenced} of ${total}`);
  if (spanFrom < w.offset) chunks.push(w.buffer.subarray(spanFrom, w.offset));
  return { chunks, length: total };
}

/** A byte payload sent by reference (encoding) and received as a view into its frame (decoding). */
function isLargeBytes(data: Uint8Array | string): data is Uint8Array {
  return typeof data !== 'string' && data.length >= LARGE_ENTRY_BYTES;
}

function writeEntry(w: ByteWriter, data: Uint8Array | string): void {
  if (typeof data === 'string') {
    const n = Buffer.byteLength(data, 'utf8');
    w.u8(ENTRY_STRING);
    w.varint(n);
    w.utf8(data, n);
  } else {
    w.u8(ENTRY_BYTES);
    w.varint(data.length);
    w.bytes(data);
  }
}

/**
 * Decodes a frame. Throws ProtocolError naming the offset on a bad magic, version, kind, flag,
 * truncation or trailing bytes; never returns a partial frame. Byte payloads under 64 KiB are
 * copied out of `bytes` (up to 1 KiB into a shared 8 KiB slab), so a kept small message does
 * not pin the whole frame in memory; larger ones are views into `bytes` (the caller must not
 * reuse it).
 */
export function decodeLinkFrame(bytes: Uint8Array): LinkFrame {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const r = new ByteReader(buf);
  if (r.u8() !== LINK_FRAME_MAGIC) throw new ProtocolError('not a link frame: bad magic byte', 0);
  const version = r.u8();
  if (version !== LINK_FRAME_VERSION) throw new ProtocolError(`unsupported link frame version ${version}`, 1);
  const code = r.u8();
  const kind: LinkFrameKind | undefined = code === 1 ? 'DATA' : code === 2 ? 'BYE' : undefined;
  if (!kind) throw new ProtocolError(`unknown link frame kind ${code}`, 2);
  const senderSession = r.u32();
  const receiverSession = r.u32();
  const countAt = r.offset;
  const sectionCount = r.varint();
  // Each section takes at least 2 bytes, so a larger count is a lie, not a reason to allocate.
  if (sectionCount * 2 > r.remaining) throw new ProtocolError(`section count ${sectionCount} exceeds frame`, countAt);
  const sections: LinkSection[] = new Array(sectionCount);
  for (let s = 0; s < sectionCount; s++) sections[s] = readSection(r);
  if (r.remaining !== 0) throw new ProtocolError(`${r.remaining} trailing bytes after link frame`, r.offset);
  return { kind, senderSession, receiverSession, sections };
}

function readSection(r: ByteReader): LinkSection {
  const stream = r.utf8(r.varint());
  const flagsAt = r.offset;
  const flags = r.u8();
  if ((flags & ~KNOWN_FLAGS) !== 0) throw new ProtocolError(`unknown section flags 0x${flags.toString(16)}`, flagsAt);
  const section: LinkSection = { stream };
  if (flags & FLAG_FEEDBACK) section.feedback = { ack: r.varint(), limit: r.varint() };
  if (flags & FLAG_CLOSED) section.closed = true;
  if (flags & FLAG_PROBE) section.probe = true;
  if (flags & FLAG_DATA) {
    const seqAt = r.offset;
    const firstSeq = r.varint();
    if (firstSeq < 1) throw new ProtocolError('data section starts at seq 0 (seqs start at 1)', seqAt);
    const countAt = r.offset;
    const count = r.varint();
    if (count * 2 > r.remaining) throw new ProtocolError(`entry count ${count} exceeds frame`, countAt);
    section.data = { firstSeq, messages: readEntries(r, stream, count) };
  }
  return section;
}

/**
 * Reads `count` entries of stream `stream`. Byte payloads are copied so a kept message does not
 * pin its whole frame: small ones into shared slabs, neighbours together (one copy per span,
 * payload-slab.ts), larger ones into a buffer each. One of 64 KiB or more is most of its frame
 * anyway and stays a view into it: copying it again cost a third of the time of 1 MiB messages.
 */
function readEntries(r: ByteReader, stream: string, count: number): TaskMsg[] {
  const messages: TaskMsg[] = new Array(count);
  const { buffer } = r;
  // Small byte payloads read but not yet copied: their messages and where each lies in `buffer`.
  const waiting: TaskMsg[] = [];
  const starts: number[] = [];
  const lengths: number[] = [];
  let spanFrom = 0;
  let spanTo = 0;
  const copyWaiting = (): void => {
    if (waiting.length === 0) return;
    const span = copySpan(buffer, spanFrom, spanTo);
    for (let k = 0; k < waiting.length; k++) {
      waiting[k]!.data = new Uint8Array(span.buffer, span.byteOffset + starts[k]! - spanFrom, lengths[k]);
    }
    waiting.length = 0;
    starts.length = 0;
    lengths.length = 0;
  };
  for (let i = 0; i < count; i++) {
    const kindAt = r.offset;
    const kind = r.u8();
    const length = r.varint();
    if (kind === ENTRY_BYTES && length > 0 && length <= SLAB_COPY_MAX_BYTES) {
      const start = r.skip(length);
      if (waiting.length > 0 && start + length - spanFrom > SLAB_BYTES) copyWaiting();
      if (waiting.length === 0) spanFrom = start;
      spanTo = start + length;
      // NO_BYTES stands in until copyWaiting puts the copy in.
      const msg: TaskMsg = { taskName: stream, data: NO_BYTES };
      waiting.push(msg);
      starts.push(start);
      lengths.push(length);
      messages[i] = msg;
      continue;
    }
    copyWaiting();
    let data: Uint8Array | string;
    if (kind === ENTRY_STRING) {
      data = r.utf8(length);
    } else if (kind === ENTRY_BYTES) {
      const start = r.skip(length);
      const view = new Uint8Array(buffer.buffer, buffer.byteOffset + start, length);
      data = length >= LARGE_ENTRY_BYTES ? view : new Uint8Array(view);
    } else {
      throw new ProtocolError(`unknown entry kind ${kind}`, kindAt);
    }
    messages[i] = { taskName: stream, data };
  }
  copyWaiting();
  return messages;
}
