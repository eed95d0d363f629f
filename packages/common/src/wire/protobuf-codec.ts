/**
 * Protobuf binary ⇄ wire objects (the Mesos JSON shape every layer of this project handles).
 * The binary side is @bufbuild/protobuf over the schema in proto/; the JSON-shape side maps
 * field by field as Mesos' own JSON does (docs/protobuf.md): proto field names, enum names,
 * 64-bit integers as numbers (strings past 2^53), `bytes` as base64.
 */
import {
  fromBinary,
  fromJson,
  isFieldSet,
  ScalarType,
  toBinary,
  type DescEnum,
  type DescField,
  type DescMessage,
  type JsonValue,
  type Message,
} from '@bufbuild/protobuf';
import { ProtocolError } from '../errors.js';

/**
 * Encodes a wire object as protobuf bytes. Keys the schema does not know are dropped, as are
 * enum names it does not know (Mesos' own parser would refuse them; callers validate first).
 *
 * @throws ProtocolError when a value has the wrong JSON type for its field.
 */
export function encodeProtobuf(desc: DescMessage, wire: unknown): Uint8Array {
  let message: Message;
  try {
    message = fromJson(desc, wire as JsonValue, { ignoreUnknownFields: true });
  } catch (err) {
    throw new ProtocolError(`Cannot encode ${desc.typeName} as protobuf: ${(err as Error).message}`, undefined, { cause: err });
  }
  return toBinary(desc, message);
}

/**
 * Decodes protobuf bytes into a wire object, fields in declaration order.
 *
 * @throws ProtocolError when the bytes are not a valid encoding of `desc`.
 */
export function decodeProtobuf<W>(desc: DescMessage, bytes: Uint8Array): W {
  let message: Message;
  try {
    message = fromBinary(desc, bytes);
  } catch (err) {
    throw new ProtocolError(`Failed to parse ${desc.typeName} from protobuf: ${(err as Error).message}`, undefined, { cause: err });
  }
  return messageToWire(desc, message) as W;
}

/** The wire (JSON-shaped) form of a decoded message. Exposed for tests and the operator API. */
export function messageToWire(desc: DescMessage, message: Message): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const values = message as unknown as Record<string, unknown>;
  for (const field of desc.fields) {
    const v = values[field.localName];
    switch (field.fieldKind) {
      case 'list': {
        const list = v as unknown[];
        if (list.length === 0) continue;
        out[field.name] = list.map((item) =>
          field.listKind === 'message'
            ? messageToWire(field.message, item as Message)
            : field.listKind === 'enum'
              ? enumName(field.enum, item as number)
              : scalarToWire(field.scalar, item),
        );
        continue;
      }
      case 'map': {
        const map = v as Record<string, unknown>;
        const keys = Object.keys(map);
        if (keys.length === 0) continue;
        const obj: Record<string, unknown> = {};
        for (const k of keys) {
          const item = map[k];
          obj[k] =
            field.mapKind === 'message'
              ? messageToWire(field.message, item as Message)
              : field.mapKind === 'enum'
                ? enumName(field.enum, item as number)
                : scalarToWire(field.scalar, item);
        }
        out[field.name] = obj;
        continue;
      }
      default:
        // proto2 presence: an unset optional field is absent, as in Mesos' JSON.
        if (!isFieldSet(message, field as DescField)) continue;
        out[field.name] =
          field.fieldKind === 'message'
            ? messageToWire(field.message, v as Message)
            : field.fieldKind === 'enum'
              ? enumName(field.enum, v as number)
              : scalarToWire(field.scalar, v);
    }
  }
  return out;
}

function enumName(desc: DescEnum, n: number): string | number {
  return desc.value[n]?.name ?? n;
}

function scalarToWire(type: ScalarType, v: unknown): unknown {
  switch (type) {
    case ScalarType.BYTES: {
      const bytes = v as Uint8Array;
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
    }
    case ScalarType.INT64:
    case ScalarType.UINT64:
    case ScalarType.SINT64:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64: {
      const n = Number(v as bigint | string);
      return Number.isSafeInteger(n) ? n : String(v);
    }
    default:
      return v;
  }
}
