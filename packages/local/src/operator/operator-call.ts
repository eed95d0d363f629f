/**
 * The request ladder of a v1 operator endpoint (`POST /api/v1` on a Mesos master or agent), in
 * Mesos' order and with its texts, the same rules as the scheduler endpoint: 405 for another
 * method, 400 without Content-Type, 415 for anything but `application/json` (byte for byte),
 * 400 for bad JSON or a call that does not convert or validate, 406 when the Accept header
 * allows no JSON. JSON is decided here only, so another encoding plugs in at one place.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { scanJson } from '../master/json-syntax-error.js';
import { sendText } from '../master/scheduler-api.js';
import { toMesosJson } from '../master/mesos-json.js';
import { readBody } from './read-body.js';
import { versionInfo } from './version-info.js';

const JSON_TYPE = 'application/json';
const PROTOBUF_TYPE = 'application/x-protobuf';
const RECORDIO_TYPE = 'application/recordio';

/** A parsed operator call: its `type` and the rest of the JSON object. */
export interface OperatorCall {
  type: string;
  [field: string]: unknown;
}

/** How the answer is encoded: plain JSON, or (streams) RecordIO of JSON records. */
export type OperatorEncoding = { contentType: 'application/json' } | { contentType: 'application/recordio'; messageContentType: 'application/json' };

export interface OperatorRequest {
  call: OperatorCall;
  encoding: OperatorEncoding;
}

/**
 * Reads and checks one call. Resolves undefined when it already answered (an error); the call
 * otherwise. `validator` names the call message in texts (`master::Call`, `agent::Call`);
 * `knownTypes` are the type strings of that message (others convert to no type, as protobuf drops
 * an unknown enum string).
 */
export async function readOperatorCall(
  req: IncomingMessage,
  res: ServerResponse,
  validator: string,
  knownTypes: ReadonlySet<string>,
): Promise<OperatorRequest | undefined> {
  if (req.method !== 'POST') {
    req.resume();
    sendText(res, 405, `405 Method Not Allowed. Expecting one of { 'POST' }, but received '${req.method ?? ''}'.`, { Allow: 'POST' });
    return undefined;
  }
  const contentType = req.headers['content-type'];
  if (contentType === undefined) {
    req.resume();
    sendText(res, 400, "Expecting 'Content-Type' to be present");
    return undefined;
  }
  if (contentType !== JSON_TYPE) {
    req.resume();
    sendText(res, 415, contentType === PROTOBUF_TYPE ? 'The local cluster speaks application/json only' : `Expecting 'Content-Type' of ${JSON_TYPE} or ${PROTOBUF_TYPE}`);
    return undefined;
  }
  const body = await readBody(req);
  if (body === undefined) {
    sendText(res, 413, 'Request body too large');
    return undefined;
  }
  const parsed = parseOperatorCall(body, validator, knownTypes);
  if (typeof parsed === 'string') {
    sendText(res, 400, parsed);
    return undefined;
  }
  const encoding = negotiate(req.headers.accept, req.headers['message-accept'], parsed.type === 'SUBSCRIBE');
  if (!encoding) {
    sendText(res, 406, `Expecting 'Accept' to allow ${JSON_TYPE} or ${PROTOBUF_TYPE}`);
    return undefined;
  }
  return { call: parsed, encoding };
}

/** Body text → call, or the 400 text. */
export function parseOperatorCall(body: string, validator: string, knownTypes: ReadonlySet<string>): OperatorCall | string {
  const scan = scanJson(body);
  if (!scan.ok) return `Failed to parse body into JSON: ${scan.message}`;
  if (body.slice(scan.end).trim() !== '') {
    return `Failed to parse body into JSON: Parsed JSON included non-whitespace trailing characters: ${body.slice(scan.end).trim()}`;
  }
  const json: unknown = JSON.parse(body.slice(0, scan.end));
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return 'Failed to convert JSON into Call protobuf: Expecting a JSON object';
  const type = (json as { type?: unknown }).type;
  if (typeof type !== 'string' || !knownTypes.has(type)) return `Failed to validate ${validator}: Expecting 'type' to be present`;
  return json as OperatorCall;
}

/**
 * The answer's encoding from Accept (and, for a stream, Message-Accept): JSON when allowed
 * (missing, `*\/*`, `application/*`, `application/json` with q > 0); a stream may also be asked
 * for as `application/recordio` with JSON records. Undefined: nothing we can send (406).
 */
function negotiate(accept: string | undefined, messageAccept: string | string[] | undefined, isStream: boolean): OperatorEncoding | undefined {
  const allowed = mediaRanges(accept);
  if (allowed.length === 0 || allowed.some((t) => t === JSON_TYPE || t === 'application/*' || t === '*/*')) return { contentType: JSON_TYPE };
  if (isStream && allowed.includes(RECORDIO_TYPE)) {
    const inner = mediaRanges(Array.isArray(messageAccept) ? messageAccept.join(',') : messageAccept);
    if (inner.length === 0 || inner.some((t) => t === JSON_TYPE || t === 'application/*' || t === '*/*')) {
      return { contentType: RECORDIO_TYPE, messageContentType: JSON_TYPE };
    }
  }
  return undefined;
}

/** The media types an Accept header allows (q > 0), lower-cased; [] when absent or empty. */
function mediaRanges(header: string | undefined): string[] {
  if (header === undefined || header.trim() === '') return [];
  return header.split(',').flatMap((part) => {
    const [type = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    return q !== undefined && Number(q.slice(2)) <= 0 ? [] : [type];
  });
}

/** Answers 200 with `{"type": T, "<t>": payload}` in Mesos' JSON spelling. */
export function sendOperatorResponse(res: ServerResponse, type: string, payload: unknown): void {
  const body = Buffer.from(toMesosJson(payload === undefined ? { type } : { type, [type.toLowerCase()]: payload }), 'utf8');
  res.writeHead(200, { 'Content-Type': JSON_TYPE, 'Content-Length': String(body.length) });
  res.end(body);
}

/** 501 for a call type Mesos has and the local cluster does not implement. */
export function sendNotImplemented(res: ServerResponse, type: string): void {
  sendText(res, 501, `${type} is not supported by the local cluster`);
}

/** What a master and an agent both answer about themselves. */
export interface OperatorSelf {
  flags(): Record<string, string>;
  metrics(): Record<string, number>;
}

/**
 * Answers the calls a Mesos master and agent share (GET_HEALTH, GET_VERSION, GET_FLAGS,
 * GET_METRICS) and returns true; false for any other type (nothing written).
 */
export function answerSelfCall(res: ServerResponse, type: string, self: OperatorSelf): boolean {
  const pairs = (o: Record<string, unknown>): { name: string; value: unknown }[] => Object.entries(o).map(([name, value]) => ({ name, value }));
  switch (type) {
    case 'GET_HEALTH':
      sendOperatorResponse(res, type, { healthy: true });
      return true;
    case 'GET_VERSION':
      sendOperatorResponse(res, type, { version_info: versionInfo() });
      return true;
    case 'GET_FLAGS':
      sendOperatorResponse(res, type, { flags: pairs(self.flags()) });
      return true;
    case 'GET_METRICS':
      sendOperatorResponse(res, type, { metrics: pairs(self.metrics()) });
      return true;
    default:
      return false;
  }
}
