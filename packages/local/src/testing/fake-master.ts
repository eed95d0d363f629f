/**
 * A scripted Mesos master for driver tests: a real HTTP server on 127.0.0.1:0 that speaks the
 * scheduler endpoint's status-code ladder (docs/protocol.md, "Stream id", "Scheduler endpoint answers"), records every
 * request, lets the test feed each subscription's event stream (FakeStream), and answers calls
 * with scripted statuses. It owns no offers or tasks: the test plays the master's logic.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodeRecord, SCHEDULER_CALL_TYPES, type MasterInfo, type SchedulerCallType } from '@mesosgot/common/internal';
import { FakeStream } from './fake-stream.js';
import { mesosJson } from './recorded-events.js';
import { waitFor } from './wait-for.js';

/** One request the fake master received, and what it answered. */
export interface RecordedCall {
  /** Position in arrival order, from 0. */
  readonly index: number;
  /** The HTTP method. */
  readonly method: string;
  /** The request path. */
  readonly path: string;
  /** The request headers, as Node parsed them. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The body as received. */
  readonly rawBody: string;
  /** The parsed JSON body, or undefined when it was not JSON. */
  readonly body: Record<string, unknown> | undefined;
  /** `body.type` when it is a string. */
  readonly type: string | undefined;
  /** The status the fake answered with. */
  status: number;
}

/** A scripted answer. For a SUBSCRIBE with status 200 the body is sent and the response ended. */
/** A scripted answer to a call. */
export interface FakeReply {
  /** The HTTP status. */
  status: number;
  /** The response body; default empty. */
  body?: string | Uint8Array;
  /** Extra response headers. */
  headers?: Record<string, string>;
}

/** Which calls a script applies to: a call type, or a predicate on the recorded call. */
export type CallMatcher = SchedulerCallType | ((call: RecordedCall) => boolean);

/** Options of FakeMaster.start; all optional. */
export interface FakeMasterOptions {
  /** Send SUBSCRIBED then HEARTBEAT on every accepted SUBSCRIBE (docs/protocol.md, "Subscribing"). Default true. */
  isAutoSubscribed?: boolean;
  /** `heartbeat_interval_seconds` in SUBSCRIBED; default 15 (docs/protocol.md, "Heartbeats"). */
  heartbeatIntervalSeconds?: number;
  /** Id given to a new framework; default `<masterId>-<4 digits>`. Replays use the recorded id. */
  assignFrameworkId?: () => string;
}

interface Script {
  matcher: CallMatcher;
  reply: FakeReply | ((call: RecordedCall) => FakeReply);
  remaining: number;
}

interface FrameworkState {
  stream: FakeStream | undefined;
  isRemoved: boolean;
}

const JSON_TYPE = 'application/json';
const PATHS = new Set(['/api/v1/scheduler', '/master/api/v1/scheduler']);

/**
 * A scripted Mesos master for driver tests: a real HTTP server on 127.0.0.1 that answers the
 * scheduler endpoint's status ladder, records every request, lets the test write each
 * subscription's event stream (FakeStream), and answers calls with scripted statuses. Start it
 * with `FakeMaster.start`; `close()` releases it.
 */
export class FakeMaster {
  /** Every request, in arrival order. */
  readonly calls: RecordedCall[] = [];
  /** Every SUBSCRIBE stream that got a 200, in order. */
  readonly streams: FakeStream[] = [];
  /** The master's id (a random UUID), as in its MasterInfo. */
  readonly masterId = randomUUID();
  #scripts: Script[] = [];
  #frameworks = new Map<string, FrameworkState>();
  #nextFramework = 0;
  /** When set, every request gets a 307 to this base URL (docs/protocol.md, "Leader redirects"). */
  #leader: string | undefined;

  private constructor(
    private readonly server: Server,
    /** `http://127.0.0.1:<port>`. */
    readonly url: string,
    private readonly options: FakeMasterOptions,
  ) {}

  /** Starts listening on 127.0.0.1 with an ephemeral port; resolves once it accepts connections. */
  static async start(options: FakeMasterOptions = {}): Promise<FakeMaster> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const master = new FakeMaster(server, `http://127.0.0.1:${port}`, options);
    server.on('request', (req, res) => master.#onRequest(req, res));
    return master;
  }

  /** The port it listens on. */
  get port(): number {
    return Number(new URL(this.url).port);
  }

