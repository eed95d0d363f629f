/**
 * The agent's HTTP listener on 127.0.0.1: started on a port (0 = ephemeral) and closed either
 * way an agent goes — both close every connection at once, event streams included, so a
 * crash looks to executors like a dead agent process and a restart can bind the same port.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export class AgentServer {
  #server: Server | undefined;

  constructor(private readonly handler: (req: IncomingMessage, res: ServerResponse) => void) {}

  /** Resolves with the bound port; rejects with the listen error (e.g. EADDRINUSE). */
  async listen(port: number): Promise<number> {
    const server = createServer(this.handler);
    // Event streams stay open for hours; Node's default request timeout would cut them.
    server.requestTimeout = 0;
    server.headersTimeout = 60_000;
    server.keepAliveTimeout = 75_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#server = server;
    return (server.address() as AddressInfo).port;
  }

  /** Stops listening and drops every connection; resolves when the socket is closed. */
  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }
}
