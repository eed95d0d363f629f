/**
 * `LocalCluster`: the embedded equivalent of Mesos' `mesos-local` (docs/design.md, "Where it runs"):
 * one LocalMaster (or several electing a leader through ZooKeeper, docs/protocol.md, "Master detection") and N LocalAgents in
 * this process, on loopback ports, plus fault injection for tests (agent crash/restart,
 * executor kill, cut subscription, master kill/restart).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseResourceFlags, InvalidArgumentError, type Resource } from '@mesosgot/common/internal';
import { parseZkUrl } from '@mesosgot/common/zookeeper';
import type { FetchLimits } from './agent/fetcher.js';
import type { HttpLimits } from './http/http-limits.js';
import { LocalAgent } from './agent/local-agent.js';
import type { Credential } from './master/auth.js';
import { DEFAULT_ALLOCATION_INTERVAL_MS, type LocalMaster } from './master/master.js';
import { MasterGroup } from './master-group.js';
import { describeKeptSandboxes, keepSandboxes, type KeptSandbox } from './kept-sandboxes.js';

export { DEFAULT_LEADER_TIMEOUT_MS } from './master-group.js';

/** Agent resources when none are given: those of the real-Mesos recordings. */
export const DEFAULT_AGENT_RESOURCES = 'cpus:4;mem:4096;disk:4096;ports:[31000-31099]';

/** Options of LocalCluster.start(); all optional. */
export interface LocalClusterOptions {
  /** Number of agents (default 1). */
  agents?: number;
  /** Each agent's `--resources` flag text (default DEFAULT_AGENT_RESOURCES). */
  agentResources?: string;
  /** Master port on 127.0.0.1 (default 0: ephemeral); with several masters, master i gets port + i. */
  port?: number;
  /** Number of masters (default 1). More than one needs `zk`. */
  masters?: number;
  /**
   * `zk://host:port/path`: the masters contend for leadership there as real masters with
   * `--zk` do; agents follow the leader; non-leaders answer 307/503.
   */
  zk?: string;
  /** The masters' ZooKeeper session timeout in ms (Mesos `--zk_session_timeout`, default 10 000). */
  zkSessionTimeoutMs?: number;
  /** How long start()/restartMaster() wait for ZooKeeper and a leader (default 30 000 ms). */
  leaderTimeoutMs?: number;
  /** Root of the agents' sandboxes; default a fresh temp dir, deleted by stop() (see keepFailedSandboxes). */
  workDir?: string;
  /**
   * true: stop() keeps the sandboxes of failed executors (see keptSandboxes), moved out of the
   * temp work dir first, and names them in one `log` line. Default false: stop() deletes
   * everything it created (what tests that crash executors on purpose want). `--master local`
   * and `mesosgot-local` turn it on.
   */
  keepFailedSandboxes?: boolean;
  /** Where the cluster's few log lines go (the kept sandboxes at stop); default nowhere. */
  log?: (line: string) => void;
  /** Master heartbeat interval in seconds (default 15). */
  heartbeatIntervalSeconds?: number;
  /** Allocation batch period in ms (default 100). */
  allocationIntervalMs?: number;
  /** Default refuse_seconds for declined/unused offer resources (default 5). */
  offerRefuseDefault?: number;
  /** Agent `--executor_registration_timeout` in ms (default 60 000). */
  executorRegistrationTimeoutMs?: number;
  /** Agent `--executor_shutdown_grace_period` in ms (default 5 000). */
  executorShutdownGracePeriodMs?: number;
  /** Agent `--executor_reregistration_timeout` in ms: how long a restarted agent waits for old executors (default 2 000). */
  executorReregistrationTimeoutMs?: number;
  /** Each agent's caps per fetched URI: size, deadline, what an archive may expand to (defaults: 1 GiB, 5 minutes, 4 GiB and 100,000 members). */
  fetchLimits?: FetchLimits;
  /** Connection, body and timeout limits of the master's and every agent's HTTP server (DEFAULT_HTTP_LIMITS otherwise). */
  httpLimits?: Partial<HttpLimits>;
  /** Removed frameworks the master remembers (Mesos `--max_completed_frameworks`, default 50). */
  maxCompletedFrameworks?: number;
  /** HTTP Basic (with `credentials`) on read-only endpoints of master and agents (Mesos `--authenticate_http_readonly`). */
  authenticateHttpReadonly?: boolean;
  /** HTTP Basic (with `credentials`) on the v1 operator API of master and agents (Mesos `--authenticate_http_readwrite`). */
  authenticateHttpReadwrite?: boolean;
  /** Executors must present the token their agent gave them (Mesos `--authenticate_http_executors`). */
  authenticateHttpExecutors?: boolean;
  /** Scheduler HTTP Basic credentials; when set, authentication is required. */
  credentials?: Credential[];
}