  /** MasterInfo as this fake reports it in SUBSCRIBED. */
  get masterInfo(): MasterInfo {
    const port = this.port;
    return {
      id: this.masterId,
      ip: 16777343,
      port,
      pid: `master@127.0.0.1:${port}`,
      hostname: '127.0.0.1',
      version: '1.12.0',
      address: { hostname: '127.0.0.1', ip: '127.0.0.1', port },
    };
  }

  /** Answers the next `times` calls matching `matcher` with `reply` instead of the default. */
  script(matcher: CallMatcher, reply: FakeReply | ((call: RecordedCall) => FakeReply), times = 1): void {
    this.#scripts.push({ matcher, reply, remaining: times });
  }

  /** Makes this master a non-leader that redirects to `leaderUrl` (or a leader again: undefined). */
  redirectTo(leaderUrl: string | undefined): void {
    this.#leader = leaderUrl;
  }

  /** Calls of one type (or matching a predicate), in order. */
  callsOf(matcher: CallMatcher): RecordedCall[] {
    return this.calls.filter((c) => matches(matcher, c));
  }

  /** Resolves with the first call matching `matcher` at or after index `from`; TimeoutError at the deadline. */
  waitForCall(matcher: CallMatcher, { from = 0, timeoutMs = 5_000 }: { from?: number; timeoutMs?: number } = {}): Promise<RecordedCall> {
    const what = typeof matcher === 'string' ? `a ${matcher} call` : 'a matching call';
    return waitFor(() => this.calls.slice(from).find((c) => matches(matcher, c)), { timeoutMs, what });
  }

  /** Resolves with the `n`-th (0-based) accepted subscription stream. */
  waitForStream(n: number, { timeoutMs = 5_000 } = {}): Promise<FakeStream> {
    return waitFor(() => this.streams[n], { timeoutMs, what: `subscription stream #${n}` });
  }

  /** Forgets a framework as if TEARDOWN or its failover timeout removed it. */
  removeFramework(frameworkId: string): void {
    const state = this.#frameworks.get(frameworkId) ?? { stream: undefined, isRemoved: true };
    state.isRemoved = true;
    state.stream?.end();
    this.#frameworks.set(frameworkId, state);
  }

