/**
 * The request ladder of a v1 operator endpoint (`POST /api/v1` on a Mesos master or agent), in
 * Mesos' order and with its texts, the same rules as the scheduler endpoint: 405 for another
 * method, 400 without Content-Type, 415 for anything but `application/json` or
 * `application/x-protobuf` (byte for byte), 400 for a body that does not parse or a call that
 * does not validate, 406 when the Accept header allows neither encoding. The answer is in the
 * type Accept asks for, JSON first (docs/protobuf.md, "Operator API"); a stream may also be asked
 * for as `application/recordio` with the records' type in `Message-Accept`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OperatorMessage, WireCodec } from '@mesosgot/common/protobuf';
import { scanJson } from '../master/json-syntax-error.js';
import { sendText } from '../master/scheduler-api.js';
import { toMesosJson } from '../master/mesos-json.js';
import { readBody } from './read-body.js';
import { versionInfo } from './version-info.js';

const JSON_TYPE = 'application/json';
const PROTOBUF_TYPE = 'application/x-protobuf';
const RECORDIO_TYPE = 'application/recordio';

/** The two encodings of one operator message. */
export type MessageType = typeof JSON_TYPE | typeof PROTOBUF_TYPE;

/** A parsed operator call: its `type` and the rest of the object, in Mesos' JSON shape. */
export type OperatorCall = OperatorMessage;

/**
 * How the answer is encoded: one message in JSON or protobuf, or (streams) RecordIO records
 * whose type `Message-Content-Type` names.
 */
export type OperatorEncoding = { contentType: MessageType } | { contentType: typeof RECORDIO_TYPE; messageContentType: MessageType };

/** The schemas of one endpoint's messages (master or agent). */
export interface OperatorCodecs {
  /** What `validator` names in error texts: `master::Call`, `agent::Call`. */
  validator: string;
  /** Every call type of that message (others convert to no type, as protobuf drops an unknown enum). */
  knownTypes: ReadonlySet<string>;
  call: WireCodec<OperatorMessage>;
  response: WireCodec<OperatorMessage>;
}

export interface OperatorRequest {
  call: OperatorCall;
  encoding: OperatorEncoding;
  /** Answers 200 with `{type: T, <t>: payload}` in the negotiated encoding. */
  reply(type: string, payload: unknown): void;
}

/** The type each record of a stream in `encoding` has. */
export function recordType(encoding: OperatorEncoding): MessageType {
  return encoding.contentType === RECORDIO_TYPE ? encoding.messageContentType : encoding.contentType;
}

/** Head fields of a 200 answer in `encoding`. */
export function encodingHeaders(encoding: OperatorEncoding): Record<string, string> {
  return {
    'Content-Type': encoding.contentType,
    ...(encoding.contentType === RECORDIO_TYPE ? { 'Message-Content-Type': encoding.messageContentType } : {}),
  };
}

/**
 * Reads and checks one call. Resolves undefined when it already answered (an error); the call
 * otherwise.
 */
