import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** Index of the TCP connection it arrived on (0-based, in accept order). */
  connection: number;
}

export type Handler = (req: SeenRequest, res: ServerResponse) => void;

/** A real node:http server on 127.0.0.1:0 that records requests and connections. */
export class TestServer {
  readonly requests: SeenRequest[] = [];
  readonly #sockets = new Set<Socket>();
  #connections = 0;
  #server: Server;
  #port = 0;

  constructor(public handler: Handler) {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const connection = (req.socket as Socket & { testIndex?: number }).testIndex ?? -1;
        const seen: SeenRequest = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          connection,
        };
        this.requests.push(seen);
        this.handler(seen, res);
      });
    });
    this.#server.on('connection', (socket: Socket & { testIndex?: number }) => {
      socket.testIndex = this.#connections++;
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.#port = (this.#server.address() as AddressInfo).port;
    return this;
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** Connections accepted so far. */
  get connections(): number {
    return this.#connections;
  }

  /** Connections still open. */
  get openSockets(): number {
    return this.#sockets.size;
  }

  async stop(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
