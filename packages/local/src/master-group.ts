/**
 * The masters of a LocalCluster: one, or several contending for leadership through ZooKeeper
 * (docs/protocol.md, "Master detection"). Keeps each master's slot and port (so a restarted master comes
 * back where it was), knows which one leads, and tells the cluster when one is elected.
 */
import { TimeoutError } from '@mesosgot/common/internal';
import { LocalMaster, type LocalMasterOptions } from './master/master.js';

/** How long start()/restart() wait for ZooKeeper membership and waitForLeader() for a leader. */
export const DEFAULT_LEADER_TIMEOUT_MS = 30_000;

export interface MasterGroupOptions {
  count: number;
  /** Options of every master; `port` is master 0's, master i gets port + i (0 = ephemeral). */
  master: LocalMasterOptions;
  leaderTimeoutMs?: number;
  /** Called when a running master of the group becomes the leader. */
  onElected: (leader: LocalMaster) => void;
}

export class MasterGroup {
  readonly #options: MasterGroupOptions;
  /** Slot i: master i while it runs; undefined after stop(i) or its own abort. */
  readonly #masters: (LocalMaster | undefined)[] = [];
  /** Master i's port, fixed at its first start so restart(i) comes back on it. */
  readonly #ports: number[] = [];
  /** Waiters of waitForLeader(), woken by any election. */
  readonly #leaderWaiters = new Set<() => void>();

  /** Throws InvalidArgumentError for a malformed `zk` (from LocalMaster). */
  constructor(options: MasterGroupOptions) {
    this.#options = options;
    const base = options.master.port ?? 0;
    for (let i = 0; i < options.count; i++) {
      this.#ports.push(base > 0 ? base + i : 0);
      this.#masters.push(this.#create(i));
    }
  }

  get slots(): readonly (LocalMaster | undefined)[] {
    return this.#masters;
  }

  get urls(): string[] {
    return this.#ports.map((port) => `http://127.0.0.1:${port}`);
  }

  get leader(): LocalMaster | undefined {
    return this.#masters.find((m) => m?.isLeading === true);
  }

  get leaderIndex(): number {
    return this.#masters.findIndex((m) => m?.isLeading === true);
  }

  /** Master i, or RangeError naming why there is none. */
  at(i: number): LocalMaster {
    const master = this.#masters[i];
    if (!master) throw new RangeError(`master ${i} is not running (the cluster has ${this.#masters.length})`);
    return master;
  }

  /**
   * Starts master i (created again if it was stopped) and resolves once it joined ZooKeeper and
   * knows who leads; rejects with TimeoutError after `leaderTimeoutMs`.
   */
  async start(i: number): Promise<void> {
    if (!Number.isInteger(i) || i < 0 || i >= this.#masters.length) {
      throw new RangeError(`no master ${i} (the cluster has ${this.#masters.length})`);
    }
    const master = (this.#masters[i] ??= this.#create(i));
    await master.start();
    this.#ports[i] = master.state.port;
    const timeoutMs = this.#options.leaderTimeoutMs ?? DEFAULT_LEADER_TIMEOUT_MS;
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      await master.joined({ signal });
    } catch (error) {
      if (signal.aborted) throw new TimeoutError(`master ${i} could not join ZooKeeper ${this.#options.master.zk ?? ''}`, timeoutMs);
      throw error;
    }
  }

  /** Stops master i (its ZooKeeper node goes with it); resolves once it is gone. */
  async stop(i: number): Promise<void> {
    const master = this.at(i);
    this.#masters[i] = undefined;
    await master.stop();
  }

  async stopAll(): Promise<void> {
    const masters = this.#masters.map((m, i) => {
      this.#masters[i] = undefined;
      return m;
    });
    await Promise.all(masters.map((m) => m?.stop()));
  }

  /**
   * Resolves with the leading master as soon as one leads (at once if one does). Rejects with
   * TimeoutError after `timeoutMs` (default `leaderTimeoutMs`), or with signal.reason.
   */
  waitForLeader(options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<LocalMaster> {
    const timeoutMs = options.timeoutMs ?? this.#options.leaderTimeoutMs ?? DEFAULT_LEADER_TIMEOUT_MS;
    const { signal } = options;
    return new Promise<LocalMaster>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#leaderWaiters.delete(check);
        signal?.removeEventListener('abort', onAbort);
      };
      const check = (): void => {
        const leader = this.leader;
        if (!leader) return;
        done();
        resolve(leader);
      };
      const onAbort = (): void => {
        done();
        reject(signal?.reason);
      };
      const timer = setTimeout(() => {
        done();
        reject(new TimeoutError(`no master leads ${this.#options.master.zk ?? ''}`.trim(), timeoutMs));
      }, timeoutMs);
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#leaderWaiters.add(check);
      check();
    });
  }

  #create(i: number): LocalMaster {
    const master = new LocalMaster({ ...this.#options.master, port: this.#ports[i]! });
    master.onLeadershipChange((leadership) => {
      if (leadership.state !== 'leading' || this.#masters[i] !== master) return;
      this.#options.onElected(master);
      for (const wake of [...this.#leaderWaiters]) wake();
    });
    // A master that lost its ZooKeeper candidacy exits by itself: free its slot for restart.
    void master.closed().then((reason) => {
      if (reason !== undefined && this.#masters[i] === master) this.#masters[i] = undefined;
    });
    return master;
  }
}
