/**
 * The HTTP listener under every local master and agent: it applies HttpLimits before a
 * request reaches its route. Node itself answers 408 to headers or a body that take too long
 * (`headersTimeout`, `requestTimeout`: both cover only the request, never the answer, so event
 * streams live on). On top of that this layer counts connections and request bodies:
 *
 * - At `maxConnections`, a new connection first displaces the oldest connection that is not
 *   answering a complete request (idle keep-alive, or still sending headers or body: a
 *   slow-body flood churns itself while streams and real calls get in); when every connection
 *   is busy answering, the newcomer gets a 503 naming the limit and is closed.
 * - A declared Content-Length over `maxBodyBytes` is answered 413 unread; one that does not fit
 *   the `maxInFlightBodyBytes` left is answered 503. Bodies without a length are counted as they
 *   arrive by `readRequestBody`, which every route reading a body uses.
 * - An `auth` hook (http-auth.ts) answers 401 before the route and before the body is read.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { AuthRefusal } from './http-auth.js';
import { type HttpLimits, resolveHttpLimits } from './http-limits.js';

/** Why a body was not read: what the route answers (with `Connection: close`). */
export interface BodyRefusal {
  status: 408 | 413 | 503;
  text: string;
}

export type BodyResult = { ok: true; body: Buffer } | ({ ok: false } & BodyRefusal);

/** A request's share of the in-flight body budget, released once when the request is done. */
interface BodyTicket {
  readonly limits: HttpLimits;
  readonly who: string;
  /** Asks for `bytes` more; false when the budget is spent (nothing is taken then). */
  grow(bytes: number): boolean;
  release(): void;
}

/** Tickets of requests that came through a GuardedServer; others read with default limits. */
const tickets = new WeakMap<IncomingMessage, BodyTicket>();

/** What the connection tracker knows of one socket; written by GuardedServer only. */
interface Connection {
  /** When it last became idle or started its current request: the eviction order. */
  since: number;
  req: IncomingMessage | undefined;
  res: ServerResponse | undefined;
}

export class GuardedServer {
  readonly server: Server;
  readonly limits: HttpLimits;
  readonly #who: string;
  readonly #connections = new Map<Socket, Connection>();
  /** Sockets answered 503 at accept time: any request the parser still reads from them is dropped. */
  readonly #refused = new WeakSet<Socket>();
  /** Bytes reserved by request bodies being received; written by tickets only. */
  #inFlightBodyBytes = 0;
  /** Connections refused and displaced so far (for tests and the state endpoint). */
  refusedConnections = 0;
  displacedConnections = 0;