/**
 * Masters plus agents. `start()` resolves with the (leading) master URL once every agent
 * registered; `stop()` resolves when every server, ZooKeeper session, timer and child process
 * is gone (and the temp work dir it created is deleted).
 */
export class LocalCluster {
  readonly #options: LocalClusterOptions;
  readonly #resources: Resource[];
  readonly #masters: MasterGroup;
  /** Master 0 at construction: agent ids `<its id>-S<n>` stay the same across failovers. */
  readonly #agentIdBase: LocalMaster;
  readonly #agents: LocalAgent[] = [];
  /** The master the agents are registered with; written by #followLeader only. */
  #agentsMaster: LocalMaster | undefined;
  #workDir: string | undefined;
  #ownsWorkDir = false;
  /** Filled by stop(). Bound: one per failed executor. */
  readonly #kept: KeptSandbox[] = [];
  #started = false;

  /**
   * Throws InvalidArgumentError for a malformed `agentResources`, `zk`, or more than one
   * master without `zk`; RangeError for a bad agent or master count.
   */
  constructor(options: LocalClusterOptions = {}) {
    this.#options = options;
    const count = options.agents ?? 1;
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`agents must be a non-negative integer, got ${count}`);
    const masters = options.masters ?? 1;
    if (!Number.isInteger(masters) || masters < 1) throw new RangeError(`masters must be a positive integer, got ${masters}`);
    if (masters > 1 && options.zk === undefined) {
      throw new InvalidArgumentError('masters', masters, 'several masters elect their leader through ZooKeeper: give zk (zk://host:port/path)');
    }
    if (options.zk !== undefined) parseZkUrl(options.zk);
    this.#resources = parseResourceFlags(options.agentResources ?? DEFAULT_AGENT_RESOURCES, 'agentResources');
    this.#masters = new MasterGroup({
      count: masters,
      ...(options.leaderTimeoutMs !== undefined ? { leaderTimeoutMs: options.leaderTimeoutMs } : {}),
      master: {
        ...(options.port !== undefined ? { port: options.port } : {}),
        ...(options.heartbeatIntervalSeconds !== undefined ? { heartbeatIntervalSeconds: options.heartbeatIntervalSeconds } : {}),
        allocationIntervalMs: options.allocationIntervalMs ?? DEFAULT_ALLOCATION_INTERVAL_MS,
        ...(options.offerRefuseDefault !== undefined ? { offerRefuseDefault: options.offerRefuseDefault } : {}),
        ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
        ...(options.httpLimits !== undefined ? { httpLimits: options.httpLimits } : {}),
        ...(options.maxCompletedFrameworks !== undefined ? { maxCompletedFrameworks: options.maxCompletedFrameworks } : {}),
        ...(options.authenticateHttpReadonly !== undefined ? { authenticateHttpReadonly: options.authenticateHttpReadonly } : {}),
        ...(options.authenticateHttpReadwrite !== undefined ? { authenticateHttpReadwrite: options.authenticateHttpReadwrite } : {}),
        ...(options.zk !== undefined ? { zk: options.zk } : {}),
        ...(options.zkSessionTimeoutMs !== undefined ? { zkSessionTimeoutMs: options.zkSessionTimeoutMs } : {}),
        // Agents and masters share the process and the work dir: the master's files calls serve every agent's sandboxes.
        filesRoots: () => (this.#workDir !== undefined ? [join(this.#workDir, 'slaves')] : []),
      },
      onElected: (leader) => this.#followLeader(leader),
    });
    this.#agentIdBase = this.#masters.at(0);
  }

  /**
   * Starts the masters one after the other (each joins ZooKeeper before the next, so master 0
   * has the lowest sequence and leads), waits for a leader, then starts the agents registered
   * with it. Resolves with the leader's URL; rejects with TimeoutError when no leader is
   * elected within `leaderTimeoutMs` (everything started is stopped again).
   */
  async start(): Promise<string> {
    if (this.#started) throw new Error('LocalCluster already started');
    this.#started = true;
    try {
      if (this.#options.workDir !== undefined) this.#workDir = this.#options.workDir;
      else {
        this.#workDir = await mkdtemp(join(tmpdir(), 'mesosgot-local-'));
        this.#ownsWorkDir = true;
      }
      for (let i = 0; i < this.#masters.slots.length; i++) await this.#masters.start(i);
      const leader = await this.#masters.waitForLeader();
      this.#agentsMaster = leader;
      for (let i = 0; i < (this.#options.agents ?? 1); i++) {
        const agent = new LocalAgent({
          master: leader.link,
          agentId: this.#agentIdBase.agentId(i),
          resources: this.#resources,
          workDir: this.#workDir,
          ...(this.#options.executorRegistrationTimeoutMs !== undefined
            ? { executorRegistrationTimeoutMs: this.#options.executorRegistrationTimeoutMs }
            : {}),
          ...(this.#options.executorShutdownGracePeriodMs !== undefined
            ? { executorShutdownGracePeriodMs: this.#options.executorShutdownGracePeriodMs }
            : {}),
          ...(this.#options.executorReregistrationTimeoutMs !== undefined
            ? { executorReregistrationTimeoutMs: this.#options.executorReregistrationTimeoutMs }
            : {}),
          ...(this.#options.fetchLimits !== undefined ? { fetchLimits: this.#options.fetchLimits } : {}),
          ...(this.#options.httpLimits !== undefined ? { httpLimits: this.#options.httpLimits } : {}),
          auth: {
            ...(this.#options.credentials !== undefined ? { credentials: this.#options.credentials } : {}),
            ...(this.#options.authenticateHttpReadonly !== undefined ? { authenticateHttpReadonly: this.#options.authenticateHttpReadonly } : {}),
            ...(this.#options.authenticateHttpReadwrite !== undefined ? { authenticateHttpReadwrite: this.#options.authenticateHttpReadwrite } : {}),
            ...(this.#options.authenticateHttpExecutors !== undefined ? { authenticateHttpExecutors: this.#options.authenticateHttpExecutors } : {}),
          },
        });
        this.#agents.push(agent);
        await agent.start();
      }
      // The leader may have changed while the agents started: follow the current one.
      const current = this.#masters.leader;
      if (current) this.#followLeader(current);
      return this.masterUrl;
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /**
   * Stops the agents (executors get SHUTDOWN, then SIGKILL after the grace period), then the
   * masters (their ZooKeeper nodes go with them); with keepFailedSandboxes, moves the sandboxes
   * of failed executors out (keptSandboxes, one `log` line); deletes the work dir if the cluster
   * created it. Idempotent.
   */
  async stop(): Promise<void> {
    const agents = this.#agents.splice(0);
    await Promise.all(agents.map((a) => a.stop()));
    await this.#masters.stopAll();
    // Their stderr is why they failed: those sandboxes outlive the work dir, named in one line.
    const failed = this.#options.keepFailedSandboxes === true ? agents.flatMap((a) => a.failedExecutors()) : [];
    const kept = await keepSandboxes(failed, this.#ownsWorkDir);
    if (kept.length > 0) {
      this.#kept.push(...kept);
      this.#options.log?.(describeKeptSandboxes(kept));
    }
    if (this.#ownsWorkDir && this.#workDir) await rm(this.#workDir, { recursive: true, force: true });
    this.#ownsWorkDir = false;
  }

  /**
   * The sandboxes of executors that failed (exited non-zero or by a signal without being asked
   * to stop, or with a task ended TASK_FAILED), where stop() left them: moved out of the temp
   * work dir to `<tmp>/mesosgot-failed-<framework>-<executor>`, or in place in a given workDir.
   * Filled by stop() when keepFailedSandboxes is on; deleting them is the caller's.
   */
  get keptSandboxes(): readonly KeptSandbox[] {
    return this.#kept;
  }

  /** Calls stop(); resolves once the cluster has released everything. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /**
   * `http://127.0.0.1:PORT` of the leading master; while none leads (failover in progress),
   * of the first running master, which answers 307/503 as a real one would. Throws before
   * start() or when no master runs.
   */
  get masterUrl(): string {
    return this.master.url;
  }

  /** Every master's URL in index order, running or not (a master keeps its port across restarts). */
  get masterUrls(): string[] {
    return this.#masters.urls;
  }

  /** The leading master, else the first running one; throws when none runs. */
  get master(): LocalMaster {
    const master = this.leader ?? this.#masters.slots.find((m) => m !== undefined);
    if (!master) throw new Error('LocalCluster has no running master');
    return master;
  }

  /** The running master that leads, if any. */
  get leader(): LocalMaster | undefined {
    return this.#masters.leader;
  }

  /** Master slots in index order: undefined for a stopped (or aborted) master. */
  get masters(): readonly (LocalMaster | undefined)[] {
    return this.#masters.slots;
  }

  /** The cluster's agents, indexed as `stopAgent(i)` takes them; empty after stop(). */
  get agents(): readonly LocalAgent[] {
    return this.#agents;
  }

  /** The sandboxes' root (set once start() began). */
  get workDir(): string | undefined {
    return this.#workDir;
  }

  /**
   * Resolves with the leading master as soon as one leads (at once if one does). Rejects with
   * TimeoutError after `timeoutMs` (default `leaderTimeoutMs`), or with signal.reason.
   */
  waitForLeader(options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<LocalMaster> {
    return this.#masters.waitForLeader(options);
  }

  /**
   * Fault injection: master `i` dies abruptly. Its ZooKeeper node is deleted and its session
   * closed, so the next master takes over at once; its framework streams end; the agents move
   * to the new leader. Resolves once master i is gone (not when the new leader is elected).
   */
  async stopMaster(i: number): Promise<void> {
    await this.#masters.stop(i);
  }

  /** Fault injection: stops the leading master (see stopMaster); resolves with its index. */
  async killLeader(): Promise<number> {
    const index = this.#masters.leaderIndex;
    if (index < 0) throw new Error('no master leads');
    await this.#masters.stop(index);
    return index;
  }

  /**
   * Starts stopped master `i` again on its port, as a new process would: a new master id,
   * empty state, a new ZooKeeper node (so it follows unless it is alone). Resolves once it
   * joined ZooKeeper and knows the leader; throws if master i runs.
   */
  async restartMaster(i: number): Promise<void> {
    if (this.#masters.slots[i]) throw new Error(`master ${i} is running`);
    await this.#masters.start(i);
  }

  /**
   * Fault injection: agent `i` dies abruptly (as if SIGKILLed). The master removes it:
   * RESCIND, TASK_LOST REASON_AGENT_DISCONNECTED, FAILURE {agent_id} (docs/protocol.md, "Agent removal").
   */
  async stopAgent(i: number): Promise<void> {
    await this.#agent(i).crash();
  }

  /**
   * Brings a stopped agent back with the same id and port; it registers again with the current
   * leader, reporting its recovered executors and tasks, whose resources are charged again.
   */
  async restartAgent(i: number): Promise<void> {
    await this.#agent(i).restart();
  }

  /**
   * Fault injection: signals the process of an executor (or command task) of a framework,
   * wherever it runs. Returns false if no agent runs it.
   */
  killExecutor(frameworkId: string, executorId: string, signal: NodeJS.Signals = 'SIGKILL'): boolean {
    const agent = this.#agents.find((a) => a.executors().some((e) => e.frameworkId === frameworkId && e.executorId === executorId));
    agent?.killExecutor(frameworkId, executorId, signal);
    return agent !== undefined;
  }

  /** Fault injection: cuts a framework's event stream (the master starts its failover timer). */
  dropSubscription(frameworkId: string): boolean {
    return this.master.dropSubscription(frameworkId);
  }

  /** Agents re-register with the newly elected leader, reporting what they run (docs/protocol.md, "Master detection"). */
  #followLeader(leader: LocalMaster): void {
    if (this.#agentsMaster === leader) return;
    this.#agentsMaster = leader;
    for (const agent of this.#agents) agent.reregister(leader.link);
  }

  #agent(i: number): LocalAgent {
    const agent = this.#agents[i];
    if (!agent) throw new RangeError(`no agent ${i} (the cluster has ${this.#agents.length})`);
    return agent;
  }
}
