import type { Agent } from 'node:http';
import { DEFAULT_REPEATABLE_CONCURRENCY } from './call-lanes.js';
import { DriverStoppedError, InvalidArgumentError, TimeoutError } from '../errors.js';
import { decodeRecordIO } from '../recordio/decoder.js';
import { REDACTED, basicAuthHeader } from './basic-auth.js';
import { contentTypeOf, MEDIA_TYPES, type ContentType } from './content-type.js';
import { followLeaderRedirects, type RedirectableResponse } from './leader-redirect.js';
import { readErrorBody, statusError, statusKind } from './status-errors.js';
import { CallConnection, originAgent } from './call-connection.js';
import { discardBody, exchange, readText, type ExchangeResponse } from './exchange.js';

/** Suggested client timeout for calls (docs/protocol.md, "Connections"). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 75_000;
/** Repeatable calls (CallOptions.isRepeatable) in flight at once on the call connection, at most (CallLanes sends no more). */
export const CALL_PIPELINING_DEPTH = DEFAULT_REPEATABLE_CONCURRENCY;

export type ResponseHeaders = Record<string, string | string[] | undefined>;

export interface MesosHttpClientOptions {
  /** `http(s)://host:port` of a master or agent; switched to the leader after a 307. */
  baseUrl: string;
  /** HTTP Basic credentials for framework authentication (docs/protocol.md, "Authentication"); give both or neither. */
  principal?: string;
  secret?: string;
  /** PEM CA certificate(s) trusted for `https` base URLs. */
  ca?: string | Buffer;
  /** Whole-call deadline (queueing included) for `call`, response-headers deadline for `subscribe`. */
  requestTimeoutMs?: number;
  /**
   * Which other origins a 307 may lead to (masters the user configured or a detector found).
   * `baseUrl`'s origin is always trusted. Given, or with credentials, a 307 to any other origin
   * is a ProtocolError; without either, any origin is followed.
   */
  isTrustedOrigin?: (origin: string) => boolean;
  /**
   * `Content-Type` and `Accept` of every request (docs/protobuf.md): `json` (default) or
   * `protobuf`. A body given as bytes is sent as it is; an object body is JSON text.
   */
  contentType?: ContentType;
}

export interface CallOptions {
  /** Extra request headers, e.g. `Mesos-Stream-Id` (docs/protocol.md, "Stream id") or an executor's Bearer token. */
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Names the call in errors; defaults to the body's `type`, else the path. */
  callType?: string;
  /**
   * The call may be sent while earlier calls still wait for their answers (up to
   * CALL_PIPELINING_DEPTH at once, each on a keep-alive connection of the call pool) and, when
   * its connection fails before the answer, sent once more on a new one. Only for calls whose repetition is harmless (a
   * scheduler's ACKNOWLEDGE). Other calls go one at a time: each waits until every call before
   * it was answered.
   */
  isRepeatable?: boolean;
}

export interface CallResponse {
  status: number;
  headers: ResponseHeaders;
  body: string;
}

export interface SubscribeOptions {
  headers?: Record<string, string>;
  /** Aborts the request and, once subscribed, ends the record iteration with `signal.reason`. */
  signal?: AbortSignal;
  /** Names the call in errors; defaults to the body's `type`, else the path. */
  callType?: string;
}

export interface Subscription {
  status: number;
  headers: ResponseHeaders;
  /** `Mesos-Stream-Id` of a scheduler subscription (docs/protocol.md, "Stream id"); executors get none. */
  streamId?: string;
  /** The RecordIO records of the event stream (docs/protocol.md, "RecordIO"). One consumer; `break` closes the stream. */
  records: AsyncIterable<Buffer>;
  /** Encoding of the records, from the response's `Content-Type` (JSON when it names neither). */
  contentType: ContentType;
  /** Destroys the stream's socket now; the iteration then ends with an error. */
  close(): void;
}

/**
 * HTTP transport to a Mesos master or agent (docs/protocol.md, "Endpoints"), on node:http(s).
 * Calls go in call order, each after the answers to the calls before it, and so over ONE
 * keep-alive connection (repeatable calls may go several at once, each on a connection of the
 * call pool, CallOptions.isRepeatable); every `subscribe` gets a NEW connection of its own,
 * because the stream holds its socket forever (docs/protocol.md, "Connections"). 307s are
 * followed to the leader, which then becomes the base for later calls. `close()` releases every
 * socket.
 */
export class MesosHttpClient {
  readonly #authorization: string | undefined;
  readonly #ca: string | Buffer | undefined;
  readonly #timeoutMs: number;
  /** Set only with credentials: the redirect policy for them (see MesosHttpClientOptions). */
  readonly #isTrustedOrigin: ((origin: string) => boolean) | undefined;
  readonly #contentType: ContentType;
  /** Origin of the current leader; written only by #useOrigin. */
  #origin: string;
  /** The call connection to #origin (calls in order; repeatable ones several at a time). */
  #calls: CallConnection;
  /** Call connections of former leaders, closing gracefully (their queued calls still finish). */
  readonly #retiring = new Set<Promise<void>>();
  /** Live subscription connections (an agent holding one socket); each is destroyed when its stream ends. */
  readonly #streams = new Set<Agent>();
  #isClosed = false;