  /**
   * `who` names the server in refusals ("the local master"). Throws RangeError for a limit that
   * is not positive. The server is not listening yet: call `server.listen`.
   */
  constructor(
    handler: (req: IncomingMessage, res: ServerResponse) => void,
    who: string,
    limits: Partial<HttpLimits> = {},
    auth: (req: IncomingMessage) => AuthRefusal | undefined = () => undefined,
  ) {
    this.limits = resolveHttpLimits(limits);
    this.#who = who;
    const { headersTimeoutMs, bodyTimeoutMs, idleTimeoutMs } = this.limits;
    const headersTimeout = Math.min(headersTimeoutMs, bodyTimeoutMs);
    this.server = createServer({
      headersTimeout,
      requestTimeout: bodyTimeoutMs,
      keepAliveTimeout: idleTimeoutMs,
      // Node checks both timeouts on this period; a quarter of the shorter keeps them near exact.
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(headersTimeout / 4))),
    });
    this.server.prependListener('connection', (socket: Socket) => this.#admit(socket));
    this.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (this.#refused.has(req.socket)) return void res.destroy();
      // Before the body is admitted: an unauthenticated client gets no share of the budget.
      const refusal = auth(req);
      if (refusal) return void res.writeHead(refusal.status, { 'WWW-Authenticate': refusal.challenge, 'Content-Length': '0', Connection: 'close' }).end();
      if (this.#admitBody(req, res)) handler(req, res);
    });
  }

  /** Open connections right now. */
  get connections(): number {
    return this.#connections.size;
  }

  /** Request-body bytes reserved right now. */
  get inFlightBodyBytes(): number {
    return this.#inFlightBodyBytes;
  }

  #admit(socket: Socket): void {
    if (this.#connections.size >= this.limits.maxConnections && !this.#displaceOne()) {
      this.refusedConnections++;
      this.#refused.add(socket);
      const text = `Too many connections: ${this.#who} accepts at most ${this.limits.maxConnections}`;
      socket.on('error', () => {
        // The refused client may be gone already; there is nothing more to tell it.
      });
      socket.end(
        `HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\n` +
          `Retry-After: 1\r\nConnection: close\r\n\r\n${text}`,
      );
      return;
    }
    const connection: Connection = { since: Date.now(), req: undefined, res: undefined };
    this.#connections.set(socket, connection);
    socket.once('close', () => this.#connections.delete(socket));
  }

  /** Closes the oldest connection not answering a complete request; false when all are. */
  #displaceOne(): boolean {
    let oldest: [Socket, Connection] | undefined;
    for (const entry of this.#connections) {
      const { req, res } = entry[1];
      const answering = req !== undefined && res !== undefined && req.complete && !res.writableFinished;
      if (!answering && (oldest === undefined || entry[1].since < oldest[1].since)) oldest = entry;
    }
    if (!oldest) return false;
    this.displacedConnections++;
    this.#connections.delete(oldest[0]);
    oldest[0].destroy();
    return true;
  }

  /** Tracks the request and checks its declared body; false when it was answered here. */
  #admitBody(req: IncomingMessage, res: ServerResponse): boolean {
    const connection = this.#connections.get(req.socket);
    if (connection) {
      Object.assign(connection, { since: Date.now(), req, res });
      res.once('finish', () => (connection.since = Date.now()));
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    const refusal = this.#checkDeclared(Number.isFinite(declared) ? declared : 0);
    if (refusal) {
      sendRefusal(res, refusal);
      return false;
    }
    let reserved = 0;
    const ticket: BodyTicket = {
      limits: this.limits,
      who: this.#who,
      grow: (bytes) => {
        if (this.#inFlightBodyBytes + bytes > this.limits.maxInFlightBodyBytes) return false;
        this.#inFlightBodyBytes += bytes;
        reserved += bytes;
        return true;
      },
      release: () => {
        this.#inFlightBodyBytes -= reserved;
        reserved = 0;
      },
    };
    ticket.grow(declared > 0 ? declared : 0);
    tickets.set(req, ticket);
    // Whichever comes first: the body was read (or dropped), or the answer is done.
    req.once('close', ticket.release);
    res.once('close', ticket.release);
    return true;
  }

  #checkDeclared(declared: number): BodyRefusal | undefined {
    if (declared > this.limits.maxBodyBytes) return tooLarge(this.limits.maxBodyBytes);
    if (this.#inFlightBodyBytes + declared > this.limits.maxInFlightBodyBytes) return busy(this.#who, this.limits.maxInFlightBodyBytes);
    return undefined;
  }
}

function tooLarge(maxBodyBytes: number): BodyRefusal {
  return { status: 413, text: `Request body exceeds ${maxBodyBytes} bytes` };
}

function busy(who: string, budget: number): BodyRefusal {
  return { status: 503, text: `Too many request bodies in flight: ${who} buffers at most ${budget} bytes at once; retry later` };
}

/**
 * Reads a request body under its server's limits: resolves with the bytes, or with the refusal
 * to send (413 too large, 503 budget spent, 408 when the client went away or Node's body
 * timeout cut it). Never rejects. A request that did not come through a GuardedServer is read
 * under the default per-body limit only. `maxBytes` lowers the server's per-body limit for one
 * route (operator calls are small).
 */
export function readRequestBody(req: IncomingMessage, { maxBytes }: { maxBytes?: number } = {}): Promise<BodyResult> {
  const ticket = tickets.get(req);
  const serverMax = ticket?.limits.maxBodyBytes ?? resolveHttpLimits().maxBodyBytes;
  const maxBodyBytes = Math.min(serverMax, maxBytes ?? serverMax);
  // Bytes already reserved from Content-Length; only bytes beyond it are asked for.
  let covered = Number(req.headers['content-length'] ?? 0) || 0;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: BodyResult): void => {
      req.off('data', onData).off('end', onEnd).off('close', onClose).off('error', onClose);
      if (!result.ok) req.pause();
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBodyBytes) return finish({ ok: false, ...tooLarge(maxBodyBytes) });
      if (size > covered) {
        if (ticket && !ticket.grow(size - covered)) return finish({ ok: false, ...busy(ticket.who, ticket.limits.maxInFlightBodyBytes) });
        covered = size;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => finish({ ok: true, body: Buffer.concat(chunks) });
    const onClose = (): void => finish({ ok: false, status: 408, text: 'Request body incomplete' });
    req.on('data', onData).once('end', onEnd).once('close', onClose).once('error', onClose);
  });
}

/** Answers a refusal as plain text and closes the connection (its unread body is not drained). */
export function sendRefusal(res: ServerResponse, { status, text }: BodyRefusal): void {
  if (res.headersSent || res.destroyed) return void res.destroy();
  const body = Buffer.from(text, 'utf8');
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(body.length),
    Connection: 'close',
    ...(status === 503 ? { 'Retry-After': '1' } : {}),
  });
  res.end(body);
}
