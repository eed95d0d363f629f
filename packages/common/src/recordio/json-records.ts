import { isAscii, isUtf8 } from 'node:buffer';
import { ProtocolError } from '../errors.js';
import type { DecodeRecordIOOptions } from './decoder.js';
import { RecordIterator } from './record-iterator.js';

/**
 * Decodes a RecordIO stream of JSON records (a Mesos SUBSCRIBE body,
 * docs/protocol.md, "RecordIO") into parsed values. Each record is decoded as UTF-8
 * only once complete, so a character split across chunks is never mangled.
 *
 * The iteration ends when the source ends on a record boundary. It throws
 * ProtocolError for bad framing, a truncated last record, or a record that is
 * not UTF-8 JSON (naming the record's byte offset, with the SyntaxError as cause),
 * and `signal.reason` on abort. The values are not validated against `T`: that
 * is the job of the event decoder above.
 */
export function decodeJsonRecords<T = unknown>(
  source: AsyncIterable<Uint8Array>,
  options: DecodeRecordIOOptions = {},
): AsyncIterableIterator<T> {
  const text = new RecordText();
  return new RecordIterator<T>(source, options, (payload, start, end, offset) =>
    parseRecord<T>(text.slice(payload, start, end, offset), offset),
  );
}

/**
 * Decodes record bytes to text. Mesos JSON is almost always ASCII (non-ASCII
 * appears only inside user strings), and for an ASCII chunk byte offsets equal
 * string offsets: decoding the chunk once and slicing (O(1) in V8) is much
 * cheaper than one UTF-8 decode call per record. Any non-ASCII chunk is decoded
 * per record, so a character split across chunks is never mangled, and checked
 * first: JSON text must be UTF-8 (RFC 8259, section 8.1), and a lenient decode would
 * silently turn bad bytes inside a string into U+FFFD (regression
 * invalid-utf8-json-record).
 */
class RecordText {
  /** The last chunk seen and its text (undefined when it is not all ASCII). */
  #chunk: Buffer | undefined;
  #chunkText: string | undefined;

  /** Throws ProtocolError, naming `offset`, when the record is not well-formed UTF-8. */
  slice(payload: Buffer, start: number, end: number, offset: number): string {
    if (payload !== this.#chunk) {
      this.#chunk = payload;
      this.#chunkText = isAscii(payload) ? payload.toString('latin1') : undefined;
    }
    if (this.#chunkText !== undefined) return this.#chunkText.slice(start, end);
    if (!isUtf8(payload.subarray(start, end))) throw new ProtocolError('RecordIO record is not valid UTF-8', offset);
    return payload.toString('utf8', start, end);
  }
}

function parseRecord<T>(text: string, offset: number): T {
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new ProtocolError(`RecordIO record is not valid JSON: ${(error as Error).message}`, offset, { cause: error });
  }
}