  /** Validates the options synchronously (InvalidArgumentError); opens no socket yet. */
  constructor(options: MesosHttpClientOptions) {
    this.#origin = parseBaseUrl(options.baseUrl);
    const { principal, secret } = options;
    if ((principal === undefined) !== (secret === undefined)) {
      throw principal === undefined
        ? new InvalidArgumentError('principal', principal, 'a secret needs a principal')
        : new InvalidArgumentError('secret', REDACTED, 'a principal needs a secret');
    }
    this.#authorization = principal !== undefined && secret !== undefined ? basicAuthHeader(principal, secret) : undefined;
    const configured = this.#origin;
    const trusted = options.isTrustedOrigin;
    // With credentials, or when the caller says which origins it trusts (an executor's token
    // travels in extra headers), cross-origin redirects are limited; otherwise any is followed.
    this.#isTrustedOrigin =
      this.#authorization === undefined && trusted === undefined ? undefined : (origin) => origin === configured || (trusted?.(origin) ?? false);
    const timeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    if (!Number.isFinite(timeout) || timeout <= 0) {
      throw new InvalidArgumentError('requestTimeoutMs', timeout, 'must be a positive number of milliseconds');
    }
    this.#timeoutMs = timeout;
    this.#ca = options.ca;
    this.#contentType = options.contentType ?? 'json';
    this.#calls = this.#newCallConnection(this.#origin);
  }

  /** Current base URL: the configured one, or the leader found through a 307. */
  get baseUrl(): string {
    return this.#origin;
  }

