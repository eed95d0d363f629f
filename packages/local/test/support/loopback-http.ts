// A plain HTTP server on 127.0.0.1 for tests that need something to fetch from.
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A listening loopback server, its base URL, and `close()` (ends open connections too). */
export interface LoopbackHttp {
  readonly server: Server;
  readonly base: string;
  close(): Promise<void>;
}

/** Starts `handler` on an ephemeral loopback port; resolves once it listens. */
export async function serveLoopbackHttp(handler: RequestListener): Promise<LoopbackHttp> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
