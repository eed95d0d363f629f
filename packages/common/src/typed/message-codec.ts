/**
 * How one task kind's messages become the bytes or text a TaskMsg carries, and back. The codec
 * runs once per message at the channel boundary (a typed channel wraps the untyped one), so what
 * crosses the link, a worker thread or a re-send is the encoded string or bytes: JSON is
 * stringified once per message, bytes are passed through untouched.
 */
import { ProtocolError } from '../errors.js';

/** What a TaskMsg carries on the wire: raw bytes, or text sent as UTF-8. */
export type WireData = Uint8Array | string;

/**
 * A pluggable codec (bring a schema-based one by implementing this). `encode` may throw for a
 * value it cannot represent; `decode` must throw (any error; its message becomes the reason of
 * the MessageDecodeError) for data it cannot read, never return garbage.
 */
export interface MessageCodec<T> {
  /** Shown in errors: "json", "bytes", or your codec's name. */
  readonly name: string;
  /** Turns a value into what a TaskMsg carries; throws for a value it cannot encode. */
  encode(value: T): WireData;
  /** Turns what a TaskMsg carried back into a value; throws for data it cannot decode. */
  decode(data: WireData): T;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * JSON for structured data (the default for typed messages): encodes to a string once; decodes a
 * string, or bytes holding UTF-8 JSON. `T` is what the JSON stands for: the codec checks syntax,
 * not shape — wrap `decode` with a validator if senders may disagree on the shape.
 */
export function jsonCodec<T>(): MessageCodec<T> {
  return {
    name: 'json',
    encode(value: T): string {
      const text = JSON.stringify(value);
      // JSON.stringify(undefined) (or a function) is undefined: no JSON text exists for it.
      if (typeof text !== 'string') throw new ProtocolError(`${typeof value} has no JSON form`);
      return text;
    },
    decode(data: WireData): T {
      return JSON.parse(typeof data === 'string' ? data : utf8.decode(data)) as T;
    },
  };
}

/** Raw bytes, as the untyped API carries them: no copy, no transformation. Text is refused. */
export const bytesCodec: MessageCodec<Uint8Array> = {
  name: 'bytes',
  encode: (value) => value,
  decode(data) {
    if (typeof data === 'string') throw new ProtocolError(`expected bytes, got a string of ${data.length} characters`);
    return data;
  },
};

/** Plain text, as the untyped API carries it. Bytes are refused. */
export const stringCodec: MessageCodec<string> = {
  name: 'string',
  encode: (value) => value,
  decode(data) {
    if (typeof data !== 'string') throw new ProtocolError(`expected a string, got ${data.length} bytes`);
    return data;
  },
};
