/**
 * JSON → typed ExecutorEvent (docs/protocol.md, "Executor events"). The only place incoming executor
 * JSON is trusted: everything the driver reads from an event is checked here, so a malformed
 * record becomes a ProtocolError naming the field instead of a TypeError deep in a callback.
 * Fields we do not read are passed through untouched (Mesos adds fields over time).
 */
import { ProtocolError, type ExecutorEvent } from '@mesosgot/common/internal';

type Json = Record<string, unknown>;

/**
 * Validates one decoded RecordIO payload. Throws ProtocolError (naming the field) when a field
 * the driver relies on is missing or mistyped, or when `type` is not an executor event type.
 */
export function decodeEvent(value: unknown): ExecutorEvent {
  const event = object(value, 'event');
  const type = event.type;
  switch (type) {
    case 'SUBSCRIBED': {
      const subscribed = object(event.subscribed, 'subscribed');
      id(object(subscribed.executor_info, 'subscribed.executor_info').executor_id, 'subscribed.executor_info.executor_id');
      object(subscribed.framework_info, 'subscribed.framework_info');
      const agentInfo = object(subscribed.agent_info, 'subscribed.agent_info');
      if (agentInfo.id !== undefined) id(agentInfo.id, 'subscribed.agent_info.id');
      return event as ExecutorEvent;
    }
    case 'LAUNCH':
      task(object(event.launch, 'launch').task, 'launch.task');
      return event as ExecutorEvent;
    case 'LAUNCH_GROUP': {
      const group = object(object(event.launch_group, 'launch_group').task_group, 'launch_group.task_group');
      // JSON null means unset (docs/protocol.md, "JSON encoding"): drop it so readers see no tasks, not null.
      if (group.tasks === null) delete group.tasks;
      const tasks = group.tasks ?? [];
      if (!Array.isArray(tasks)) throw fieldError('launch_group.task_group.tasks', 'an array', tasks);
      tasks.forEach((t, i) => task(t, `launch_group.task_group.tasks[${i}]`));
      return event as ExecutorEvent;
    }
    case 'KILL':
      id(object(event.kill, 'kill').task_id, 'kill.task_id');
      return event as ExecutorEvent;
    case 'ACKNOWLEDGED': {
      const acknowledged = object(event.acknowledged, 'acknowledged');
      id(acknowledged.task_id, 'acknowledged.task_id');
      string(acknowledged.uuid, 'acknowledged.uuid');
      return event as ExecutorEvent;
    }
    case 'MESSAGE':
      base64(object(event.message, 'message').data, 'message.data');
      return event as ExecutorEvent;
    case 'ERROR':
      string(object(event.error, 'error').message, 'error.message');
      return event as ExecutorEvent;
    case 'SHUTDOWN':
    case 'HEARTBEAT':
      return event as ExecutorEvent;
    default:
      throw new ProtocolError(`unknown executor event type ${stringifyOrType(type).slice(0, 80)}`);
  }
}

function object(value: unknown, field: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw fieldError(field, 'an object', value);
  return value as Json;
}

function string(value: unknown, field: string): string {
  if (typeof value !== 'string') throw fieldError(field, 'a string', value);
  return value;
}

function id(value: unknown, field: string): void {
  const text = string(object(value, field).value, `${field}.value`);
  if (text === '') throw fieldError(`${field}.value`, 'a non-empty string', text);
}

function task(value: unknown, field: string): void {
  const info = object(value, field);
  id(info.task_id, `${field}.task_id`);
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function base64(value: unknown, field: string): void {
  const text = string(value, field);
  if (text.length % 4 !== 0 || !BASE64.test(text)) throw fieldError(field, 'standard base64', text);
}

function fieldError(field: string, expected: string, actual: unknown): ProtocolError {
  const shown = actual === undefined ? 'missing' : `got ${stringifyOrType(actual).slice(0, 60)}`;
  return new ProtocolError(`executor event field ${field} must be ${expected} (${shown})`);
}

function stringifyOrType(value: unknown): string {
  try {
    return JSON.stringify(value) ?? typeof value;
  } catch {
    // Nesting too deep for JSON.stringify (RangeError): the ProtocolError must still reach the
    // driver, so name the type instead (regression deep-json-event-field).
    return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
  }
}
