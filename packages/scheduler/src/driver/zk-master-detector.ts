import {
  MasterDetectionError,
  type MasterInfo,
} from '@mesosgot/common/internal';
import {
  ZkSession,
  isNoNodeError,
  parseZkUrl,
  type ZkSessionOptions,
  type ZkUrl,
} from '@mesosgot/common/zookeeper';
import type { MasterDetector } from './master-detector.js';

/** How long nextMaster() waits for a leader to appear under the path before it reports one missing. */
export const DEFAULT_LEADER_WAIT_MS = 15_000;

/** Re-read interval while no leader is known (watches cover the common case). */
const LEADER_POLL_MS = 500;

/** Masters register `json.info_<10-digit sequence>`; old masters used binary `info_` nodes (docs/protocol.md, "Master detection"). */
const MASTER_NODE = /^json\.info_(\d+)$/;

export interface ZooKeeperMasterDetectorOptions extends Omit<ZkSessionOptions, 'signal'> {
  /** Wait this long for a leader under the path before rejecting with MasterDetectionError. */
  leaderWaitMs?: number;
  /** `http` (default) or `https` for the leader's URL: MasterInfo does not say which. */
  scheme?: 'http' | 'https';
}

/**
 * Finds the leading Mesos master through ZooKeeper, as libmesos and mesos-go do
 * (docs/protocol.md, "Master detection"): the leader is the `json.info_*` child with the smallest sequence;
 * its data is the MasterInfo JSON. Watches the path and yields the new leader's URL on change.
 */
export class ZooKeeperMasterDetector implements MasterDetector {
  readonly url: ZkUrl;
  readonly #options: ZooKeeperMasterDetectorOptions;
  /** The live session; replaced after an expiry. Written by #sessionFor and #dropSession. */
  #session?: Promise<ZkSession>;
  /** The session #session resolved to, for synchronous comparison in #dropSession. */
  #current?: ZkSession;
  /** Sessions whose expiry already wakes leaderChanges (one listener per session). */
  readonly #watchedForExpiry = new WeakSet<ZkSession>();
  /** Wakes the leaderChanges loop; replaced each round. */
  #wake: () => void = () => undefined;
  #closed = false;

  /** Throws InvalidArgumentError (before any I/O) for a malformed zk:// URL. */
  constructor(url: string | ZkUrl, options: ZooKeeperMasterDetectorOptions = {}) {
    this.url = typeof url === 'string' ? parseZkUrl(url) : url;
    this.#options = options;
  }

