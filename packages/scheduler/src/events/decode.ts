/**
 * JSON → typed SchedulerEvent, with validation (docs/protocol.md, "Scheduler events"). This is where the
 * master's snake_case JSON enters the driver; anything that would make a callback read
 * `undefined` where Mesos promises a value is refused here with a ProtocolError naming the field.
 * Unknown fields are kept (Mesos adds fields over time); unknown event types are refused.
 */
import { loadWireCodecs, ProtocolError, type SchedulerEvent, type SchedulerEventType } from '@mesosgot/common/internal';

type Json = Record<string, unknown>;

/**
 * Parses one RecordIO payload (UTF-8 JSON, decoded only once complete) and validates it.
 * Throws ProtocolError (with the JSON error as cause) for bad UTF-8/JSON, an unknown `type`,
 * or a missing required field.
 */
export function decodeEventBytes(payload: Uint8Array): SchedulerEvent {
  return decodeEvent(parseEventJson(payload));
}

/** The JSON step alone: throws ProtocolError (JSON error as cause) for bad UTF-8 or JSON. */
export function parseEventJson(payload: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch (cause) {
    throw new ProtocolError(`event is not valid UTF-8 JSON: ${(cause as Error).message}`, undefined, { cause });
  }
}

/**
 * The protobuf step alone (docs/protobuf.md), once its schema is loaded: the parser turns a
 * record into a wire object, validated next like JSON, and throws ProtocolError for bytes that
 * are not a `mesos.v1.scheduler.Event`.
 */
export async function eventProtobufParser(): Promise<(payload: Uint8Array) => unknown> {
  const { SCHEDULER_EVENT_CODEC } = await loadWireCodecs();
  return (payload) => SCHEDULER_EVENT_CODEC.fromBinary(payload);
}

/** Validates an already-parsed event object. Throws ProtocolError naming the bad field. */
export function decodeEvent(json: unknown): SchedulerEvent {
  const event = object(json, 'event');
  const type = event.type;
  if (typeof type !== 'string') throw new ProtocolError(`event.type missing or not a string: ${show(type)}`);
  const known = type as SchedulerEventType;
  switch (known) {
    case 'SUBSCRIBED': {
      const p = payload(event, 'subscribed');
      id(p, 'subscribed.framework_id', 'framework_id');
      if (p.heartbeat_interval_seconds !== undefined) {
        const hb = p.heartbeat_interval_seconds;
        if (typeof hb !== 'number' || !(hb > 0)) throw field('subscribed.heartbeat_interval_seconds', hb);
      }
      // Always sent since Mesos 1.1 (docs/protocol.md, "Scheduler events"); registered/reregistered need it.
      object(p.master_info, 'subscribed.master_info');
      break;
    }
    case 'OFFERS': {
      // Nested object, not a bare array (docs/protocol.md, "Scheduler events").
      const offers = optionalArray(payload(event, 'offers'), 'offers.offers', 'offers');
      offers.forEach((o, i) => {
        const offer = object(o, `offers.offers[${i}]`);
        id(offer, `offers.offers[${i}].id`, 'id');
        id(offer, `offers.offers[${i}].agent_id`, 'agent_id');
      });
      break;
    }
    case 'INVERSE_OFFERS': {
      const list = optionalArray(payload(event, 'inverse_offers'), 'inverse_offers.inverse_offers', 'inverse_offers');
      list.forEach((o, i) => id(object(o, `inverse_offers[${i}]`), `inverse_offers[${i}].id`, 'id'));
      break;
    }
    case 'RESCIND':
      id(payload(event, 'rescind'), 'rescind.offer_id', 'offer_id');
      break;
    case 'RESCIND_INVERSE_OFFER':
      id(payload(event, 'rescind_inverse_offer'), 'rescind_inverse_offer.inverse_offer_id', 'inverse_offer_id');
      break;
    case 'UPDATE': {
      const status = object(payload(event, 'update').status, 'update.status');
      id(status, 'update.status.task_id', 'task_id');
      if (typeof status.state !== 'string') throw field('update.status.state', status.state);
      if (status.uuid !== undefined && typeof status.uuid !== 'string') throw field('update.status.uuid', status.uuid);
      break;
    }
    case 'UPDATE_OPERATION_STATUS': {
      const status = object(payload(event, 'update_operation_status').status, 'update_operation_status.status');
      if (typeof status.state !== 'string') throw field('update_operation_status.status.state', status.state);
      break;
    }
    case 'MESSAGE': {
      const p = payload(event, 'message');
      id(p, 'message.agent_id', 'agent_id');
      id(p, 'message.executor_id', 'executor_id');
      if (typeof p.data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(p.data)) throw field('message.data', p.data);
      break;
    }
    case 'FAILURE': {
      const p = payload(event, 'failure');
      if (p.agent_id !== undefined) id(p, 'failure.agent_id', 'agent_id');
      if (p.executor_id !== undefined) id(p, 'failure.executor_id', 'executor_id');
      if (p.status !== undefined && !Number.isInteger(p.status)) throw field('failure.status', p.status);
      break;
    }
    case 'ERROR': {
      // The message sits inside `error`, not at top level as the docs show (docs/protocol.md, "Scheduler events").
      const p = payload(event, 'error');
      if (typeof p.message !== 'string') throw field('error.message', p.message);
      break;
    }
    case 'HEARTBEAT':
      break;
    default:
      throw unknownType(known);
  }
  return event as unknown as SchedulerEvent;
}

function unknownType(type: never): ProtocolError {
  return new ProtocolError(`unknown scheduler event type ${show(type)}`);
}

function object(value: unknown, path: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw field(path, value, 'expected an object');
  return value as Json;
}

function payload(event: Json, key: string): Json {
  return object(event[key], key);
}

function id(parent: Json, path: string, key: string): void {
  const v = parent[key];
  if (typeof v !== 'object' || v === null || typeof (v as Json).value !== 'string') {
    throw field(path, v, 'expected { value: string }');
  }
}

function optionalArray(parent: Json, path: string, key: string): unknown[] {
  const v = parent[key];
  if (v === undefined) return []; // Mesos omits empty repeated fields (docs/protocol.md, "JSON encoding").
  if (!Array.isArray(v)) throw field(path, v, 'expected an array');
  return v;
}

function field(path: string, value: unknown, reason = 'missing or malformed'): ProtocolError {
  return new ProtocolError(`event field ${path} ${reason}: ${show(value)}`);
}

function show(value: unknown): string {
  let text: string;
  try {
    text = value === undefined ? 'undefined' : (JSON.stringify(value) ?? typeof value);
  } catch {
    // Nesting too deep for JSON.stringify (RangeError): the caller's ProtocolError must still
    // reach the driver, so name the type instead (regression deep-json-event-field).
    text = Array.isArray(value) ? 'array' : typeof value;
  }
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
