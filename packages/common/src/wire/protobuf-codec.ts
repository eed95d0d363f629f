/**
 * Protobuf binary ⇄ wire objects (the Mesos JSON shape every layer of this project handles).
 * The binary side is @bufbuild/protobuf over the schema in proto/; the JSON-shape side maps
 * field by field as Mesos' own JSON does (docs/protobuf.md): proto field names, enum names,
 * 64-bit integers as numbers (strings past 2^53), `bytes` as base64.
 */
import {
  create,
  fromBinary,
  isFieldSet,
  ScalarType,
  toBinary,
  type DescEnum,
  type DescField,
  type DescMessage,
  type Message,
} from '@bufbuild/protobuf';
import { ProtocolError } from '../errors.js';

/**
 * Encodes a wire object as protobuf bytes. Keys the schema does not know are dropped, as are
 * enum names it does not know (callers validate first).
 *
 * @throws ProtocolError when a value has the wrong JSON type for its field.
 */
export function encodeProtobuf(desc: DescMessage, wire: unknown): Uint8Array {
  try {
    return toBinary(desc, create(desc, wireToInit(desc, wire as Record<string, unknown>)));
  } catch (err) {
    throw new ProtocolError(`Cannot encode ${desc.typeName} as protobuf: ${(err as Error).message}`, undefined, { cause: err });
  }
}

/** Enum value numbers by name, computed once per enum. */
const enumNumbers = new WeakMap<DescEnum, ReadonlyMap<string, number>>();

function enumNumber(desc: DescEnum, v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  let numbers = enumNumbers.get(desc);
  if (numbers === undefined) {
    numbers = new Map(desc.values.map((value) => [value.name, value.number]));
    enumNumbers.set(desc, numbers);
  }
  return numbers.get(String(v));
}

/**
 * The `create()` init of a wire object: generated field names, enum numbers, bigint 64-bit
 * integers and raw bytes. Base64 is decoded with Buffer (native), which is what makes large
 * framework messages cheaper in protobuf than as base64 JSON text.
 */
function wireToInit(desc: DescMessage, obj: Record<string, unknown>): Record<string, unknown> {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    throw new TypeError(`${desc.typeName}: expected an object, got ${Array.isArray(obj) ? 'an array' : typeof obj}`);
  }
  const init: Record<string, unknown> = {};
  for (const field of desc.fields) {
    const v = obj[field.name];
    if (v === undefined || v === null) continue;
    switch (field.fieldKind) {
      case 'scalar':
        init[field.localName] = scalarToInit(field.scalar, v);
        break;
      case 'enum': {
        const n = enumNumber(field.enum, v);
        // An enum name the schema does not know leaves the field unset, as Mesos' parser does.
        if (n !== undefined) init[field.localName] = n;
        break;
      }
      case 'message':
        init[field.localName] = wireToInit(field.message, v as Record<string, unknown>);
        break;
      case 'list': {
        if (!Array.isArray(v)) throw new TypeError(`${desc.typeName}.${field.name}: expected an array`);
        init[field.localName] =
          field.listKind === 'message'
            ? v.map((item) => wireToInit(field.message, item as Record<string, unknown>))
            : field.listKind === 'enum'
              ? v.map((item) => enumNumber(field.enum, item)).filter((n) => n !== undefined)
              : v.map((item) => scalarToInit(field.scalar, item));
        break;
      }
      case 'map': {
        const map: Record<string, unknown> = {};
        for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
          map[k] =
            field.mapKind === 'message'
              ? wireToInit(field.message, item as Record<string, unknown>)
              : field.mapKind === 'enum'
                ? enumNumber(field.enum, item)
                : scalarToInit(field.scalar, item);
        }
        init[field.localName] = map;
        break;
      }
    }
  }
  return init;
}

function scalarToInit(type: ScalarType, v: unknown): unknown {
  switch (type) {
    case ScalarType.BYTES:
      if (typeof v !== 'string') throw new TypeError(`expected base64 text, got ${typeof v}`);
      return Buffer.from(v, 'base64');
    case ScalarType.INT64:
    case ScalarType.UINT64:
    case ScalarType.SINT64:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return BigInt(v as string | number);
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      // Mesos' JSON spells the non-finite doubles as strings.
      return typeof v === 'string' ? Number(v) : v;
    case ScalarType.STRING:
      if (typeof v !== 'string') throw new TypeError(`expected a string, got ${typeof v}`);
      return v;
    case ScalarType.BOOL:
      if (typeof v !== 'boolean') throw new TypeError(`expected a boolean, got ${typeof v}`);
      return v;
    default:
      if (typeof v !== 'number') throw new TypeError(`expected a number, got ${typeof v}`);
      return v;
  }
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
