/**
 * A TCP proxy on 127.0.0.1:0 in front of a master or agent, for fault tests: it can cut every
 * connection (a network partition seen as a reset), stall them (bytes stop flowing both ways but
 * sockets stay open: what a heartbeat watchdog exists for), and refuse new connections.
 */
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/** Options of CuttingProxy.start. */
export interface CuttingProxyOptions {
  /** Where to forward: `host:port` or an `http://host:port` URL. */
  target: string;
}

interface Pair {
  client: Socket;
  upstream: Socket;
}

/**
 * A TCP proxy on 127.0.0.1 in front of a master or agent, for fault tests: cut every connection,
 * stall them, or refuse new ones. Start it with `CuttingProxy.start`; `close()` releases it.
 */
export class CuttingProxy {
  /** Live connection pairs; removed when either side closes. */
  readonly #pairs = new Set<Pair>();
  /** While true, data is neither read nor forwarded (sockets paused). */
  #isStalled = false;
  /** While true, new connections are closed at once. */
  #isRefusing = false;
  /** Connections accepted since start (including refused ones). */
  acceptedConnections = 0;

  private constructor(
    private readonly server: Server,
    private readonly targetHost: string,
    private readonly targetPort: number,
    /** The proxy's port on 127.0.0.1. */
    readonly port: number,
  ) {}

  /** Starts listening; resolves once connections are accepted. */
  static async start(options: CuttingProxyOptions): Promise<CuttingProxy> {
    const { hostname, port } = new URL(options.target.includes('://') ? options.target : `tcp://${options.target}`);
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const proxy = new CuttingProxy(server, hostname, Number(port), (server.address() as AddressInfo).port);
    server.on('connection', (socket) => proxy.#onConnection(socket));
    return proxy;
  }

  /** `http://127.0.0.1:<port>`: give this to the client instead of the target's URL. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Number of open proxied connections. */
  get openConnections(): number {
    return this.#pairs.size;
  }

  /** Resets every open connection (both sides) right now. New ones are still accepted. */
  cutAll(): void {
    for (const pair of this.#pairs) destroyPair(pair);
    this.#pairs.clear();
  }

  /** Stops forwarding bytes in both directions on every connection, current and new, until resume(). */
  stall(): void {
    this.#isStalled = true;
    for (const { client, upstream } of this.#pairs) {
      client.pause();
      upstream.pause();
    }
  }

  /** Forwards again after stall(). */
  resume(): void {
    this.#isStalled = false;
    for (const { client, upstream } of this.#pairs) {
      client.resume();
      upstream.resume();
    }
  }

  /** Closes new connections at once while `isRefusing` (open ones are untouched). */
  refuseNew(isRefusing: boolean): void {
    this.#isRefusing = isRefusing;
  }

  /** Cuts everything and stops listening; resolves when the port is closed. */
  async close(): Promise<void> {
    this.cutAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  #onConnection(client: Socket): void {
    this.acceptedConnections += 1;
    if (this.#isRefusing) {
      client.destroy();
      return;
    }
    const upstream = createConnection({ host: this.targetHost, port: this.targetPort });
    const pair: Pair = { client, upstream };
    this.#pairs.add(pair);
    const drop = (): void => {
      this.#pairs.delete(pair);
      destroyPair(pair);
    };
    for (const socket of [client, upstream]) {
      socket.on('error', drop);
      socket.on('close', drop);
    }
    client.pipe(upstream);
    upstream.pipe(client);
    if (this.#isStalled) {
      client.pause();
      upstream.pause();
    }
  }
}

function destroyPair({ client, upstream }: Pair): void {
  // resetAndDestroy sends RST, like a broken network path, instead of an orderly FIN.
  if (!client.destroyed) client.resetAndDestroy();
  if (!upstream.destroyed) upstream.resetAndDestroy();
}
