import { InvalidArgumentError, ProtocolError } from '../errors.js';
import { RecordIterator } from './record-iterator.js';

/**
 * Largest record accepted by default. Mesos events are small (an OFFERS event
 * with hundreds of offers is a few MiB); the cap stops a corrupt length prefix
 * from making us buffer gigabytes.
 */
export const DEFAULT_MAX_RECORD_BYTES = 64 * 1024 * 1024;

/** A length prefix is a uint64 (docs/protocol.md, "RecordIO"): at most 20 decimal digits. */
const MAX_LENGTH_DIGITS = 20;

const LF = 0x0a;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

export interface RecordIODecoderOptions {
  /** Records above this many bytes are a ProtocolError. Default DEFAULT_MAX_RECORD_BYTES. */
  maxRecordBytes?: number;
}

export interface DecodeRecordIOOptions extends RecordIODecoderOptions {
  /** Aborting ends the iteration with `signal.reason`, even while waiting on the source. */
  signal?: AbortSignal;
}

/**
 * Receives one complete record: `payload[start, end)` is the record, `offset` is the
 * stream byte offset of its first payload byte. `payload` may be a caller's chunk:
 * read it before returning, do not keep it.
 */
export type RecordSink = (payload: Buffer, start: number, end: number, offset: number) => void;

/**
 * Incremental, synchronous RecordIO decoder (docs/protocol.md, "RecordIO":
 * `record = decimal-length LF payload`). Chunk boundaries may fall anywhere:
 * inside the length prefix, inside a multi-byte UTF-8 character, or between
 * many records of one chunk. Cost is linear in the bytes pushed: a record that
 * lies inside one chunk is returned as a view of that chunk (no copy); a record
 * split across chunks is copied once, when its last byte arrives.
 *
 * Records returned by `push` may share memory with the chunks pushed, so a source
 * must not reuse a chunk's memory after pushing it (Node streams never do).
 */
export class RecordIODecoder {
  readonly #maxRecordBytes: number;
  /** Stream offset of the first byte of the next chunk pushed. */
  #consumed = 0;
  /** Header state: digits seen so far of the current length prefix, and their value. */
  #digits = 0;
  #length = 0;
  /** Stream offset where the current record (its length prefix) began. */
  #recordStart = 0;
  /** Stream offset of the current record's first payload byte (named in JSON errors). */
  #payloadOffset = 0;
  /** True once the LF is seen: waiting for `#length` payload bytes. */
  #isInPayload = false;
  /** Views of the pieces of a payload that spans chunks, and their total size. */
  #parts: Buffer[] = [];
  #partBytes = 0;
  /** Set once a ProtocolError was thrown; the stream cannot be resynchronised after it. */
  #failure: ProtocolError | undefined;

  constructor(options: RecordIODecoderOptions = {}) {
    const max = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
    if (!Number.isSafeInteger(max) || max < 0) {
      throw new InvalidArgumentError('maxRecordBytes', max, 'must be a non-negative safe integer');
    }
    this.#maxRecordBytes = max;
  }

  /**
   * Feeds one chunk; returns the records it completed, in order (possibly none).
   * Throws ProtocolError (naming the stream byte offset) on a malformed length
   * prefix or a record above `maxRecordBytes`; every later call throws it again.
   * Records of this chunk completed before the bad byte are then not returned;
   * use `feed`, whose sink has seen them, when they matter.
   */
  push(chunk: Uint8Array): Buffer[] {
    const records: Buffer[] = [];
    this.feed(chunk, (payload, start, end) => {
      records.push(start === 0 && end === payload.length ? payload : payload.subarray(start, end));
    });
    return records;
  }

