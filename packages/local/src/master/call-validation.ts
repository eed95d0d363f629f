/**
 * Body → scheduler Call, with a real master's error texts (docs/protocol.md,
 * "Scheduler endpoint answers", "Scheduler calls"): JSON syntax, then protobuf conversion (required fields, lenient repeated fields,
 * unknown enum strings dropped), then call validation.
 */
import { isValidStatusUuid, SCHEDULER_CALL_TYPES, type SchedulerCall } from '@mesosgot/common/internal';
import { SCHEDULER_CALL_CODEC } from '@mesosgot/common/protobuf';
import { scanJson } from './json-syntax-error.js';

/** `type: UNKNOWN` passes validation and is answered 501 later (docs/protocol.md, "Scheduler endpoint answers"). */
export interface UnknownCall {
  type: 'UNKNOWN';
  framework_id: { value: string };
}

export type ParsedCall = { ok: true; call: SchedulerCall | UnknownCall } | { ok: false; body: string };

/** A message schema: which fields are required and which sub-messages to descend into. */
interface Field {
  required?: boolean;
  repeated?: boolean;
  message?: () => Schema;
}
type Schema = Record<string, Field>;

/** `make` run once, on first use: schemas refer to ones defined later, and are walked for every field of every call. */
const once = (make: () => Schema): (() => Schema) => {
  let schema: Schema | undefined;
  return () => (schema ??= make());
};
const req = (message?: () => Schema): Field => ({ required: true, ...(message ? { message: once(message) } : {}) });
const opt = (message: () => Schema): Field => ({ message: once(message) });
const many = (message: () => Schema): Field => ({ repeated: true, message: once(message) });

const ID: Schema = { value: req() };
const RESOURCE: Schema = {
  name: req(),
  type: req(),
  scalar: opt(() => ({ value: req() })),
  ranges: opt(() => ({ range: many(() => ({ begin: req(), end: req() })) })),
};
const COMMAND: Schema = {
  uris: many(() => ({ value: req() })),
  environment: opt(() => ({ variables: many(() => ({ name: req() })) })),
};
const LABELS: Schema = { labels: many(() => ({ key: req() })) };
const DURATION: Schema = { nanoseconds: req() };
const EXECUTOR: Schema = {
  executor_id: req(() => ID),
  framework_id: opt(() => ID),
  command: opt(() => COMMAND),
  resources: many(() => RESOURCE),
  shutdown_grace_period: opt(() => DURATION),
  labels: opt(() => LABELS),
};
const TASK: Schema = {
  name: req(),
  task_id: req(() => ID),
  agent_id: req(() => ID),
  resources: many(() => RESOURCE),
  executor: opt(() => EXECUTOR),
  command: opt(() => COMMAND),
  kill_policy: opt(() => ({ grace_period: opt(() => DURATION) })),
  labels: opt(() => LABELS),
};
const FRAMEWORK_INFO: Schema = { user: req(), name: req(), id: opt(() => ID), labels: opt(() => LABELS) };
const OPERATION: Schema = {
  id: opt(() => ID),
  launch: opt(() => ({ task_infos: many(() => TASK) })),
  launch_group: opt(() => ({
    executor: req(() => EXECUTOR),
    task_group: req(() => ({ tasks: many(() => TASK) })),
  })),
};
const CALL: Schema = {
  framework_id: opt(() => ID),
  subscribe: opt(() => ({ framework_info: req(() => FRAMEWORK_INFO) })),
  accept: opt(() => ({ offer_ids: many(() => ID), operations: many(() => OPERATION) })),
  decline: opt(() => ({ offer_ids: many(() => ID) })),
  accept_inverse_offers: opt(() => ({ inverse_offer_ids: many(() => ID) })),
  decline_inverse_offers: opt(() => ({ inverse_offer_ids: many(() => ID) })),
  kill: opt(() => ({ task_id: req(() => ID), agent_id: opt(() => ID), kill_policy: opt(() => ({ grace_period: opt(() => DURATION) })) })),
  shutdown: opt(() => ({ executor_id: req(() => ID), agent_id: req(() => ID) })),
  acknowledge: opt(() => ({ agent_id: req(() => ID), task_id: req(() => ID), uuid: req() })),
  acknowledge_operation_status: opt(() => ({ agent_id: opt(() => ID), uuid: req(), operation_id: req(() => ID) })),
  reconcile: opt(() => ({ tasks: many(() => ({ task_id: req(() => ID), agent_id: opt(() => ID) })) })),
  message: opt(() => ({ agent_id: req(() => ID), executor_id: req(() => ID), data: req() })),
  update_framework: opt(() => ({ framework_info: req(() => FRAMEWORK_INFO) })),
};