export async function readOperatorCall(req: IncomingMessage, res: ServerResponse, codecs: OperatorCodecs): Promise<OperatorRequest | undefined> {
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
  if (contentType !== JSON_TYPE && contentType !== PROTOBUF_TYPE) {
    req.resume();
    sendText(res, 415, `Expecting 'Content-Type' of ${JSON_TYPE} or ${PROTOBUF_TYPE}`);
    return undefined;
  }
  const body = await readBody(req);
  if (body === undefined) {
    sendText(res, 413, 'Request body too large');
    return undefined;
  }
  const parsed = contentType === JSON_TYPE ? parseOperatorCall(body.toString('utf8'), codecs.validator, codecs.knownTypes) : decodeOperatorCall(body, codecs);
  if (typeof parsed === 'string') {
    sendText(res, 400, parsed);
    return undefined;
  }
  const encoding = negotiate(req.headers.accept, req.headers['message-accept'], parsed.type === 'SUBSCRIBE');
  if (!encoding) {
    sendText(res, 406, `Expecting 'Accept' to allow ${JSON_TYPE} or ${PROTOBUF_TYPE}`);
    return undefined;
  }
  return { call: parsed, encoding, reply: (type, payload) => sendOperatorResponse(res, encoding, codecs.response, type, payload) };
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

/** Protobuf body → call, or the 400 text (Mesos' words for a body that does not parse). */
function decodeOperatorCall(body: Uint8Array, codecs: OperatorCodecs): OperatorCall | string {
  let call: OperatorCall;
  try {
    call = codecs.call.fromBinary(body);
  } catch {
    // The decoder's own message would only repeat this one; Mesos gives no more detail either.
    return 'Failed to parse body into Call protobuf';
  }
  if (typeof call.type !== 'string' || !codecs.knownTypes.has(call.type)) return `Failed to validate ${codecs.validator}: Expecting 'type' to be present`;
  return call;
}

/**
 * The answer's encoding from Accept (and, for a stream, Message-Accept): JSON when allowed
 * (missing, `*\/*`, `application/*`, `application/json` with q > 0), else protobuf; a stream may
 * also be asked for as `application/recordio`, its records in the type Message-Accept allows
 * (JSON first). Undefined: nothing we can send (406).
 */
function negotiate(accept: string | undefined, messageAccept: string | string[] | undefined, isStream: boolean): OperatorEncoding | undefined {
  const chosen = choose(mediaRanges(accept));
  if (chosen) return { contentType: chosen };
  if (isStream && mediaRanges(accept).includes(RECORDIO_TYPE)) {
    const inner = choose(mediaRanges(Array.isArray(messageAccept) ? messageAccept.join(',') : messageAccept));
    if (inner) return { contentType: RECORDIO_TYPE, messageContentType: inner };
  }
  return undefined;
}

/** JSON if the ranges allow it (none given allows all), else protobuf if they name it. */
function choose(allowed: readonly string[]): MessageType | undefined {
  if (allowed.length === 0 || allowed.some((t) => t === JSON_TYPE || t === 'application/*' || t === '*/*')) return JSON_TYPE;
  return allowed.includes(PROTOBUF_TYPE) ? PROTOBUF_TYPE : undefined;
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

/** One operator message in `type`: Mesos' JSON spelling, or protobuf of `codec`'s schema. */
export function encodeOperatorMessage(message: OperatorMessage, type: MessageType, codec: WireCodec<OperatorMessage>): Buffer {
  return type === JSON_TYPE ? Buffer.from(toMesosJson(message), 'utf8') : Buffer.from(codec.toBinary(message));
}

/** Answers 200 with `{"type": T, "<t>": payload}` in the negotiated encoding. */
function sendOperatorResponse(res: ServerResponse, encoding: OperatorEncoding, codec: WireCodec<OperatorMessage>, type: string, payload: unknown): void {
  const message: OperatorMessage = payload === undefined ? { type } : { type, [type.toLowerCase()]: payload };
  const messageType = recordType(encoding);
  const body = encodeOperatorMessage(message, messageType, codec);
  res.writeHead(200, { 'Content-Type': messageType, 'Content-Length': String(body.length) });
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
export function answerSelfCall(request: OperatorRequest, self: OperatorSelf): boolean {
  const pairs = (o: Record<string, unknown>): { name: string; value: unknown }[] => Object.entries(o).map(([name, value]) => ({ name, value }));
  const { type } = request.call;
  switch (type) {
    case 'GET_HEALTH':
      request.reply(type, { healthy: true });
      return true;
    case 'GET_VERSION':
      request.reply(type, { version_info: versionInfo() });
      return true;
    case 'GET_FLAGS':
      request.reply(type, { flags: pairs(self.flags()) });
      return true;
    case 'GET_METRICS':
      request.reply(type, { metrics: pairs(self.metrics()) });
      return true;
    default:
      return false;
  }
}
