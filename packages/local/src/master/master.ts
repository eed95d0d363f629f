/**
 * The local Mesos master: one HTTP server on loopback serving the scheduler API
 * (docs/protocol.md, "Endpoints"), the operator endpoints, and the MasterLink its agents call.
 * With `zk` it contends for leadership through ZooKeeper (docs/protocol.md, "Master detection") and, while it does not lead,
 * redirects to the leader like a real master.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_REFUSE_SECONDS, SCHEDULER_API_PATH } from '@mesosgot/common/internal';
import { parseZkUrl } from '@mesosgot/common/zookeeper';
import { GuardedServer } from '../http/guarded-server.js';
import { checkHttpAuth, checkHttpAuthSettings, type EndpointClass, type HttpAuthSettings } from '../http/http-auth.js';
import type { HttpLimits } from '../http/http-limits.js';
import type { MasterLink } from '../links.js';
import type { Credential } from './auth.js';
import { leaderInfo, redirectToLeader } from './leader-redirect.js';
import { MasterState } from './master-state.js';
import { SchedulerApi, sendText } from './scheduler-api.js';
import { masterFlags } from './master-flags.js';
import { masterMetrics } from './master-metrics.js';
import { OperatorApi } from './operator-api.js';
import { handleStateEndpoints, LEADER_ONLY_DOCUMENTS, type ReadonlyEndpointsContext } from './state-endpoint.js';
import { DEFAULT_HEARTBEAT_INTERVAL_SECONDS } from './subscriptions.js';
import { type Leadership, ZkMembership } from './zk-membership.js';

/** The v1 operator API (Mesos serves it under the master's route too). */
const OPERATOR_API_PATHS = new Set(['/api/v1', '/master/api/v1']);
const REDIRECT_PATHS = new Set(['/redirect', '/master/redirect']);
const LEADING: Leadership = { state: 'leading' };

/** Which credentials a master path needs (http/http-auth.ts): unlisted paths are read-only. */
function masterEndpointClass(path: string): EndpointClass {
  if (path === SCHEDULER_API_PATH || path === `/master${SCHEDULER_API_PATH}`) return 'framework';
  if (path === '/health' || path === '/master/health' || REDIRECT_PATHS.has(path)) return 'open';
  return OPERATOR_API_PATHS.has(path) ? 'readwrite' : 'readonly';
}

/** Our allocation batches run this often by default (a real master: 1 s; tests want speed). */
export const DEFAULT_ALLOCATION_INTERVAL_MS = 100;

/** Mesos `--agent_ping_timeout` (15 s) × `--max_agent_ping_timeouts` (5): when a silent agent is removed. */
export const DEFAULT_AGENT_REMOVAL_TIMEOUT_MS = 75_000;

export interface LocalMasterOptions {
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** `heartbeat_interval_seconds` announced and used (default 15, as Mesos). */
  heartbeatIntervalSeconds?: number;
  /** Allocation batch period in ms (default 100). */
  allocationIntervalMs?: number;
  /** refuse_seconds when a DECLINE/ACCEPT gives no filter (default 5, as Mesos). */
  offerRefuseDefault?: number;
  /** When set, schedulers must authenticate with HTTP Basic (docs/protocol.md, "Authentication"). */
  credentials?: Credential[];
  /**
   * `zk://host:port[,host:port]/path` (Mesos `--zk`): contend for leadership there. Without it
   * the master is alone and always leads. Throws InvalidArgumentError (constructor) if malformed.
   */
  zk?: string;
  /** ZooKeeper session timeout (Mesos `--zk_session_timeout`, default 10 s). */
  zkSessionTimeoutMs?: number;
  /**
   * How long a crashed agent that ran tasks of checkpointing frameworks may take to come back
   * before it is removed (default DEFAULT_AGENT_REMOVAL_TIMEOUT_MS, Mesos' health check).
   */
  agentRemovalTimeoutMs?: number;
  /** Removed frameworks kept for /master/state (Mesos `--max_completed_frameworks`, default 50). */
  maxCompletedFrameworks?: number;
  /** Connection, body and timeout limits of the HTTP server (DEFAULT_HTTP_LIMITS otherwise). */
  httpLimits?: Partial<HttpLimits>;
  /** HTTP Basic (with `credentials`) on read-only endpoints: state, flags, metrics, … (Mesos `--authenticate_http_readonly`). */
  authenticateHttpReadonly?: boolean;
  /** HTTP Basic (with `credentials`) on the v1 operator API (Mesos `--authenticate_http_readwrite`). */
  authenticateHttpReadwrite?: boolean;
  /**
   * Directories LIST_FILES and READ_FILE may serve (the embedded agents' sandboxes, which share
   * this process); none by default, so every path is 404, as on a master without `--log_dir`.
   */
  filesRoots?: () => readonly string[];
}