  /** Ends every stream and connection, then the server; resolves when the port is closed. */
  async close(): Promise<void> {
    for (const stream of this.streams) stream.cut();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  #onRequest(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let body: Record<string, unknown> | undefined;
      try {
        const parsed: unknown = JSON.parse(rawBody);
        if (typeof parsed === 'object' && parsed !== null) body = parsed as Record<string, unknown>;
      } catch {
        // Not JSON: recorded as such; the ladder below answers 400 like a real master.
      }
      const call: RecordedCall = {
        index: this.calls.length,
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        rawBody,
        body,
        type: typeof body?.type === 'string' ? body.type : undefined,
        status: 0,
      };
      this.calls.push(call);
      this.#answer(call, res);
    });
  }

  #answer(call: RecordedCall, res: ServerResponse): void {
    const script = this.#scripts.find((s) => s.remaining > 0 && matches(s.matcher, call));
    if (script !== undefined) {
      script.remaining -= 1;
      const reply = typeof script.reply === 'function' ? script.reply(call) : script.reply;
      return this.#reply(call, res, reply);
    }
    if (this.#leader !== undefined) {
      // A real 1.12 master answers with a protocol-relative Location carrying its own route (docs/protocol.md, "Leader redirects").
      const { host } = new URL(this.#leader);
      return this.#reply(call, res, { status: 307, headers: { Location: `//${host}/master/api/v1/scheduler` } });
    }
    const refusal = this.#validate(call);
    if (refusal !== undefined) return this.#reply(call, res, refusal);
    if (call.type === 'SUBSCRIBE') return this.#subscribe(call, res);
    if (call.type === 'TEARDOWN') this.removeFramework(frameworkIdOf(call.body) ?? '');
    return this.#reply(call, res, { status: 202 });
  }

  /** The status-code ladder of docs/protocol.md, "Stream id", "Scheduler endpoint answers" for what a fake can know; undefined = accepted. */
  #validate(call: RecordedCall): FakeReply | undefined {
    const text = (status: number, body: string): FakeReply => ({ status, body, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
    if (call.method !== 'POST') {
      return { ...text(405, `405 Method Not Allowed. Expecting one of { 'POST' }, but received '${call.method}'.`), headers: { Allow: 'POST' } };
    }
    if (!PATHS.has(call.path)) return text(404, '');
    const contentType = call.headers['content-type'];
    if (contentType === undefined) return text(400, "Expecting 'Content-Type' to be present");
    if (contentType !== JSON_TYPE) return text(415, "Expecting 'Content-Type' of application/json or application/x-protobuf");
    if (call.body === undefined) return text(400, `Failed to parse body into JSON: syntax error near: ${call.rawBody.slice(0, 40)}`);
    // An unknown enum string is dropped by Mesos' JSON parser, so the type counts as missing (docs/protocol.md, "Scheduler calls").
    if (!(SCHEDULER_CALL_TYPES as readonly string[]).includes(call.type ?? '')) {
      return text(400, "Failed to validate scheduler::Call: Expecting 'type' to be present");
    }
    const streamId = call.headers['mesos-stream-id'];
    if (call.type === 'SUBSCRIBE') {
      const accept = String(call.headers.accept ?? '*/*');
      if (!/application\/json|\*\/\*|application\/\*/.test(accept)) {
        return text(406, "Expecting 'Accept' to allow 'application/x-protobuf' or 'application/json'");
      }
      if (streamId !== undefined) return text(400, "Subscribe calls should not include the 'Mesos-Stream-Id' header");
      const info = (call.body.subscribe as { framework_info?: { id?: { value?: string } } } | undefined)?.framework_info;
      if (info === undefined) return text(400, 'Failed to convert JSON into Call protobuf: Missing required fields: subscribe.framework_info');
      if (frameworkIdOf(call.body) !== info.id?.value) {
        return text(400, "Failed to validate scheduler::Call: 'framework_id' differs from 'subscribe.framework_info.id'");
      }
      return undefined;
    }
    const frameworkId = frameworkIdOf(call.body);
    if (frameworkId === undefined) return text(400, "Failed to validate scheduler::Call: Expecting 'framework_id' to be present");
    const framework = this.#frameworks.get(frameworkId);
    if (framework === undefined || framework.isRemoved) return text(400, 'Framework cannot be found');
    if (framework.stream === undefined || !framework.stream.isOpen) return text(403, 'Framework is not subscribed');
    if (streamId === undefined) return text(400, "All non-subscribe calls should include the 'Mesos-Stream-Id' header");
    if (streamId !== framework.stream.streamId) {
      return text(
        400,
        `The stream ID '${String(streamId)}' included in this request didn't match the stream ID currently associated with framework ID ${frameworkId}`,
      );
    }
    return undefined;
  }

  #subscribe(call: RecordedCall, res: ServerResponse): void {
    const body = call.body ?? {};
    let frameworkId = frameworkIdOf(body);
    const previous = frameworkId === undefined ? undefined : this.#frameworks.get(frameworkId);
    const streamId = randomUUID();
    res.writeHead(200, { 'Content-Type': JSON_TYPE, 'Mesos-Stream-Id': streamId });
    call.status = 200;
    res.flushHeaders();
    if (previous?.isRemoved === true) {
      // docs/protocol.md, "Subscribing": a removed framework gets a 200 whose only record is ERROR, then EOF.
      res.end(encodeRecord(mesosJson({ type: 'ERROR', error: { message: 'Framework has been removed' } })));
      return;
    }
    frameworkId ??= this.options.assignFrameworkId?.() ?? `${this.masterId}-${String(this.#nextFramework++).padStart(4, '0')}`;
    const stream = new FakeStream(streamId, frameworkId, body, res);
    if (previous?.stream?.isOpen === true) {
      // Only one stream per framework: the old one hears it failed over and is closed (docs/protocol.md, "Subscribing").
      previous.stream.send({ type: 'ERROR', error: { message: 'Framework failed over' } });
      previous.stream.end();
    }
    this.#frameworks.set(frameworkId, { stream, isRemoved: false });
    this.streams.push(stream);
    if (this.options.isAutoSubscribed ?? true) {
      stream.send({
        type: 'SUBSCRIBED',
        subscribed: {
          framework_id: { value: frameworkId },
          heartbeat_interval_seconds: this.options.heartbeatIntervalSeconds ?? 15,
          master_info: this.masterInfo,
        },
      });
      stream.send({ type: 'HEARTBEAT' });
    }
  }

  #reply(call: RecordedCall, res: ServerResponse, reply: FakeReply): void {
    call.status = reply.status;
    res.writeHead(reply.status, reply.headers);
    res.end(reply.body);
  }
}

function matches(matcher: CallMatcher, call: RecordedCall): boolean {
  return typeof matcher === 'string' ? call.type === matcher : matcher(call);
}

function frameworkIdOf(body: Record<string, unknown> | undefined): string | undefined {
  const id = body?.framework_id as { value?: unknown } | undefined;
  return typeof id?.value === 'string' ? id.value : undefined;
}
