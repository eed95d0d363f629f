/**
 * Serves the executor (and any other configured file) to agents over HTTP, the way mesosgot's
 * artifact server does: an agent's fetcher downloads `CommandInfo.uris[].value` into the sandbox
 * (docs/protocol.md, "Launch path"). Only the configured names are served; every other path — including
 * traversal attempts, encoded or not — is a 404, so the server never reads an arbitrary file.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { basename } from 'node:path';
import { InvalidArgumentError } from '@mesosgot/common/internal';

export interface ArtifactServerOptions {
  /** URL name → file path, e.g. `{ 'executor.js': '/app/dist/app_executor.bundle.mjs' }`. */
  files: Readonly<Record<string, string>>;
  /** Bind address (default 127.0.0.1); also the host of the URLs handed to agents. */
  address?: string;
  /** Port (default 0: ephemeral). */
  port?: number;
}

/** URL names are one plain path segment: no slash, no dot-only names, no percent escapes. */
const SAFE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/**
 * `start()` binds and resolves with the base URL; `urlOf(name)` gives a file's URL; `stop()`
 * closes the listener and every open connection. Files are opened per request (a rebuilt bundle
 * is served fresh), streamed, and answered with Content-Length.
 */
export class ArtifactServer {
  private readonly files: Map<string, string>;
  private readonly address: string;
  private readonly port: number;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private base: string | undefined;

  /** Throws InvalidArgumentError for an unsafe URL name or a bad port, before any I/O. */
  constructor(options: ArtifactServerOptions) {
    this.files = new Map();
    for (const [name, path] of Object.entries(options.files)) {
      if (!SAFE_NAME.test(name)) throw new InvalidArgumentError(`files[${JSON.stringify(name)}]`, name, 'a URL name is one path segment of [A-Za-z0-9._-]');
      if (typeof path !== 'string' || path === '') throw new InvalidArgumentError(`files.${name}`, path, 'must be a file path');
      this.files.set(name, path);
    }
    this.address = options.address ?? '127.0.0.1';
    this.port = options.port ?? 0;
    if (!Number.isInteger(this.port) || this.port < 0 || this.port > 65535) throw new InvalidArgumentError('port', this.port, 'must be 0…65535');
  }

  /** Default URL name for a file: its base name (`/app/x/app_executor.bundle.mjs` → `app_executor.bundle.mjs`). */
  static nameFor(path: string): string {
    return basename(path).replace(/[^A-Za-z0-9._-]/g, '_').replace(/^[.-]/, '_');
  }

  /** Listens; resolves with the base URL (`http://127.0.0.1:PORT`). Rejects if the port is taken. */
  async start(): Promise<string> {
    if (this.base !== undefined) return this.base;
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.address, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const { port } = server.address() as AddressInfo;
    const host = this.address.includes(':') ? `[${this.address}]` : this.address;
    this.base = `http://${host}:${port}`;
    return this.base;
  }

  /** URL of a configured file; throws InvalidArgumentError for an unknown name or before start(). */
  urlOf(name: string): string {
    if (this.base === undefined) throw new InvalidArgumentError('name', name, 'the artifact server is not started');
    if (!this.files.has(name)) throw new InvalidArgumentError('name', name, 'not a served file');
    return `${this.base}/${name}`;
  }

  /** Closes the listener and all connections; resolves when the server is fully closed. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.base = undefined;
    if (server === undefined) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await closed;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    // Exact match on the raw path: '/name' or '/name?query'. Nothing is decoded or normalised,
    // so '/../x', '/%2e%2e/x', '//etc/passwd' or '/a/b' can never name a file.
    const raw = req.url ?? '';
    const q = raw.indexOf('?');
    const path = q < 0 ? raw : raw.slice(0, q);
    const name = path.startsWith('/') ? path.slice(1) : undefined;
    const file = name !== undefined && SAFE_NAME.test(name) ? this.files.get(name) : undefined;
    if (file === undefined) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    let size: number;
    try {
      const info = await stat(file);
      if (!info.isFile()) throw new Error('not a regular file');
      size = info.size;
    } catch {
      // The configured file is missing or not a file: the agent's fetch fails with this 404
      // (the path itself is not shown to remote clients).
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(size) });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = createReadStream(file);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  }
}
