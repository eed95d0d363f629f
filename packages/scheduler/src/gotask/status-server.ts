/**
 * Serves the live status page of a running GoTaskScheduler: `GET /` the page
 * (status-page.ts), `GET /status.json` the StatusDocument, `GET /status/stream` the same
 * document as server-sent events, one per `intervalMs`. Samples the board on that interval
 * (rates need two samples) and only while it runs; every other path is 404.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { InvalidArgumentError } from '@mesosgot/common/internal';
import type { StatusBoard } from './status-board.js';
import { STATUS_PAGE_HTML } from './status-page.js';

/** How often rates are sampled and the page is pushed a fresh document. */
export const DEFAULT_STATUS_INTERVAL_MS = 1_000;
/** Page viewers served at once; more get 503 (each costs one JSON document per interval). */
const MAX_STREAMS = 32;

export interface StatusServerOptions {
  board: StatusBoard;
  /** Bind address (default 127.0.0.1). */
  address?: string;
  /** Port (default 0: any free port). */
  port?: number;
  intervalMs?: number;
}

export class StatusServer {
  readonly #board: StatusBoard;
  readonly #address: string;
  readonly #port: number;
  readonly #intervalMs: number;
  readonly #streams = new Set<ServerResponse>();
  readonly #sockets = new Set<Socket>();
  #server: Server | undefined;
  #timer: NodeJS.Timeout | undefined;
  #url: string | undefined;

  /** Throws InvalidArgumentError for a bad port or interval (before any I/O). */
  constructor(options: StatusServerOptions) {
    this.#board = options.board;
    this.#address = options.address ?? '127.0.0.1';
    this.#port = options.port ?? 0;
    this.#intervalMs = options.intervalMs ?? DEFAULT_STATUS_INTERVAL_MS;
    if (!Number.isInteger(this.#port) || this.#port < 0 || this.#port > 65535) throw new InvalidArgumentError('statusPort', this.#port, 'must be 0…65535');
    if (!(this.#intervalMs > 0)) throw new InvalidArgumentError('intervalMs', this.#intervalMs, 'must be positive');
  }

  /** The page's URL once started (`http://127.0.0.1:PORT/`); undefined before start() or after stop(). */
  get url(): string | undefined {
    return this.#url;
  }

  /** Listens; resolves with the page URL. Rejects if the port is taken. */
  async start(): Promise<string> {
    if (this.#url !== undefined) return this.#url;
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('method not allowed\n');
      } else if (path === '/' || path === '/index.html') {
        send(res, 200, 'text/html; charset=utf-8', STATUS_PAGE_HTML);
      } else if (path === '/status.json') {
        send(res, 200, 'application/json', JSON.stringify(this.#board.snapshot()));
      } else if (path === '/status/stream') {
        this.#openStream(res);
      } else {
        send(res, 404, 'text/plain', 'not found\n');
      }
    });
    server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, this.#address, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#server = server;
    this.#board.sample();
    this.#timer = setInterval(() => this.#tick(), this.#intervalMs);
    const { port } = server.address() as AddressInfo;
    const host = this.#address.includes(':') ? `[${this.#address}]` : this.#address;
    return (this.#url = `http://${host}:${port}/`);
  }

  /** Ends every stream, closes the listener and its connections; resolves once closed. Idempotent. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    const server = this.#server;
    this.#server = undefined;
    this.#url = undefined;
    if (!server) return;
    for (const res of this.#streams) res.end();
    this.#streams.clear();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.#sockets) socket.destroy();
    await closed;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  #openStream(res: ServerResponse): void {
    if (this.#streams.size >= MAX_STREAMS) return send(res, 503, 'text/plain', 'too many status viewers\n');
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
    res.write(`retry: ${this.#intervalMs}\n`);
    this.#streams.add(res);
    res.on('close', () => this.#streams.delete(res));
    res.write(`data: ${JSON.stringify(this.#board.snapshot())}\n\n`);
  }

  #tick(): void {
    this.#board.sample();
    if (this.#streams.size === 0) return;
    const message = `data: ${JSON.stringify(this.#board.snapshot())}\n\n`;
    for (const res of this.#streams) {
      // A viewer that stopped reading is dropped rather than buffered for.
      if (res.writableLength > 1024 * 1024) res.destroy();
      else res.write(message);
    }
  }
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  const bytes = Buffer.from(body, 'utf8');
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': String(bytes.length), 'Cache-Control': 'no-store' });
  res.end(bytes);
}