  /**
   * Resolves with the leader's base URL. Rejects with MasterDetectionError when ZooKeeper is
   * unreachable, when no master registers within `leaderWaitMs`, or when the leader's node holds
   * something other than MasterInfo JSON (the message names the node).
   */
  async nextMaster(options: { signal?: AbortSignal } = {}): Promise<string> {
    const waitMs = this.#options.leaderWaitMs ?? DEFAULT_LEADER_WAIT_MS;
    const deadline = Date.now() + waitMs;
    for (;;) {
      options.signal?.throwIfAborted();
      const session = await this.#sessionFor(options.signal);
      let changed!: () => void;
      const childrenChanged = new Promise<void>((resolve) => (changed = resolve));
      let leader: string | undefined;
      try {
        leader = await this.#leader(session, changed);
      } catch (error) {
        if (!(error instanceof TransientZkError)) throw error;
        // The session stopped answering (e.g. across a ZooKeeper restart): start a fresh one.
        this.#dropSession(session);
        if (Date.now() >= deadline) throw new MasterDetectionError(`ZooKeeper ${this.url.connectString} stopped answering`, { cause: error.cause });
      }
      if (leader) return leader;
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new MasterDetectionError(`no Mesos master registered under ${this.url.path} in ZooKeeper ${this.url.connectString} (waited ${waitMs} ms)`);
      }
      // A watch cannot be set on children of a path that does not exist yet: poll as well.
      await raceWithTimeout(childrenChanged, Math.min(remaining, LEADER_POLL_MS), options.signal);
    }
  }

  /**
   * Yields the leader's URL now and after every leadership change (deduplicated). Survives
   * ZooKeeper restarts: a lost session is re-created. Ends when `signal` aborts or close() is called.
   */
  async *leaderChanges(options: { signal?: AbortSignal } = {}): AsyncIterable<string> {
    let last: string | undefined;
    while (!this.#closed && !options.signal?.aborted) {
      let changed!: () => void;
      const childrenChanged = new Promise<void>((resolve) => (changed = resolve));
      let leader: string | undefined;
      let session: ZkSession | undefined;
      try {
        session = await this.#sessionFor(options.signal);
        this.#wake = changed;
        if (!this.#watchedForExpiry.has(session)) {
          this.#watchedForExpiry.add(session);
          session.onExpired(() => this.#wake());
        }
        leader = await this.#leader(session, changed);
      } catch (error) {
        if (session && error instanceof TransientZkError) this.#dropSession(session);
        // ZooKeeper unreachable or garbage in the leader's node: nextMaster() reports it to the
        // driver; this watcher only retries until the ensemble answers again.
        if (options.signal?.aborted || this.#closed) return;
        await raceWithTimeout(new Promise<void>(() => undefined), 1_000, options.signal).catch(() => undefined);
        continue;
      }
      if (leader && leader !== last) {
        last = leader;
        yield leader;
      }
      await raceWithTimeout(childrenChanged, 60_000, options.signal).catch(() => undefined);
    }
  }

  /** Ends the ZooKeeper session. */
  async close(): Promise<void> {
    this.#closed = true;
    const session = this.#session;
    this.#session = undefined;
    if (session) (await session.catch(() => undefined))?.close();
  }

  async #leader(session: ZkSession, onChange: () => void): Promise<string | undefined> {
    let children: string[];
    try {
      children = await session.children(this.url.path, onChange);
    } catch (cause) {
      if (isNoNodeError(cause)) return undefined; // the path does not exist yet: no master registered
      throw new TransientZkError(cause);
    }
    let best: { name: string; sequence: number } | undefined;
    for (const name of children) {
      const match = MASTER_NODE.exec(name);
      if (!match) continue;
      const sequence = Number(match[1]);
      if (!best || sequence < best.sequence) best = { name, sequence };
    }
    if (!best) return undefined;
    const node = `${this.url.path}/${best.name}`;
    let data: Buffer;
    try {
      data = await session.data(node);
    } catch {
      return undefined; // the leader's node vanished between list and read: a change is coming
    }
    return masterUrlFromInfo(data, node, this.#options.scheme ?? 'http');
  }

  /** Forgets `session` (if still current) and closes it; the next call connects afresh. */
  #dropSession(session: ZkSession): void {
    if (this.#current === session) {
      this.#session = undefined;
      this.#current = undefined;
    }
    session.close();
  }

  #sessionFor(signal?: AbortSignal): Promise<ZkSession> {
    if (this.#closed) return Promise.reject(new MasterDetectionError('detector closed'));
    if (!this.#session) {
      const attempt = ZkSession.connect(this.url, { ...this.#options, signal }).catch((cause: unknown) => {
        this.#session = undefined;
        throw new MasterDetectionError(`ZooKeeper ${this.url.connectString} unreachable`, { cause });
      });
      this.#session = attempt;
      void attempt.then((session) => {
        this.#current = session;
        session.onExpired(() => {
          if (this.#session === attempt) this.#session = undefined;
          if (this.#current === session) this.#current = undefined;
        });
      }, () => undefined);
    }
    return this.#session;
  }
}

/** A request on a live session failed or went unanswered: worth a fresh session and a retry. */
class TransientZkError extends Error {
  constructor(cause: unknown) {
    super('ZooKeeper request failed', { cause });
  }
}

/** Builds `scheme://host:port` from a master's MasterInfo JSON; prefers `address` (docs/protocol.md, "MasterInfo"). */
export function masterUrlFromInfo(data: Buffer, node: string, scheme: 'http' | 'https' = 'http'): string {
  let info: Partial<MasterInfo>;
  try {
    info = JSON.parse(data.toString('utf8')) as Partial<MasterInfo>;
  } catch (cause) {
    throw new MasterDetectionError(`${node} does not hold MasterInfo JSON (${data.length} bytes)`, { cause });
  }
  if (typeof info !== 'object' || info === null) throw new MasterDetectionError(`${node} does not hold a MasterInfo object`);
  const host = info.address?.ip ?? info.address?.hostname ?? info.hostname ?? (typeof info.ip === 'number' ? unpackIp(info.ip) : undefined);
  const port = info.address?.port ?? info.port;
  if (!host || typeof port !== 'number' || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new MasterDetectionError(`${node} MasterInfo has no usable address (need address.ip/hostname and port)`);
  }
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** MasterInfo.ip is IPv4 in network byte order read as a host integer: 16777343 ⇒ 127.0.0.1. */
function unpackIp(ip: number): string {
  return [ip & 0xff, (ip >>> 8) & 0xff, (ip >>> 16) & 0xff, (ip >>> 24) & 0xff].join('.');
}

function raceWithTimeout(promise: Promise<void>, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = (): void => {
      done();
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      done();
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
    void promise.then(() => {
      done();
      resolve();
    });
  });
}
