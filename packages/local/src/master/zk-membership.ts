/**
 * A master's candidacy in ZooKeeper (docs/protocol.md, "Master detection"), as a real master with
 * `--zk=zk://host:port/path` contends: an ephemeral sequential node `<path>/json.info_<seq>`
 * holding its MasterInfo as compact JSON; the node with the lowest sequence leads. Every member
 * watches the children and learns the leader's MasterInfo, which non-leaders need for their 307s.
 */
import {
  delay,
  exponentialBackoff,
  MasterDetectionError,
  type MasterInfo,
} from '@mesosgot/common/internal';
import {
  ZkSession,
  isNoNodeError,
  type ZkUrl,
} from '@mesosgot/common/zookeeper';

/** What a master knows about leadership: it leads, another master leads, or none is known (503). */
export type Leadership =
  | { readonly state: 'leading' }
  | { readonly state: 'following'; readonly leader: MasterInfo }
  | { readonly state: 'no-leader' };

export const NO_LEADER: Leadership = { state: 'no-leader' };

/** Masters register `json.info_<10-digit sequence>`; other children (log_replicas) are ignored (docs/protocol.md, "Master detection"). */
const MASTER_NODE = /^json\.info_(\d+)$/;
const MASTER_NODE_PREFIX = 'json.info_';

/**
 * How long one connection attempt waits for the ensemble before the join loop retries. Long on
 * purpose: node-zookeeper-client 1.1.3 throws from its socket handler when a client closed
 * mid-handshake gets its connect response, so an attempt is only abandoned when ZooKeeper has
 * been silent for this long (down, or accepting but not yet serving).
 */
const JOIN_CONNECT_TIMEOUT_MS = 10_000;
/** Retry pacing while ZooKeeper is unreachable (join) or a read failed (refresh). */
const RETRY_INITIAL_MS = 100;
const RETRY_MAX_MS = 2_000;
/** How long stop() waits for ZooKeeper to delete our node before it just closes the session. */
const LEAVE_TIMEOUT_MS = 5_000;

export interface ZkMembershipOptions {
  /** ZooKeeper session timeout (Mesos `--zk_session_timeout`, default 10 s). */
  sessionTimeoutMs?: number;
  /** Called on every change of leadership as this member sees it. */
  onChange: (leadership: Leadership) => void;
  /**
   * Called once when the candidacy is gone for good: the session expired or the node was
   * deleted. A real master exits then ("Lost candidacy"); LocalMaster aborts.
   */
  onLost: (reason: MasterDetectionError) => void;
}

export class ZkMembership {
  readonly url: ZkUrl;
  readonly #options: ZkMembershipOptions;
  /** Aborted by stop() or a lost candidacy: ends the join loop and any retry delay. */
  readonly #abort = new AbortController();
  /** Written by #set only. */
  #leadership: Leadership = NO_LEADER;
  /** The live session, set once joined; closed by stop()/#lose. */
  #session: ZkSession | undefined;
  /** Our node's full path, set once created. */
  #node: string | undefined;
  #joined!: (node: string) => void;
  readonly #joinedPromise: Promise<string>;
  #loop: Promise<void> | undefined;
  /** Serialises refreshes: a watch firing during a read asks for one more pass. */
  #refreshing = false;
  #refreshAgain = false;
  readonly #retry = exponentialBackoff({ initialMs: RETRY_INITIAL_MS, maxMs: RETRY_MAX_MS });

