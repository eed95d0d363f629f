/**
 * A promise-shaped ZooKeeper session on node-zookeeper-client (pure JavaScript, no native
 * build, the most used Node client; see README "Dependencies"). Only what master detection
 * and master membership need: connect with a deadline, children/data with one-shot watches,
 * ephemeral sequential nodes, close.
 */
import type zookeeper from 'node-zookeeper-client';
import { MasterDetectionError, TimeoutError } from '../errors.js';
import type { ZkUrl } from './zk-url.js';

/**
 * node-zookeeper-client, loaded by the first connect(): a process that only imports this module
 * (a scheduler whose `--master` is not `zk://`) never loads the client. Set once, by loadClient.
 */
let client: typeof zookeeper | undefined;

async function loadClient(): Promise<typeof zookeeper> {
  client ??= (await import('node-zookeeper-client')).default;
  return client;
}

/** ZooKeeper's NO_NODE error code (its Exception.NO_NODE). */
const ZK_NO_NODE = -101;
/** CreateMode.EPHEMERAL_SEQUENTIAL of node-zookeeper-client. */
const EPHEMERAL_SEQUENTIAL = 3;

export interface ZkSessionOptions {
  /** ZooKeeper session timeout; Mesos' default `--zk_session_timeout` is 10 s. */
  sessionTimeoutMs?: number;
  /** How long connect() waits for a server before it rejects. */
  connectTimeoutMs?: number;
  signal?: AbortSignal;
}

export const DEFAULT_ZK_SESSION_TIMEOUT_MS = 10_000;
export const DEFAULT_ZK_CONNECT_TIMEOUT_MS = 10_000;

type Callback<T> = (error: unknown, value: T) => void;

/** Bound on one ZooKeeper request; past it the caller gets a TimeoutError and may start afresh. */
export const ZK_REQUEST_TIMEOUT_MS = 5_000;

/** The parts of node-zookeeper-client's ConnectionManager that #abandon touches (1.1.3 internals). */
interface InternalConnectionManager {
  state: number;
  socket?: { destroy(): void };
  connectTimeoutHandler?: ReturnType<typeof setTimeout>;
  setState(state: number): void;
  onSocketData: (...args: unknown[]) => void;
  onSocketConnected: (...args: unknown[]) => void;
}
const MANAGER_STATE_CONNECTED = 2;
const MANAGER_STATE_CLOSING = -1;

export class ZkSession {
  readonly #client: zookeeper.Client;
  #closed = false;

  private constructor(client: zookeeper.Client) {
    this.#client = client;
  }