/**
 * A Mesos-compatible master. `start()` resolves with its URL once it listens; `stop()` resolves
 * once the server, every stream and every timer is gone (agents are the caller's to stop).
 */
export class LocalMaster {
  readonly #state: MasterState;
  readonly #api: SchedulerApi;
  readonly #operatorApi: OperatorApi;
  /** What the read-only endpoints and the operator API read besides the state. */
  readonly #readContext: ReadonlyEndpointsContext;
  readonly #port: number;
  readonly #membership: ZkMembership | undefined;
  readonly #leadershipListeners = new Set<(leadership: Leadership) => void>();
  #server: Server | undefined;
  /** The limits layer of #server (connections, bodies, timeouts); set by start(). */
  #guarded: GuardedServer | undefined;
  readonly #httpLimits: Partial<HttpLimits>;
  readonly #auth: HttpAuthSettings;
  /** Resolves once stopped or aborted, with the abort reason (lost ZooKeeper candidacy). */
  #closed!: (reason: Error | undefined) => void;
  readonly #closedPromise = new Promise<Error | undefined>((resolve) => (this.#closed = resolve));

  constructor(options: LocalMasterOptions = {}) {
    this.#state = new MasterState({
      heartbeatIntervalSeconds: options.heartbeatIntervalSeconds ?? DEFAULT_HEARTBEAT_INTERVAL_SECONDS,
      allocationIntervalMs: options.allocationIntervalMs ?? DEFAULT_ALLOCATION_INTERVAL_MS,
      offerRefuseDefaultSeconds: options.offerRefuseDefault ?? DEFAULT_REFUSE_SECONDS,
      agentRemovalTimeoutMs: options.agentRemovalTimeoutMs ?? DEFAULT_AGENT_REMOVAL_TIMEOUT_MS,
      ...(options.maxCompletedFrameworks !== undefined ? { maxCompletedFrameworks: options.maxCompletedFrameworks } : {}),
    });
    this.#api = new SchedulerApi(this.#state, options.credentials, (req, res) => this.#redirectUnlessLeading(req, res));
    this.#port = options.port ?? 0;
    const flagInputs = { authenticatesFrameworks: (options.credentials?.length ?? 0) > 0, zk: options.zk };
    this.#readContext = {
      state: this.#state,
      flags: () => masterFlags(this.#state, flagInputs),
      metrics: () => masterMetrics(this.#state, this.#operatorApi.streamCount),
    };
    const filesRoots = options.filesRoots ?? (() => []);
    this.#operatorApi = new OperatorApi({ ...this.#readContext, filesRoots });
    this.#httpLimits = options.httpLimits ?? {};
    this.#auth = {
      ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
      ...(options.authenticateHttpReadonly !== undefined ? { authenticateHttpReadonly: options.authenticateHttpReadonly } : {}),
      ...(options.authenticateHttpReadwrite !== undefined ? { authenticateHttpReadwrite: options.authenticateHttpReadwrite } : {}),
    };
    checkHttpAuthSettings(this.#auth);
    this.#membership =
      options.zk === undefined
        ? undefined
        : new ZkMembership(parseZkUrl(options.zk), {
            ...(options.zkSessionTimeoutMs !== undefined ? { sessionTimeoutMs: options.zkSessionTimeoutMs } : {}),
            onChange: (leadership) => {
              for (const listener of [...this.#leadershipListeners]) listener(leadership);
            },
            onLost: (reason) => void this.#abort(reason),
          });
  }

  /** Leading, following (with the leader's MasterInfo) or no leader known. Always leading without zk. */
  get leadership(): Leadership {
    return this.#membership ? this.#membership.leadership : LEADING;
  }

  get isLeading(): boolean {
    return this.leadership.state === 'leading';
  }

  /** This master's znode (`/mesos/json.info_0000000002`) once it joined; undefined without zk. */
  get zkNode(): string | undefined {
    return this.#membership?.node;
  }

  /**
   * Calls `listener` on every leadership change this master sees (ZooKeeper watch); returns
   * the function that removes it. Never called without zk.
   */
  onLeadershipChange(listener: (leadership: Leadership) => void): () => void {
    this.#leadershipListeners.add(listener);
    return () => this.#leadershipListeners.delete(listener);
  }

  /**
   * Resolves with this master's znode once its candidacy exists in ZooKeeper (it keeps
   * retrying while ZooKeeper is unreachable); rejects if the master stops or aborts first, or
   * with signal.reason. Resolves undefined at once without zk.
   */
  async joined(options: { signal?: AbortSignal } = {}): Promise<string | undefined> {
    if (!this.#membership) return undefined;
    const { signal } = options;
    signal?.throwIfAborted();
    return new Promise<string | undefined>((resolve, reject) => {
      const onAbort = (): void => reject(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#membership!.joined().then(
        (node) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(node);
        },
        (error: unknown) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }

  /**
   * Resolves once the master stopped: undefined after stop(), or the reason it aborted by
   * itself (its ZooKeeper session expired or its node was deleted, as a real master exits).
   */
  closed(): Promise<Error | undefined> {
    return this.#closedPromise;
  }

  /** The HTTP layer's counters (connections open, refused, displaced; body bytes in flight); undefined before start(). */
  get http(): GuardedServer | undefined {
    return this.#guarded;
  }

  /** The master id (a UUID); framework, agent and offer ids are built from it (docs/protocol.md, "Ids"). */
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
    // Streams never end on their own (docs/protocol.md, "Connections"): the layer's timeouts
    // cover receiving a request only, never the answer.
    const guarded = new GuardedServer((req, res) => void this.#route(req, res), 'the local master', this.#httpLimits, (req) =>
      checkHttpAuth(req, masterEndpointClass((req.url ?? '/').split('?')[0]!), this.#auth, 'master'),
    );
    const server = guarded.server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#server = server;
    this.#guarded = guarded;
    this.#state.port = (server.address() as AddressInfo).port;
    this.#state.start();
    // Contends in the background: until it joined (or while ZooKeeper is down) it answers 503.
    this.#membership?.start(this.#state.masterInfo());
    return this.url;
  }

  /**
   * Leaves ZooKeeper (its node disappears at once), closes every stream, stops timers and the
   * server; resolves when all sockets are closed. Idempotent.
   */
  async stop(): Promise<void> {
    await this.#shutdown();
    this.#closed(undefined);
  }

  /** Lost candidacy: a real master exits ("Lost candidacy", docs/protocol.md, "Master detection"); its streams end with it. */
  async #abort(reason: Error): Promise<void> {
    await this.#shutdown();
    this.#closed(reason);
  }

  async #shutdown(): Promise<void> {
    await this.#membership?.stop();
    this.#operatorApi.closeAll();
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

  /** The scheduler API's not-leader hook: answers 307/503 and returns true unless leading. */
  #redirectUnlessLeading(req: IncomingMessage, res: ServerResponse): boolean {
    if (this.isLeading) return false;
    redirectToLeader(req, res, leaderInfo(this.leadership, this.#state.masterInfo()));
    return true;
  }

  async #route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    try {
      if (path === SCHEDULER_API_PATH || path === `/master${SCHEDULER_API_PATH}`) return await this.#api.handle(req, res);
      const isLeaderOnly = LEADER_ONLY_DOCUMENTS.has(path) || OPERATOR_API_PATHS.has(path);
      if (REDIRECT_PATHS.has(path) || (isLeaderOnly && !this.isLeading)) {
        return redirectToLeader(req, res, leaderInfo(this.leadership, this.#state.masterInfo()));
      }
      if (OPERATOR_API_PATHS.has(path)) return await this.#operatorApi.handle(req, res);
      if (handleStateEndpoints(this.#readContext, req, res, path)) return;
      req.resume();
      sendText(res, 404, '');
    } catch (error) {
      // A bug in a handler must not take the master down: answer 500 and keep serving.
      if (!res.headersSent) sendText(res, 500, error instanceof Error ? error.message : String(error));
      else res.destroy();
    }
  }
}
