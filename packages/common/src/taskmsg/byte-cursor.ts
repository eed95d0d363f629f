import { ProtocolError } from '../errors.js';

/**
 * Unsigned LEB128 varints up to Number.MAX_SAFE_INTEGER, and cursors that read and write them.
 * Sequence numbers and lengths on a link are varints: a seq grows without bound over a long run
 * (2^32 messages is 12 hours at 100k/s), and small values — the usual case — take one byte.
 */

/** Bytes a varint of `value` takes (1 for 0..127, at most 8 for 2^53-1). */
export function varintLength(value: number): number {
  let n = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    n++;
  }
  return n;
}

/** Writes into a buffer sized up front (frames compute their exact length before encoding). */
export class ByteWriter {
  /** Next write position; only the write methods move it. */
  offset = 0;
  constructor(readonly buffer: Buffer) {}

  u8(value: number): void {
    this.buffer[this.offset++] = value;
  }

  u32(value: number): void {
    this.buffer.writeUInt32BE(value >>> 0, this.offset);
    this.offset += 4;
  }

  varint(value: number): void {
    const buf = this.buffer;
    while (value >= 0x80) {
      buf[this.offset++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    buf[this.offset++] = value;
  }

  bytes(value: Uint8Array): void {
    this.buffer.set(value, this.offset);
    this.offset += value.length;
  }

  /** Writes `value` as UTF-8; `byteLength` must be Buffer.byteLength(value). */
  utf8(value: string, byteLength: number): void {
    this.offset += this.buffer.write(value, this.offset, byteLength, 'utf8');
  }
}

/** Reads a frame; every read checks bounds and throws ProtocolError naming the offset. */
export class ByteReader {
  /** Next read position. */
  offset = 0;
  constructor(readonly buffer: Buffer) {}

  get remaining(): number {
    return this.buffer.length - this.offset;
  }

  u8(): number {
    if (this.offset >= this.buffer.length) throw new ProtocolError('truncated frame: expected a byte', this.offset);
    return this.buffer[this.offset++]!;
  }

  u32(): number {
    if (this.offset + 4 > this.buffer.length) throw new ProtocolError('truncated frame: expected 4 bytes', this.offset);
    const value = this.buffer.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  varint(): number {
    const start = this.offset;
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      if (this.offset >= this.buffer.length) throw new ProtocolError('truncated varint', start);
      const byte = this.buffer[this.offset++]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        if (value > Number.MAX_SAFE_INTEGER) throw new ProtocolError('varint exceeds 2^53-1', start);
        return value;
      }
      scale *= 0x80;
    }
    throw new ProtocolError('varint longer than 8 bytes', start);
  }

  /** Steps over the next `length` bytes (checked); returns where they start in `buffer`. */
  skip(length: number): number {
    if (length > this.remaining) {
      throw new ProtocolError(`truncated frame: ${length} bytes announced, ${this.remaining} left`, this.offset);
    }
    const start = this.offset;
    this.offset += length;
    return start;
  }

  utf8(length: number): string {
    if (length > this.remaining) {
      throw new ProtocolError(`truncated frame: ${length} bytes announced, ${this.remaining} left`, this.offset);
    }
    const text = this.buffer.toString('utf8', this.offset, this.offset + length);
    this.offset += length;
    return text;
  }
}