  /**
   * Like `push`, but hands each record to `sink` as a range of a buffer, which
   * saves an allocation per record on hot paths (decodeJsonRecords).
   */
  feed(chunk: Uint8Array, sink: RecordSink): void {
    if (this.#failure !== undefined) throw this.#failure;
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const size = buf.length;
    const base = this.#consumed;
    this.#consumed += size;
    let i = 0;
    while (i < size) {
      if (this.#isInPayload) {
        const missing = this.#length - this.#partBytes;
        if (this.#parts.length === 0 && size - i >= missing) {
          // Whole payload inside this chunk: hand out a view, no copy.
          const end = i + missing;
          this.#isInPayload = false;
          this.#length = 0;
          sink(buf, i, end, base + i);
          i = end;
          continue;
        }
        const take = Math.min(missing, size - i);
        // A view, not a copy: the one copy happens in #emitParts, so a record split over
        // k chunks costs O(length), not O(k * length).
        this.#parts.push(buf.subarray(i, i + take));
        this.#partBytes += take;
        i += take;
        if (this.#partBytes === this.#length) this.#emitParts(sink);
        continue;
      }
      const byte = buf[i] as number;
      if (byte === LF) {
        this.#endHeader(base + i);
        i += 1;
        if (this.#length === 0) {
          // Mesos never sends length 0 (docs/protocol.md, "RecordIO"), but it is a well-formed empty record.
          this.#isInPayload = false;
          sink(buf, i, i, base + i);
        }
        continue;
      }
      if (byte < DIGIT_0 || byte > DIGIT_9) {
        this.#fail(`RecordIO length prefix has non-digit byte 0x${byte.toString(16).padStart(2, '0')}`, base + i);
      }
      if (this.#digits === 0) this.#recordStart = base + i;
      this.#digits += 1;
      if (this.#digits > MAX_LENGTH_DIGITS) {
        this.#fail(`RecordIO length prefix longer than ${MAX_LENGTH_DIGITS} digits`, this.#recordStart);
      }
      // Above 2^53 this loses precision, but such a value is far above any cap anyway.
      this.#length = this.#length * 10 + (byte - DIGIT_0);
      i += 1;
    }
  }

  /**
   * Declares the end of the stream. Throws ProtocolError if it stopped inside a
   * record (length prefix or payload), naming where that record began.
   */
  end(): void {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#isInPayload) {
      this.#fail(
        `RecordIO stream truncated: record of ${this.#length} bytes has only ${this.#partBytes}`,
        this.#recordStart,
      );
    }
    if (this.#digits > 0) this.#fail('RecordIO stream truncated inside a length prefix', this.#recordStart);
  }

  /** Bytes held for an incomplete record (for tests and diagnostics). */
  get bufferedBytes(): number {
    return this.#partBytes;
  }

  #endHeader(lfOffset: number): void {
    if (this.#digits === 0) this.#fail('RecordIO length prefix is empty', lfOffset);
    if (this.#length > this.#maxRecordBytes) {
      this.#fail(`RecordIO record of ${this.#length} bytes exceeds maxRecordBytes ${this.#maxRecordBytes}`, this.#recordStart);
    }
    this.#digits = 0;
    this.#isInPayload = true;
    this.#partBytes = 0;
    this.#payloadOffset = lfOffset + 1;
  }

  #emitParts(sink: RecordSink): void {
    const parts = this.#parts;
    const payload = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, this.#partBytes);
    const length = this.#length;
    this.#parts = [];
    this.#partBytes = 0;
    this.#length = 0;
    this.#isInPayload = false;
    sink(payload, 0, length, this.#payloadOffset);
  }

  #fail(message: string, offset: number): never {
    this.#failure = new ProtocolError(message, offset);
    throw this.#failure;
  }
}

/**
 * Decodes a RecordIO byte stream into its records. The iteration ends when the
 * source ends on a record boundary; it throws ProtocolError on malformed framing
 * or a truncated last record (after the good records before it), and
 * `signal.reason` on abort (even while the source is idle). One consumer only. Breaking out, failing or aborting calls the source's
 * `return()`, which for an HTTP body destroys the socket.
 */
export function decodeRecordIO(
  source: AsyncIterable<Uint8Array>,
  options: DecodeRecordIOOptions = {},
): AsyncIterableIterator<Buffer> {
  return new RecordIterator(source, options, (payload, start, end) =>
    start === 0 && end === payload.length ? payload : payload.subarray(start, end),
  );
}