/** Payload object each call type needs (docs/protocol.md, "Scheduler calls"); TEARDOWN, REVIVE, SUPPRESS need none. */
const PAYLOAD_FIELD: Partial<Record<SchedulerCall['type'], string>> = {
  ACCEPT: 'accept',
  DECLINE: 'decline',
  ACCEPT_INVERSE_OFFERS: 'accept_inverse_offers',
  DECLINE_INVERSE_OFFERS: 'decline_inverse_offers',
  KILL: 'kill',
  SHUTDOWN: 'shutdown',
  ACKNOWLEDGE: 'acknowledge',
  ACKNOWLEDGE_OPERATION_STATUS: 'acknowledge_operation_status',
  RECONCILE: 'reconcile',
  RECONCILE_OPERATIONS: 'reconcile_operations',
  MESSAGE: 'message',
  REQUEST: 'request',
  UPDATE_FRAMEWORK: 'update_framework',
};

const CONVERT = 'Failed to convert JSON into Call protobuf: ';
const VALIDATE = 'Failed to validate scheduler::Call: ';
const PROTOBUF_PARSE = 'Failed to parse body into Call protobuf';

/** Parses and validates a scheduler call body; never throws. */
export function parseSchedulerCall(body: string): ParsedCall {
  let json: unknown;
  try {
    // A body JSON.parse takes is one value with only whitespace around it, which the scan
    // below accepts too (same grammar); only a refused body needs the scan, for Mesos' text.
    json = JSON.parse(body);
  } catch {
    return { ok: false, body: `Failed to parse body into JSON: ${syntaxErrorOf(body)}` };
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    return { ok: false, body: `${CONVERT}Expecting a JSON object` };
  }
  // Most calls need none of the converter's leniencies: then the parsed object is the call as is.
  const obj = isNormal(json as Record<string, unknown>, CALL) ? (json as Record<string, unknown>) : normalize(json as Record<string, unknown>, CALL, '');
  if (typeof obj === 'string') return { ok: false, body: `${CONVERT}${obj}` };
  if (isMissingFields(obj, CALL)) return { ok: false, body: `${CONVERT}Missing required fields: ${missingFields(obj, CALL, '').join(', ')}` };
  return validated(obj);
}

/** Mesos' text for a body JSON.parse refused: picojson's syntax error, or stout's trailing characters. */
function syntaxErrorOf(body: string): string {
  const scan = scanJson(body);
  if (!scan.ok) return scan.message;
  // picojson stops after one value, but stout's JSON::parse then refuses anything but
  // whitespace after it, quoting it up to the last visible character (regression
  // json-trailing-garbage: `{…}garbage` was accepted).
  let last = body.length;
  while (last > scan.end && ' \t\n\r'.includes(body[last - 1]!)) last--;
  return `Parsed JSON included non-whitespace trailing characters: ${body.slice(scan.end, last)}`;
}

/**
 * Parses and validates a protobuf (`application/x-protobuf`) call body; never throws. Mesos'
 * parser refuses bytes that do not decode and a message missing a required field alike.
 */
export function parseSchedulerCallProtobuf(body: Uint8Array): ParsedCall {
  let obj: Record<string, unknown>;
  try {
    obj = SCHEDULER_CALL_CODEC.fromBinary(body) as unknown as Record<string, unknown>;
  } catch {
    return { ok: false, body: PROTOBUF_PARSE };
  }
  // An unknown enum number decodes as that number; Mesos' parser leaves the field unset.
  if (typeof obj.type === 'number') delete obj.type;
  if (isMissingFields(obj, CALL)) return { ok: false, body: PROTOBUF_PARSE };
  return validated(obj);
}

function validated(obj: Record<string, unknown>): ParsedCall {
  const error = validate(obj);
  if (error) return { ok: false, body: `${VALIDATE}${error}` };
  return { ok: true, call: obj as unknown as SchedulerCall | UnknownCall };
}

