/**
 * The agent's executor endpoint, `POST /api/v1/executor` (also `/slave(1)/api/v1/executor`),
 * answering in the order of docs/protocol.md, "Executor endpoint answers" with the texts a real agent sends
 * (test/fixtures/real-mesos/session-executor.jsonl): 405, 400/415 Content-Type, 400 parse and
 * validation, 202 HEARTBEAT, 400 unknown framework/executor, 403 not subscribed, then
 * SUBSCRIBE → 200 event stream, UPDATE/MESSAGE → 202. `GET /health` answers 200.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readRequestBody, sendRefusal } from '../http/guarded-server.js';
import { acceptedContentType, assertNever, contentTypeOf, MEDIA_TYPES } from '@mesosgot/common/internal';
import { checkExecutorCall, checkExecutorCallProtobuf } from './executor-call-validation.js';
import { ExecutorEventStream } from './executor-event-stream.js';
import type { ExecutorRun } from './executor-run.js';

const EXECUTOR_API_PATHS = new Set(['/api/v1/executor', '/slave(1)/api/v1/executor']);
const TEXT_PLAIN = 'text/plain; charset=utf-8';

/** What the endpoint looks up on its agent. */
export interface ExecutorApiHost {
  hasFramework(frameworkId: string): boolean;
  /** The executor's live (not yet terminated) run. */
  findExecutor(frameworkId: string, executorId: string): ExecutorRun | undefined;
  /**
   * With executor authentication: whether this request's token was issued to that executor.
   * The layer already refused requests without a valid token (401); a valid token used for
   * another executor's ids is answered 403, as Mesos' authorizer answers it.
   */
  isAuthorizedFor?(req: IncomingMessage, frameworkId: string, executorId: string): boolean;
}

/** Routes one request; never throws (a failure becomes a 500 with the error text). */
export async function handleAgentRequest(host: ExecutorApiHost, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const path = new URL(req.url ?? '/', 'http://agent').pathname;
    if (path === '/health') {
      res.writeHead(200).end();
    } else if (EXECUTOR_API_PATHS.has(path)) {
      await handleExecutorCall(host, req, res);
    } else {
      reply(res, 404, '');
    }
  } catch (error) {
    if (!res.headersSent) reply(res, 500, error instanceof Error ? error.message : String(error));
    else res.destroy();
  }
}

async function handleExecutorCall(host: ExecutorApiHost, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'POST') {
    // libprocess' MethodNotAllowed text, as the recorded master sends it.
    res.setHeader('Allow', 'POST');
    reply(res, 405, `405 Method Not Allowed. Expecting one of { 'POST' }, but received '${req.method ?? ''}'.`);
    req.resume();
    return;
  }
  const contentType = req.headers['content-type'];
  if (contentType === undefined) {
    req.resume();
    return reply(res, 400, "Expecting 'Content-Type' to be present");
  }
  // Compared byte for byte (docs/protocol.md, "Headers"): `application/json; charset=utf-8` is a 415.
  const bodyType = contentTypeOf(contentType);
  if (bodyType === undefined) {
    req.resume();
    return reply(res, 415, `Expecting 'Content-Type' of ${MEDIA_TYPES.json} or ${MEDIA_TYPES.protobuf}`);
  }
  const read = await readRequestBody(req);
  if (!read.ok) return sendRefusal(res, read);
  const checked = bodyType === 'json' ? checkExecutorCall(read.body.toString('utf8')) : checkExecutorCallProtobuf(read.body);
  if (!checked.ok) return reply(res, checked.status, checked.body);
  const call = checked.call;
  const streamType = acceptedContentType(req.headers.accept);
  if (call.type === 'SUBSCRIBE' && streamType === undefined) {
    return reply(res, 406, `Expecting 'Accept' to allow '${MEDIA_TYPES.protobuf}' or '${MEDIA_TYPES.json}'`);
  }
  if (host.isAuthorizedFor?.(req, call.framework_id.value, call.executor_id.value) === false) {
    return reply(res, 403, 'Executor token does not match the call\'s framework and executor');
  }
  // HEARTBEAT is answered before any lookup: ids are not checked (docs/protocol.md, "Executor endpoint answers").
  if (call.type === 'HEARTBEAT') return reply(res, 202, '');
  if (!host.hasFramework(call.framework_id.value)) return reply(res, 400, 'Framework cannot be found');
  const run = host.findExecutor(call.framework_id.value, call.executor_id.value);
  if (!run) return reply(res, 400, 'Executor cannot be found');
  // Only an executor that never subscribed is refused; a recovered one (agent restart) may
  // call before it re-subscribes, as a real agent's recovered executors may.
  if (call.type !== 'SUBSCRIBE' && (run.state === 'launching' || run.state === 'registering')) {
    return reply(res, 403, 'Executor is not subscribed');
  }
  switch (call.type) {
    case 'SUBSCRIBE':
      run.subscribe(new ExecutorEventStream(res, streamType), call.subscribe);
      return;
    case 'UPDATE':
      run.update(call.update.status);
      return reply(res, 202, '');
    case 'MESSAGE':
      run.messageFromExecutor(call.message.data);
      return reply(res, 202, '');
    default:
      return assertNever(call, 'executor call type');
  }
}

function reply(res: ServerResponse, status: number, body: string): void {
  if (body === '') {
    res.writeHead(status, { 'Content-Length': '0' }).end();
    return;
  }
  res.writeHead(status, { 'Content-Type': TEXT_PLAIN, 'Content-Length': String(Buffer.byteLength(body)) }).end(body);
}