  /**
   * POSTs `body` as JSON to `path` and reads the whole answer. Calls are sent in
   * the order `call` is invoked, on the shared call connection: one at a time, but for
   * repeatable calls, which may be pipelined (CallOptions.isRepeatable).
   * Resolves on 2xx. Rejects with MesosHttpError on any other status (body capped
   * at 4 KiB), ProtocolError on a bad redirect, TimeoutError after
   * `requestTimeoutMs` (queueing included), `signal.reason` on abort, and
   * DriverStoppedError after close().
   */
  async call(path: string, body: object | Uint8Array, options: CallOptions = {}): Promise<CallResponse> {
    const callType = options.callType ?? callTypeOf(body, path);
    if (this.#isClosed) throw new DriverStoppedError(`${callType} not sent: MesosHttpClient is closed`);
    options.signal?.throwIfAborted();
    const payload = body instanceof Uint8Array ? body : JSON.stringify(body);
    const headers = this.#headers(options.headers);
    const deadline = new AbortController();
    const timer = setTimeout(
      () => deadline.abort(new TimeoutError(`${callType} to ${this.#origin}${path}`, this.#timeoutMs)),
      this.#timeoutMs,
    );
    const forwardAbort = (): void => deadline.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', forwardAbort, { once: true });
    try {
      const { response, url } = await followLeaderRedirects(
        new URL(path, this.#origin),
        async (target) => {
          this.#useOrigin(target.origin);
          const post = { url: target, method: 'POST' as const, headers, body: payload, signal: deadline.signal };
          return redirectable(await this.#calls.send(post, options.isRepeatable === true));
        },
        { callType, ...(this.#isTrustedOrigin === undefined ? {} : { isTrustedOrigin: this.#isTrustedOrigin }) },
      );
      const { res } = response;
      if (statusKind(res.status) !== 'success') {
        throw statusError(res.status, await readErrorBody(res.body), callType, url.href);
      }
      return { status: res.status, headers: res.headers, body: (await readText(res.body)) ?? '' };
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', forwardAbort);
    }
  }

  /**
   * Opens an event stream: POSTs `body` to `path` on a new connection and
   * resolves once a 2xx response's headers arrive (307s followed, docs/protocol.md, "Scheduler endpoint answers"), with the
   * RecordIO records of its body. The stream's socket stays open until the
   * iteration ends (server EOF = disconnection, docs/protocol.md, "Connections"), the consumer breaks out,
   * `close()` is called on the subscription or on this client. Rejects like
   * `call` (TimeoutError if no response headers within `requestTimeoutMs`).
   */
  async subscribe(path: string, body: object | Uint8Array, options: SubscribeOptions = {}): Promise<Subscription> {
    const callType = options.callType ?? callTypeOf(body, path);
    if (this.#isClosed) throw new DriverStoppedError(`${callType} not sent: MesosHttpClient is closed`);
    const { signal } = options;
    signal?.throwIfAborted();
    const payload = body instanceof Uint8Array ? body : JSON.stringify(body);
    const headers = this.#headers(options.headers);
    let stream: Agent | undefined;
    // No response headers within the timeout: the SUBSCRIBE fails (its stream then has none).
    const deadline = new AbortController();
    const timer = setTimeout(
      () => deadline.abort(new TimeoutError(`${callType} to ${this.#origin}${path}`, this.#timeoutMs)),
      this.#timeoutMs,
    );
    const requestSignal = signal === undefined ? deadline.signal : AbortSignal.any([signal, deadline.signal]);
    try {
      const { response, url } = await followLeaderRedirects(
        new URL(path, this.#origin),
        async (target) => {
          this.#useOrigin(target.origin);
          if (stream !== undefined) this.#dropStream(stream);
          // A new SUBSCRIBE always uses a new connection (docs/protocol.md, "Connections").
          stream = await originAgent(target.origin, { maxSockets: 1, ca: this.#ca });
          this.#streams.add(stream);
          if (this.#isClosed) throw new DriverStoppedError(`${callType} not sent: MesosHttpClient is closed`);
          return redirectable(await exchange({ url: target, method: 'POST', headers, body: payload, agent: stream, signal: requestSignal }));
        },
        { callType, ...(this.#isTrustedOrigin === undefined ? {} : { isTrustedOrigin: this.#isTrustedOrigin }) },
      );
      clearTimeout(timer);
      const { res } = response;
      const connection = stream as Agent;
      if (statusKind(res.status) !== 'success') {
        throw statusError(res.status, await readErrorBody(res.body), callType, url.href);
      }
      // However the body ends (EOF, break, abort, decode error), its socket goes with it.
      res.body.once('close', () => this.#dropStream(connection));
      const streamId = headerValue(res.headers['mesos-stream-id']);
      const records = decodeRecordIO(res.body, signal === undefined ? {} : { signal });
      return {
        status: res.status,
        headers: res.headers,
        ...(streamId === undefined ? {} : { streamId }),
        records,
        contentType: contentTypeOf(headerValue(res.headers['content-type'])) ?? 'json',
        close: () => this.#dropStream(connection),
      };
    } catch (error) {
      if (stream !== undefined) this.#dropStream(stream);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Resolves once every socket is released: subscription streams are destroyed
   * at once; calls already sent or queued finish first (each bounded by
   * `requestTimeoutMs`). Later calls reject with DriverStoppedError.
   */
  async close(): Promise<void> {
    this.#isClosed = true;
    for (const stream of this.#streams) this.#dropStream(stream);
    await Promise.all([this.#calls.close(), ...this.#retiring]);
  }

  #headers(extra: Record<string, string> | undefined): Record<string, string> {
    // Content-Type is compared byte-for-byte by Mesos: no charset parameter (docs/protocol.md, "Headers").
    const mediaType = MEDIA_TYPES[this.#contentType];
    const headers: Record<string, string> = { 'content-type': mediaType, accept: mediaType };
    if (this.#authorization !== undefined) headers.authorization = this.#authorization;
    for (const [name, value] of Object.entries(extra ?? {})) headers[name.toLowerCase()] = value;
    return headers;
  }

  /** Makes `origin` the leader: later calls go there; the old call connection drains and closes. */
  #useOrigin(origin: string): void {
    if (origin === this.#origin) return;
    const old = this.#calls;
    this.#origin = origin;
    this.#calls = this.#newCallConnection(origin);
    const closing = old.close().catch(() => undefined);
    this.#retiring.add(closing);
    void closing.then(() => this.#retiring.delete(closing));
  }

  #dropStream(stream: Agent): void {
    // Destroying the agent destroys its socket, and with it the stream's body.
    if (this.#streams.delete(stream)) stream.destroy();
  }

  #newCallConnection(origin: string): CallConnection {
    return new CallConnection({ origin, depth: CALL_PIPELINING_DEPTH, ca: this.#ca });
  }
}

function redirectable(res: ExchangeResponse): RedirectableResponse & { res: ExchangeResponse } {
  return {
    res,
    status: res.status,
    location: headerValue(res.headers.location),
    discard: () => discardBody(res.body),
  };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function callTypeOf(body: object, path: string): string {
  const type = (body as { type?: unknown }).type;
  return typeof type === 'string' ? type : path;
}

function parseBaseUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    // The URL parser's message adds nothing to ours.
    throw new InvalidArgumentError('baseUrl', baseUrl, 'must be an absolute http(s)://host:port URL');
  }
  if (url.username !== '' || url.password !== '') {
    // Never echo credentials: show the URL without them.
    url.username = '';
    url.password = '';
    throw new InvalidArgumentError('baseUrl', url.href, 'credentials go in principal/secret, not the URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidArgumentError('baseUrl', baseUrl, 'must use http or https');
  }
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    throw new InvalidArgumentError('baseUrl', baseUrl, 'must be only scheme, host and port (paths go to call/subscribe)');
  }
  return url.origin;
}