function validate(call: Record<string, unknown>): string | undefined {
  const type = call.type;
  // An unknown enum string is dropped by the converter, so it reads as "no type" (docs/protocol.md, "Scheduler calls").
  const known = type === 'UNKNOWN' || SCHEDULER_CALL_TYPES.includes(type as SchedulerCall['type']);
  if (typeof type !== 'string' || !known) return "Expecting 'type' to be present";
  const frameworkId = (call.framework_id as { value?: string } | undefined)?.value;
  if (type === 'SUBSCRIBE') {
    const subscribe = call.subscribe as { framework_info?: { id?: { value?: string } } } | undefined;
    if (!subscribe) return "Expecting 'subscribe' to be present";
    if (frameworkId !== subscribe.framework_info?.id?.value) {
      return "'framework_id' differs from 'subscribe.framework_info.id'";
    }
    return undefined;
  }
  if (frameworkId === undefined) return "Expecting 'framework_id' to be present";
  const payload = PAYLOAD_FIELD[type as SchedulerCall['type']];
  if (payload && (call[payload] === undefined || call[payload] === null)) return `Expecting '${payload}' to be present`;
  if (type === 'ACKNOWLEDGE') {
    const uuid = (call.acknowledge as { uuid?: unknown }).uuid;
    if (!isValidStatusUuid(uuid)) return 'Not a valid UUID';
  }
  if (type === 'UPDATE_FRAMEWORK') {
    const info = (call.update_framework as { framework_info?: { id?: { value?: string } } }).framework_info;
    if (info?.id?.value !== frameworkId) return "'framework_id' differs from 'update_framework.framework_info.id'";
  }
  return undefined;
}

/**
 * Applies the converter's leniencies in place of a protobuf library: `null` = unset, a lone
 * object for a repeated message field = a one-element list; an array for a singular message
 * field, or a scalar where a message belongs, is a conversion error (returned as text).
 */
function normalize(obj: Record<string, unknown>, schema: Schema, path: string): Record<string, unknown> | string {
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(obj)) {
    if (raw === null) continue;
    const field = schema[key];
    if (!field?.message) {
      out[key] = raw;
      continue;
    }
    const here = path ? `${path}.${key}` : key;
    if (field.repeated) {
      const list = Array.isArray(raw) ? raw : [raw];
      const items: Record<string, unknown>[] = [];
      for (const item of list) {
        if (item === null || typeof item !== 'object' || Array.isArray(item)) return `Not expecting a JSON ${jsonKind(item)} for field '${here}'`;
        const n = normalize(item as Record<string, unknown>, field.message(), here);
        if (typeof n === 'string') return n;
        items.push(n);
      }
      out[key] = items;
    } else {
      if (typeof raw !== 'object' || Array.isArray(raw)) return `Not expecting a JSON ${jsonKind(raw)} for field '${here}'`;
      const n = normalize(raw as Record<string, unknown>, field.message(), here);
      if (typeof n === 'string') return n;
      out[key] = n;
    }
  }
  return out;
}

/**
 * Whether normalize() would hand back an object equal to `obj`: no null anywhere in a message,
 * every repeated message field an array of objects, every singular one an object. Reads only,
 * so a valid call is not copied; anything else goes through normalize() for its text.
 */
function isNormal(obj: Record<string, unknown>, schema: Schema): boolean {
  for (const key in obj) {
    const raw = obj[key];
    if (raw === null || key === '__proto__') return false;
    const field = schema[key];
    if (!field?.message) continue;
    if (field.repeated) {
      if (!Array.isArray(raw)) return false;
      const inner = field.message();
      for (const item of raw as unknown[]) {
        if (item === null || typeof item !== 'object' || Array.isArray(item) || !isNormal(item as Record<string, unknown>, inner)) return false;
      }
    } else if (typeof raw !== 'object' || Array.isArray(raw) || !isNormal(raw as Record<string, unknown>, field.message())) {
      return false;
    }
  }
  return true;
}

/** Whether a required field is missing anywhere: missingFields without building a path (the common, valid case). */
function isMissingFields(obj: Record<string, unknown>, schema: Schema): boolean {
  for (const key in schema) {
    const field = schema[key]!;
    const value = obj[key];
    if (value === undefined) {
      if (field.required) return true;
      continue;
    }
    if (!field.message) continue;
    const inner = field.message();
    if (field.repeated) {
      for (const item of value as Record<string, unknown>[]) if (isMissingFields(item, inner)) return true;
    } else if (isMissingFields(value as Record<string, unknown>, inner)) {
      return true;
    }
  }
  return false;
}

/** Paths of missing required fields, as protobuf's InitializationErrorString spells them. */
function missingFields(obj: Record<string, unknown>, schema: Schema, path: string): string[] {
  const missing: string[] = [];
  for (const [key, field] of Object.entries(schema)) {
    const here = path ? `${path}.${key}` : key;
    const value = obj[key];
    if (value === undefined) {
      if (field.required) missing.push(here);
      continue;
    }
    if (!field.message) continue;
    if (field.repeated) {
      (value as Record<string, unknown>[]).forEach((item, i) => missing.push(...missingFields(item, field.message!(), `${here}[${i}]`)));
    } else {
      missing.push(...missingFields(value as Record<string, unknown>, field.message(), here));
    }
  }
  return missing;
}

function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'object' : typeof value;
}
