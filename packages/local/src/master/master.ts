/**
 * The local Mesos master: one HTTP server on loopback serving the scheduler API
 * (mesos-v1-protocol.md §2), the operator endpoints, and the MasterLink its agents call.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_REFUSE_SECONDS, SCHEDULER_API_PATH } from '@mesosgot/common';
import type { MasterLink } from '../links.js';
import type { Credential } from './auth.js';
import { MasterState } from './master-state.js';
import { SchedulerApi, sendText } from './scheduler-api.js';
import { handleStateEndpoints } from './state-endpoint.js';
import { DEFAULT_HEARTBEAT_INTERVAL_SECONDS } from './subscriptions.js';

/** Our allocation batches run this often by default (a real master: 1 s; tests want speed). */
export const DEFAULT_ALLOCATION_INTERVAL_MS = 100;

export interface LocalMasterOptions {
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** `heartbeat_interval_seconds` announced and used (default 15, as Mesos). */
  heartbeatIntervalSeconds?: number;
  /** Allocation batch period in ms (default 100). */
  allocationIntervalMs?: number;
  /** refuse_seconds when a DECLINE/ACCEPT gives no filter (default 5, as Mesos). */
  offerRefuseDefault?: number;
  /** When set, schedulers must authenticate with HTTP Basic (§11). */
  credentials?: Credential[];
}

/**
 * A Mesos-compatible master. `start()` resolves with its URL once it listens; `stop()` resolves
 * once the server, every stream and every timer is gone (agents are the caller's to stop).
 */
export class LocalMaster {
  readonly #state: MasterState;
  readonly #api: SchedulerApi;
  readonly #port: number;
  #server: Server | undefined;

  constructor(options: LocalMasterOptions = {}) {
    this.#state = new MasterState({
      heartbeatIntervalSeconds: options.heartbeatIntervalSeconds ?? DEFAULT_HEARTBEAT_INTERVAL_SECONDS,
      allocationIntervalMs: options.allocationIntervalMs ?? DEFAULT_ALLOCATION_INTERVAL_MS,
      offerRefuseDefaultSeconds: options.offerRefuseDefault ?? DEFAULT_REFUSE_SECONDS,
    });
    this.#api = new SchedulerApi(this.#state, options.credentials);
    this.#port = options.port ?? 0;
  }

  /** The master id (a UUID); framework, agent and offer ids are built from it (§4). */
  get masterId(): string {
    return this.#state.masterId;
  }

  /** What agents call (agent → master). */
  get link(): MasterLink {
    return this.#state;
  }

  /** `http://127.0.0.1:PORT`; throws before `start()` resolved. */
  get url(): string {
    if (!this.#server) throw new Error('LocalMaster is not started');
    return `http://${this.#state.hostname}:${this.#state.port}`;
  }

  /** The Mesos-format id of the n-th agent: `<masterId>-S<n>`. */
  agentId(n: number): string {
    return `${this.#state.masterId}-S${n}`;
  }

  /** Read-only view for tests and the cluster: the master's state document. */
  get state(): MasterState {
    return this.#state;
  }

  /** Listens on 127.0.0.1 and starts allocating. Resolves with the master URL. */
  async start(): Promise<string> {
    const server = createServer((req, res) => void this.#route(req, res));
    // Streams never end on their own: no request/idle timeouts on them (§2.3).
    server.requestTimeout = 0;
    server.headersTimeout = 60_000;
    server.keepAliveTimeout = 75_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#server = server;
    this.#state.port = (server.address() as AddressInfo).port;
    this.#state.start();
    return this.url;
  }

  /** Closes every stream, stops timers and the server; resolves when all sockets are closed. */
  async stop(): Promise<void> {
    this.#state.stop();
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** Fault injection: cut one framework's event stream; false if it had none open. */
  dropSubscription(frameworkId: string): boolean {
    return this.#state.dropSubscription(frameworkId);
  }

  async #route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    try {
      if (path === SCHEDULER_API_PATH || path === `/master${SCHEDULER_API_PATH}`) return await this.#api.handle(req, res);
      if (handleStateEndpoints(this.#state, req, res, path)) return;
      req.resume();
      sendText(res, 404, '');
    } catch (error) {
      // A bug in a handler must not take the master down: answer 500 and keep serving.
      if (!res.headersSent) sendText(res, 500, error instanceof Error ? error.message : String(error));
      else res.destroy();
    }
  }
}
