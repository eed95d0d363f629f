/**
 * A plain HTTP server on 127.0.0.1 that answers every request with a function, for testing a
 * client against a master, an agent or an artifact server that misbehaves (headers then
 * silence, half a record, redirects to elsewhere) or simply serves files.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How a ScriptedHttpServer answers one request; the request body is already being drained. */
export type ScriptedAnswer = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * A loopback HTTP server scripted by one function (see the module comment). Start it with
 * `ScriptedHttpServer.start(answer)`; `close()` (or `await using`) stops it and its connections.
 */
export class ScriptedHttpServer {
  /** The underlying server, for tests that watch its events. */
  readonly server: Server;
  /** Every request received, in order. */
  readonly requests: IncomingMessage[] = [];
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** The port it listens on. */
  readonly port: number;

  private constructor(server: Server, port: number) {
    this.server = server;
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
  }

  /** Starts a server on an ephemeral loopback port; resolves once it listens. */
  static async start(answer: ScriptedAnswer): Promise<ScriptedHttpServer> {
    let scripted: ScriptedHttpServer | undefined;
    const server = createServer((req, res) => {
      scripted?.requests.push(req);
      req.resume();
      answer(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    scripted = new ScriptedHttpServer(server, (server.address() as AddressInfo).port);
    return scripted;
  }

  /** Closes the server and every connection still open (streams included); resolves once closed. */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  /** Same as close(). */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
