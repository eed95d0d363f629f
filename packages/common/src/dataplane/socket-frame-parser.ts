import { ProtocolError } from '../errors.js';

/**
 * The data plane's framing on a TCP (or TLS) connection (docs/protocol.md, "Data plane"): every
 * frame is a u32 big-endian length followed by that many bytes, which are one link frame (or,
 * first thing on a connection, one handshake record). Binary throughout, no base64.
 */
export const SOCKET_FRAME_HEADER_BYTES = 4;

/**
 * Largest frame a parser accepts by default: a link frame holds at most one message over its
 * byte limit, and a message is at most 256 MiB (--max-message-size's own bound), so anything
 * beyond this is a corrupt or hostile length, refused before any allocation.
 */
export const DEFAULT_MAX_SOCKET_FRAME_BYTES = 256 * 1024 * 1024 + 64 * 1024;

/** The 4-byte length prefix of a frame of `length` bytes. */
export function socketFrameHeader(length: number): Buffer {
  const header = Buffer.allocUnsafe(SOCKET_FRAME_HEADER_BYTES);
  header.writeUInt32BE(length, 0);
  return header;
}

/**
 * Cuts a byte stream into length-prefixed frames, whatever the chunking: `push` takes the next
 * chunk and returns every frame it completed, in order. Throws ProtocolError (naming the
 * stream offset) for an empty frame or one longer than `maxFrameBytes`; after a throw the
 * parser is unusable (the connection must be dropped: the stream has lost its framing).
 * Holds at most one incomplete frame.
 */
export class SocketFrameParser {
  /** Chunks of the incomplete frame (header included); their total is `buffered`. */
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Body length of the frame being read, once its header is complete; -1 before. */
  private need = -1;
  /** Bytes consumed by complete frames so far (for error offsets). */
  private offset = 0;
  private failed = false;

  constructor(readonly maxFrameBytes: number = DEFAULT_MAX_SOCKET_FRAME_BYTES) {}

  /** Bytes held of a frame not yet complete. */
  get pendingBytes(): number {
    return this.buffered;
  }

  push(chunk: Uint8Array): Buffer[] {
    if (this.failed) throw new ProtocolError('socket frame parser used after a framing error', this.offset);
    let buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const out: Buffer[] = [];
    if (this.buffered > 0) {
      // Join only what the pending frame needs at most; usually it is the whole chunk anyway.
      this.chunks.push(buf);
      this.buffered += buf.length;
      const want = this.need < 0 ? SOCKET_FRAME_HEADER_BYTES : SOCKET_FRAME_HEADER_BYTES + this.need;
      if (this.buffered < want) return out;
      buf = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
      this.chunks = [];
      this.buffered = 0;
      this.need = -1;
    }
    let pos = 0;
    while (buf.length - pos >= SOCKET_FRAME_HEADER_BYTES) {
      const length = buf.readUInt32BE(pos);
      if (length === 0 || length > this.maxFrameBytes) {
        this.failed = true;
        throw new ProtocolError(`socket frame length ${length} outside 1 … ${this.maxFrameBytes}`, this.offset);
      }
      const end = pos + SOCKET_FRAME_HEADER_BYTES + length;
      if (end > buf.length) {
        this.need = length;
        break;
      }
      out.push(buf.subarray(pos + SOCKET_FRAME_HEADER_BYTES, end));
      this.offset += end - pos;
      pos = end;
    }
    if (pos < buf.length) {
      const rest = buf.subarray(pos);
      this.chunks = [rest];
      this.buffered = rest.length;
      if (this.need < 0 && rest.length >= SOCKET_FRAME_HEADER_BYTES) this.need = rest.readUInt32BE(0);
    }
    return out;
  }
}
