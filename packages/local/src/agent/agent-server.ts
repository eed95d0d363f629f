/**
 * The agent's HTTP listener on 127.0.0.1: started on a port (0 = ephemeral) and closed either
 * way an agent goes — both close every connection at once, event streams included, so a
 * crash looks to executors like a dead agent process and a restart can bind the same port.
 * Requests pass the cluster's HTTP limits first (http/guarded-server.ts); their timeouts cover
 * receiving a request only, so executor event streams stay open for hours.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GuardedServer } from '../http/guarded-server.js';
import type { AuthRefusal } from '../http/http-auth.js';
import type { HttpLimits } from '../http/http-limits.js';

export class AgentServer {
  #server: Server | undefined;
  #guarded: GuardedServer | undefined;

  constructor(
    private readonly handler: (req: IncomingMessage, res: ServerResponse) => void,
    private readonly limits: Partial<HttpLimits> = {},
    private readonly auth: (req: IncomingMessage) => AuthRefusal | undefined = () => undefined,
  ) {}

  /** The limits layer's counters while listening; undefined otherwise. */
  get http(): GuardedServer | undefined {
    return this.#guarded;
  }

  /** Resolves with the bound port; rejects with the listen error (e.g. EADDRINUSE). */
  async listen(port: number): Promise<number> {
    const guarded = new GuardedServer(this.handler, 'the local agent', this.limits, this.auth);
    const server = guarded.server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#server = server;
    this.#guarded = guarded;
    return (server.address() as AddressInfo).port;
  }

  /** Stops listening and drops every connection; resolves when the socket is closed. */
  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    this.#guarded = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }
}