  constructor(url: ZkUrl, options: ZkMembershipOptions) {
    this.url = url;
    this.#options = options;
    this.#joinedPromise = new Promise((resolve, reject) => {
      this.#joined = resolve;
      this.#abort.signal.addEventListener('abort', () => reject(this.#abort.signal.reason), { once: true });
    });
    // Nobody may be waiting on joined(); an abort must not become an unhandled rejection.
    this.#joinedPromise.catch(() => undefined);
  }

  get leadership(): Leadership {
    return this.#leadership;
  }

  /** Our znode (`/mesos/json.info_0000000003`) once created. */
  get node(): string | undefined {
    return this.#node;
  }

  /**
   * Resolves with our znode once it exists; rejects with the stop/loss reason if that comes
   * first. While ZooKeeper is unreachable it keeps waiting (the join loop retries).
   */
  joined(): Promise<string> {
    return this.#joinedPromise;
  }

  /** Starts contending in the background: connect (retrying), create the node, watch. */
  start(info: MasterInfo): void {
    this.#loop ??= this.#join(info).catch(() => undefined);
  }

  /**
   * Ends the candidacy: deletes the node (waiting at most LEAVE_TIMEOUT_MS, e.g. for the client
   * to reconnect after a ZooKeeper restart), then closes the session. A session closed while
   * disconnected would keep the node until the session timeout, delaying the next leader.
   */
  async stop(): Promise<void> {
    if (!this.#abort.signal.aborted) this.#abort.abort(new MasterDetectionError('ZooKeeper membership stopped'));
    const session = this.#session;
    const node = this.#node;
    this.#session = undefined;
    if (session && node) await settleWithin(session.remove(node), LEAVE_TIMEOUT_MS);
    session?.close();
    await this.#loop;
  }

  async #join(info: MasterInfo): Promise<void> {
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      let session: ZkSession | undefined;
      try {
        session = await ZkSession.connect(this.url, {
          connectTimeoutMs: JOIN_CONNECT_TIMEOUT_MS,
          signal,
          ...(this.#options.sessionTimeoutMs !== undefined ? { sessionTimeoutMs: this.#options.sessionTimeoutMs } : {}),
        });
        await session.mkdirp(this.url.path);
        // Compact JSON, the same document a real master writes (zk-ha-layout.json).
        const node = await session.createEphemeralSequential(`${this.url.path}/${MASTER_NODE_PREFIX}`, Buffer.from(JSON.stringify(info)));
        if (signal.aborted) return session.close();
        this.#session = session;
        this.#node = node;
        session.onExpired(() => this.#lose(new MasterDetectionError(`ZooKeeper session of ${node} expired`)));
        this.#retry.reset();
        await this.#refresh();
        // Joined = the node exists and this member has read who leads.
        this.#joined(node);
        return;
      } catch {
        // ZooKeeper unreachable or the connection dropped mid-join: a real master keeps trying.
        session?.close();
        if (signal.aborted) return;
        await delay(this.#retry.next().value, { signal }).catch(() => undefined);
      }
    }
  }

  /** Re-reads the children (re-arming the one-shot watch) and recomputes the leader. */
  async #refresh(): Promise<void> {
    if (this.#refreshing) {
      this.#refreshAgain = true;
      return;
    }
    this.#refreshing = true;
    try {
      do {
        this.#refreshAgain = false;
        await this.#readLeader();
      } while (this.#refreshAgain && !this.#abort.signal.aborted);
    } finally {
      this.#refreshing = false;
    }
  }

  async #readLeader(): Promise<void> {
    const session = this.#session;
    const node = this.#node;
    if (!session || !node || this.#abort.signal.aborted) return;
    let children: string[];
    try {
      children = await session.children(this.url.path, () => void this.#refresh());
    } catch (cause) {
      if (this.#abort.signal.aborted) return;
      if (isNoNodeError(cause)) return this.#lose(new MasterDetectionError(`${this.url.path} was deleted from ZooKeeper`, { cause }));
      // Connection loss: no watch was set, so read again after a pause (the session may recover).
      this.#retryLater();
      return;
    }
    const own = node.slice(node.lastIndexOf('/') + 1);
    // A real master exits when its candidacy node is gone ("Lost candidacy").
    if (!children.includes(own)) return this.#lose(new MasterDetectionError(`lost candidacy: ${node} is gone from ZooKeeper`));
    let lowest: { name: string; sequence: number } | undefined;
    for (const name of children) {
      const match = MASTER_NODE.exec(name);
      if (!match) continue;
      const sequence = Number(match[1]);
      if (!lowest || sequence < lowest.sequence) lowest = { name, sequence };
    }
    if (!lowest) return this.#set(NO_LEADER);
    if (lowest.name === own) return this.#set({ state: 'leading' });
    try {
      const data = await session.data(`${this.url.path}/${lowest.name}`);
      this.#set({ state: 'following', leader: JSON.parse(data.toString('utf8')) as MasterInfo });
    } catch {
      // The leader's node vanished between list and read (the watch will fire), or it holds
      // something other than MasterInfo JSON: no usable leader.
      this.#set(NO_LEADER);
    }
  }

  #retryLater(): void {
    void delay(this.#retry.next().value, { signal: this.#abort.signal }).then(
      () => this.#refresh(),
      () => undefined,
    );
  }

  #set(next: Leadership): void {
    if (this.#abort.signal.aborted || sameLeadership(this.#leadership, next)) return;
    this.#leadership = next;
    this.#options.onChange(next);
  }

  #lose(reason: MasterDetectionError): void {
    if (this.#abort.signal.aborted) return;
    this.#abort.abort(reason);
    this.#session?.close();
    this.#session = undefined;
    this.#leadership = NO_LEADER;
    this.#options.onLost(reason);
  }
}

function sameLeadership(a: Leadership, b: Leadership): boolean {
  if (a.state !== b.state) return false;
  if (a.state === 'following' && b.state === 'following') {
    return a.leader.id === b.leader.id && a.leader.port === b.leader.port && a.leader.hostname === b.leader.hostname;
  }
  return true;
}

/** Waits for `promise` to settle (either way) or `ms`, whichever comes first; leaves no timer. */
async function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise.catch(() => undefined), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
