/**
 * POST /api/v1/scheduler (and /master/api/v1/scheduler): the request ladder of
 * docs/protocol.md, "Scheduler endpoint answers", in Mesos' order, with a real master's status codes and texts
 * (test/fixtures/real-mesos/scheduler-contract.json).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readRequestBody, sendRefusal } from '../http/guarded-server.js';
import { authenticate, type Credential, SCHEDULER_AUTH_CHALLENGE } from './auth.js';
import { acceptedContentType, contentTypeOf, MEDIA_TYPES } from '@mesosgot/common/internal';
import { parseSchedulerCall, parseSchedulerCallProtobuf } from './call-validation.js';
import { validateFrameworkInfo } from './frameworks.js';
import type { MasterState } from './master-state.js';
import { applySchedulerCall } from './scheduler-calls.js';


/** Sends a plain-text answer the way Mesos does (`text/plain; charset=utf-8`, docs/protocol.md, "Headers"). */
export function sendText(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  const bytes = Buffer.from(body, 'utf8');
  res.writeHead(status, {
    ...headers,
    ...(bytes.length > 0 ? { 'Content-Type': 'text/plain; charset=utf-8' } : {}),
    'Content-Length': String(bytes.length),
  });
  res.end(bytes);
}

/** Answers a request this master must not serve (not the leader); false when it leads. */
export type NotLeadingHook = (req: IncomingMessage, res: ServerResponse) => boolean;

export class SchedulerApi {
  readonly #state: MasterState;
  readonly #credentials: readonly Credential[] | undefined;
  readonly #notLeading: NotLeadingHook | undefined;

  /**
   * `notLeading` answers instead of this master when it does not lead (307 to the leader or
   * 503); it returns false while this master leads. Mesos redirects right after authentication (docs/protocol.md, "Scheduler endpoint answers").
   */
  constructor(state: MasterState, credentials: readonly Credential[] | undefined, notLeading?: NotLeadingHook) {
    this.#state = state;
    this.#credentials = credentials;
    this.#notLeading = notLeading;
  }

  /** Answers one request; never throws (a failure to read the body just ends the socket). */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const auth = authenticate(req, this.#credentials);
    if (!auth.ok) return sendText(res, 401, '', { 'WWW-Authenticate': SCHEDULER_AUTH_CHALLENGE });
    if (this.#notLeading?.(req, res) === true) return;
    if (req.method !== 'POST') {
      req.resume();
      return sendText(res, 405, `405 Method Not Allowed. Expecting one of { 'POST' }, but received '${req.method ?? ''}'.`, {
        Allow: 'POST',
      });
    }
    const contentType = req.headers['content-type'];
    if (contentType === undefined) {
      req.resume();
      return sendText(res, 400, "Expecting 'Content-Type' to be present");
    }
    // Byte-for-byte comparison: parameters such as `; charset=utf-8` make it a 415 (docs/protocol.md, "Headers").
    const bodyType = contentTypeOf(contentType);
    if (bodyType === undefined) {
      req.resume();
      return sendText(res, 415, `Expecting 'Content-Type' of ${MEDIA_TYPES.json} or ${MEDIA_TYPES.protobuf}`);
    }
    const read = await readRequestBody(req);
    if (!read.ok) return sendRefusal(res, read);
    const parsed = bodyType === 'json' ? parseSchedulerCall(read.body.toString('utf8')) : parseSchedulerCallProtobuf(read.body);
    if (!parsed.ok) return sendText(res, 400, parsed.body);
    const call = parsed.call;
    const streamId = req.headers['mesos-stream-id'];

    if (call.type === 'SUBSCRIBE') {
      const streamType = acceptedContentType(req.headers.accept);
      if (streamType === undefined) {
        return sendText(res, 406, `Expecting 'Accept' to allow '${MEDIA_TYPES.protobuf}' or '${MEDIA_TYPES.json}'`);
      }
      if (streamId !== undefined) return sendText(res, 400, "Subscribe calls should not include the 'Mesos-Stream-Id' header");
      const info = { ...call.subscribe.framework_info };
      if (auth.principal !== undefined) {
        // With authentication, a missing principal is filled in; a different one is refused (docs/protocol.md, "Subscribing").
        if (info.principal !== undefined && info.principal !== auth.principal) return sendText(res, 400, principalMismatch(auth.principal, info.principal));
        info.principal = auth.principal;
      }
      this.#state.subscribe(res, info, call.subscribe.suppressed_roles ?? [], streamType);
      return;
    }

    // Validation guaranteed framework_id on every non-SUBSCRIBE call (docs/protocol.md, "Scheduler calls").
    const frameworkId = call.framework_id!.value;
    const framework = this.#state.frameworks.get(frameworkId);
    if (!framework) return sendText(res, 400, 'Framework cannot be found');
    if (auth.principal !== undefined && framework.info.principal !== auth.principal) {
      return sendText(res, 400, principalMismatch(auth.principal, framework.info.principal ?? ''));
    }
    if (!framework.isConnected) return sendText(res, 403, 'Framework is not subscribed');
    if (streamId === undefined) return sendText(res, 400, "All non-subscribe calls should include the 'Mesos-Stream-Id' header");
    if (streamId !== framework.subscription?.streamId) {
      return sendText(
        res,
        400,
        `The stream ID '${String(streamId)}' included in this request didn't match the stream ID currently associated with framework ID ${frameworkId}`,
      );
    }
    if (call.type === 'UNKNOWN') return sendText(res, 501, "Received an unexpected 'UNKNOWN' call");
    if (call.type === 'UPDATE_FRAMEWORK') {
      // Mesos answers an invalid FrameworkInfo in UPDATE_FRAMEWORK with 400 and the reason.
      const invalid = validateFrameworkInfo(call.update_framework.framework_info);
      if (invalid !== undefined) return sendText(res, 400, invalid);
    }
    applySchedulerCall(this.#state, framework, call);
    // UPDATE_FRAMEWORK is synchronous (200); every other call is only queued (202, docs/protocol.md, "Scheduler endpoint answers").
    return sendText(res, call.type === 'UPDATE_FRAMEWORK' ? 200 : 202, '');
  }
}

function principalMismatch(authenticated: string, declared: string): string {
  return `Authenticated principal '${authenticated}' does not match principal '${declared}' set in \`FrameworkInfo\``;
}
