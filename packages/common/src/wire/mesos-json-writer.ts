/**
 * Mesos' JSON, written from the protobuf schema (docs/protobuf.md, "JSON, as Mesos writes it"): fields in the
 * order the .proto declares them (Mesos walks the descriptor), snake_case names, enums as
 * names, 64-bit integers as bare numbers, `bytes` as base64 text, and doubles always with a
 * fractional part (`15.0`, `4096.0`). That is what makes a re-encoded record byte-identical
 * to a real master's.
 */
import { ScalarType, type DescField, type DescMessage } from '@bufbuild/protobuf';

/** Per message: its fields in declaration order and the names the schema knows. */
interface Layout {
  fields: readonly DescField[];
  names: ReadonlySet<string>;
}

/** Layouts are computed once per descriptor; descriptors live as long as the process. */
const layouts = new WeakMap<DescMessage, Layout>();

function layoutOf(desc: DescMessage): Layout {
  let layout = layouts.get(desc);
  if (layout === undefined) {
    layout = { fields: desc.fields, names: new Set(desc.fields.map((f) => f.name)) };
    layouts.set(desc, layout);
  }
  return layout;
}

/**
 * Serializes a wire object (Mesos JSON shape) as compact JSON text the way Mesos writes it.
 * Keys the schema does not know are kept, after the known ones, as plain JSON (so a field the
 * schema leaves out still passes through). Undefined and null fields and empty repeated fields
 * are omitted, as Mesos omits unset fields.
 */
export function writeMesosJson(desc: DescMessage, value: unknown): string {
  return writeMessage(desc, value as Record<string, unknown>);
}

function writeMessage(desc: DescMessage, obj: Record<string, unknown>): string {
  const { fields, names } = layoutOf(desc);
  let out = '{';
  let first = true;
  for (const field of fields) {
    const v = obj[field.name];
    // Mesos lists only set fields: an empty repeated field is not written.
    if (v === undefined || v === null || (field.fieldKind === 'list' && Array.isArray(v) && v.length === 0)) continue;
    out += `${first ? '' : ','}"${field.name}":${writeField(field, v)}`;
    first = false;
  }
  for (const key in obj) {
    if (names.has(key)) continue;
    const v = obj[key];
    if (v === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${writePlain(v)}`;
    first = false;
  }
  return `${out}}`;
}

function writeField(field: DescField, v: unknown): string {
  switch (field.fieldKind) {
    case 'scalar':
      return writeScalar(field.scalar, v);
    case 'enum':
      return JSON.stringify(v);
    case 'message':
      return writeMessage(field.message, v as Record<string, unknown>);
    case 'list': {
      if (!Array.isArray(v)) return writePlain(v);
      const parts: string[] = [];
      for (const item of v) {
        parts.push(
          field.listKind === 'message'
            ? writeMessage(field.message, item as Record<string, unknown>)
            : field.listKind === 'scalar'
              ? writeScalar(field.scalar, item)
              : JSON.stringify(item),
        );
      }
      return `[${parts.join(',')}]`;
    }
    case 'map': {
      const parts: string[] = [];
      for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
        const text =
          field.mapKind === 'message'
            ? writeMessage(field.message, item as Record<string, unknown>)
            : field.mapKind === 'scalar'
              ? writeScalar(field.scalar, item)
              : JSON.stringify(item);
        parts.push(`${JSON.stringify(k)}:${text}`);
      }
      return `{${parts.join(',')}}`;
    }
  }
}

function writeScalar(type: ScalarType, v: unknown): string {
  switch (type) {
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      return typeof v === 'number' ? formatDouble(v) : JSON.stringify(v);
    case ScalarType.INT64:
    case ScalarType.UINT64:
    case ScalarType.SINT64:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      // Mesos writes 64-bit integers as bare numbers; a string holding digits (kept to avoid
      // losing precision past 2^53) is written bare too.
      return typeof v === 'bigint' || (typeof v === 'string' && /^-?\d+$/.test(v)) ? String(v) : JSON.stringify(v);
    default:
      return JSON.stringify(v);
  }
}

/** A value outside the schema: plain JSON, doubles as JavaScript prints them. */
function writePlain(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? Number(x) : x)) ?? 'null';
}

/** Mesos prints an integral double with `.0`; infinities and NaN as strings (no JSON number for them). */
export function formatDouble(n: number): string {
  if (!Number.isFinite(n)) return JSON.stringify(n > 0 ? 'Infinity' : n < 0 ? '-Infinity' : 'NaN');
  // Past 1e21 JavaScript switches to exponent notation, which already reads as a double.
  return Number.isInteger(n) && Math.abs(n) < 1e21 ? `${n}.0` : String(n);
}