  /**
   * Resolves once connected (with digest auth added when the URL has credentials). Rejects with
   * TimeoutError naming the servers when none answers in time, or with signal.reason on abort;
   * either way the client is closed and no timer is left.
   */
  static async connect(url: ZkUrl, options: ZkSessionOptions = {}): Promise<ZkSession> {
    const timeoutMs = options.connectTimeoutMs ?? DEFAULT_ZK_CONNECT_TIMEOUT_MS;
    const zk = await loadClient();
    const client = zk.createClient(url.connectString, {
      sessionTimeout: options.sessionTimeoutMs ?? DEFAULT_ZK_SESSION_TIMEOUT_MS,
      spinDelay: 200,
      retries: 1,
    });
    if (url.auth) client.addAuthInfo('digest', Buffer.from(`${url.auth.user}:${url.auth.password}`));
    const session = new ZkSession(client);
    await new Promise<void>((resolve, reject) => {
      const cleanup = (): void => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
      };
      const fail = (error: unknown): void => {
        cleanup();
        session.#abandon();
        reject(error);
      };
      const onAbort = (): void => fail(options.signal?.reason);
      const timer = setTimeout(() => fail(new TimeoutError(`ZooKeeper at ${url.connectString} unreachable`, timeoutMs)), timeoutMs);
      client.once('connected', () => {
        cleanup();
        resolve();
      });
      client.once('authenticationFailed', () => fail(new MasterDetectionError(`ZooKeeper at ${url.connectString} refused the credentials`)));
      if (options.signal?.aborted) return onAbort();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      client.connect();
    });
    return session;
  }

  /** Fires once when the session expires or is closed by the server (ephemeral nodes are gone). */
  onExpired(listener: () => void): void {
    this.#client.once('expired', listener);
  }

  /** Fires each time the connection to the ensemble drops (the session may still recover). */
  onDisconnected(listener: () => void): () => void {
    this.#client.on('disconnected', listener);
    return () => this.#client.removeListener('disconnected', listener);
  }

  /** Children of `path`; `watch` fires once on the next change (ZooKeeper watches are one-shot). */
  children(path: string, watch?: () => void): Promise<string[]> {
    return this.#call<string[]>((cb) =>
      watch ? this.#client.getChildren(path, () => watch(), cb) : this.#client.getChildren(path, cb),
    );
  }

  data(path: string): Promise<Buffer> {
    return this.#call<Buffer>((cb) => this.#client.getData(path, cb));
  }

  /** Creates `path` and its parents as persistent nodes when missing. */
  mkdirp(path: string): Promise<string> {
    return this.#call<string>((cb) => this.#client.mkdirp(path, cb));
  }

  /** Creates an ephemeral sequential node `<prefix><10 digits>`; resolves with its full path. */
  createEphemeralSequential(prefix: string, data: Buffer): Promise<string> {
    return this.#call<string>((cb) => this.#client.create(prefix, data, EPHEMERAL_SEQUENTIAL, cb));
  }

  remove(path: string): Promise<void> {
    return this.#call<void>((cb) => this.#client.remove(path, (error) => cb(error, undefined)));
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  /** Ends the session: its ephemeral nodes disappear; idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#client.close();
  }

  /**
   * Gives up a client that never connected. node-zookeeper-client 1.1.3's close() queues a
   * CLOSE_SESSION and then reads a connect reply still in flight as that request's reply, which
   * throws from its socket handler (an uncaught exception). So, while not connected, stop it at
   * the socket: no retry (state CLOSING), the current socket destroyed, and any socket a pending
   * reconnect timer opens later closed at once without reading a byte.
   */
  #abandon(): void {
    if (this.#closed) return;
    const manager = (this.#client as unknown as { connectionManager?: InternalConnectionManager }).connectionManager;
    if (!manager || manager.state === MANAGER_STATE_CONNECTED || typeof manager.setState !== 'function') {
      this.close();
      return;
    }
    this.#closed = true;
    manager.onSocketData = () => undefined;
    manager.onSocketConnected = function (this: InternalConnectionManager) {
      this.socket?.destroy();
    };
    manager.setState(MANAGER_STATE_CLOSING);
    if (manager.connectTimeoutHandler) clearTimeout(manager.connectTimeoutHandler);
    manager.socket?.destroy();
  }

  /** Every request is bounded: a session that stopped answering must not hang its caller. */
  #call<T>(start: (cb: Callback<T>) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new TimeoutError('ZooKeeper request unanswered', ZK_REQUEST_TIMEOUT_MS)), ZK_REQUEST_TIMEOUT_MS);
      start((error, value) => {
        clearTimeout(timer);
        if (error) reject(toError(error));
        else resolve(value);
      });
    });
  }
}

/** node-zookeeper-client's Exception is not an Error; wrap it so stacks and `cause` work. */
function toError(error: unknown): Error {
  if (error instanceof Error) return error;
  const described = error as { name?: string; message?: string; code?: number };
  const zkError = new Error(`ZooKeeper: ${described.name ?? 'error'}${described.message ? ` ${described.message}` : ''}`);
  (zkError as Error & { zkCode?: number }).zkCode = described.code;
  return zkError;
}

/** True for ZooKeeper's NO_NODE (the path does not exist). */
export function isNoNodeError(error: unknown): boolean {
  const e = error as { zkCode?: number; code?: unknown; getCode?: () => number };
  const code = e.zkCode ?? (typeof e.getCode === 'function' ? e.getCode() : e.code);
  return code === ZK_NO_NODE;
}
