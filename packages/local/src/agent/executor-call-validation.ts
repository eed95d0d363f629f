/**
 * Parsing and validating an executor Call the way a real agent does (docs/protocol.md,
 * "Executor endpoint answers", "Executor calls"), with the recorded answer texts (test/fixtures/real-mesos/session-executor.jsonl):
 * JSON parse → required protobuf fields → `Failed to validate Executor::Call: <reason>`.
 */
import { assertNever, isValidStatusUuid, type ExecutorCall } from '@mesosgot/common/internal';
import { EXECUTOR_CALL_CODEC } from '@mesosgot/common/protobuf';

export type CallCheck = { ok: true; call: ExecutorCall } | { ok: false; status: 400; body: string };

const VALIDATION_PREFIX = 'Failed to validate Executor::Call: ';
const PROTOBUF_PARSE = 'Failed to parse body into Call protobuf';
const CALL_TYPES = new Set(['SUBSCRIBE', 'UPDATE', 'MESSAGE', 'HEARTBEAT']);

/** Parses and validates a JSON request body; does no I/O and never throws. */
export function checkExecutorCall(body: string): CallCheck {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    return fail(`Failed to parse body into JSON: ${describeSyntaxError(body, error)}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return fail('Failed to convert JSON into Call protobuf: Expecting a JSON object');
  }
  const call = json as Record<string, unknown>;
  const missing = missingRequiredFields(call);
  if (missing.length > 0) {
    return fail(`Failed to convert JSON into Call protobuf: Missing required fields: ${missing.join(', ')}`);
  }
  return checked(call);
}

/**
 * Parses and validates a protobuf (`application/x-protobuf`) body; never throws. Bytes that do
 * not decode and a message missing a required field are refused alike, as Mesos' parser does.
 */
export function checkExecutorCallProtobuf(body: Uint8Array): CallCheck {
  let call: Record<string, unknown>;
  try {
    call = EXECUTOR_CALL_CODEC.fromBinary(body) as unknown as Record<string, unknown>;
  } catch {
    return fail(PROTOBUF_PARSE);
  }
  if (missingRequiredFields(call).length > 0) return fail(PROTOBUF_PARSE);
  return checked(call);
}

function checked(call: Record<string, unknown>): CallCheck {
  // An unknown enum string leaves the optional `type` unset (docs/protocol.md, "JSON encoding"), which validation then refuses.
  if (typeof call['type'] !== 'string' || !CALL_TYPES.has(call['type'])) {
    return fail(`${VALIDATION_PREFIX}Expecting 'type' to be present`);
  }
  const reason = validate(call as unknown as ExecutorCall);
  return reason === undefined ? { ok: true, call: call as unknown as ExecutorCall } : fail(VALIDATION_PREFIX + reason);
}

function validate(call: ExecutorCall): string | undefined {
  switch (call.type) {
    case 'SUBSCRIBE':
      return isObject(call.subscribe) ? undefined : "Expecting 'subscribe' to be present";
    case 'UPDATE': {
      if (!isObject(call.update)) return "Expecting 'update' to be present";
      const status = call.update.status;
      if (status.uuid === undefined) return "Expecting 'uuid' to be present";
      if (!isValidStatusUuid(status.uuid)) return 'Not a valid UUID';
      if (status.executor_id !== undefined && status.executor_id.value !== call.executor_id.value) {
        return `ExecutorID in Call: ${call.executor_id.value} does not match ExecutorID in TaskStatus: ${status.executor_id.value}`;
      }
      // An unset source reads as SOURCE_MASTER in protobuf, so it is refused too (docs/protocol.md, "Executor calls").
      if (status.source !== 'SOURCE_EXECUTOR') {
        return (
          `Received Call from executor ${call.executor_id.value} of framework ${call.framework_id.value} ` +
          "with invalid source, expecting 'SOURCE_EXECUTOR'"
        );
      }
      if (status.state === 'TASK_STAGING') {
        return `Received TASK_STAGING from executor ${call.executor_id.value} of framework ${call.framework_id.value} which is not allowed`;
      }
      return undefined;
    }
    case 'MESSAGE':
      return isObject(call.message) ? undefined : "Expecting 'message' to be present";
    case 'HEARTBEAT':
      return undefined;
    default:
      return assertNever(call, 'executor call type');
  }
}

/** The protobuf `required` fields of executor::Call that JSON may leave out (docs/protocol.md, "JSON encoding", "Executor calls"). */
function missingRequiredFields(call: Record<string, unknown>): string[] {
  const missing: string[] = [];
  requireId(call, 'framework_id', missing);
  requireId(call, 'executor_id', missing);
  const update = call['update'];
  if (isObject(update)) {
    const status = update['status'];
    if (!isObject(status)) missing.push('update.status');
    else {
      requireId(status, 'task_id', missing, 'update.status.');
      if (typeof status['state'] !== 'string') missing.push('update.status.state');
    }
  }
  const message = call['message'];
  if (isObject(message) && typeof message['data'] !== 'string') missing.push('message.data');
  return missing;
}

function requireId(parent: Record<string, unknown>, field: string, missing: string[], prefix = ''): void {
  const id = parent[field];
  if (!isObject(id)) missing.push(prefix + field);
  else if (typeof id['value'] !== 'string') missing.push(`${prefix}${field}.value`);
}

/**
 * Mesos' picojson names the line and the text from the offending character on
 * (recorded: body `not json` → `syntax error at line 1 near: ot json`).
 */
function describeSyntaxError(body: string, error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  let position = Number(/position (\d+)/.exec(message)?.[1] ?? NaN);
  if (Number.isNaN(position)) {
    const token = /Unexpected token '?(.)'?/.exec(message)?.[1];
    position = token === undefined ? body.length : Math.max(0, body.indexOf(token));
  }
  const line = body.slice(0, position).split('\n').length;
  return `syntax error at line ${line} near: ${body.slice(position).split('\n')[0]}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(body: string): CallCheck {
  return { ok: false, status: 400, body };
}
