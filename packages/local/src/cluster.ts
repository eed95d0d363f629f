/**
 * `LocalCluster`: the embedded equivalent of Mesos' `mesos-local` (DESIGN.md "Where it runs"):
 * one LocalMaster and N LocalAgents in this process, on loopback ports, plus fault injection
 * for tests (agent crash/restart, executor kill, cut subscription).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseResourceFlags, type Resource } from '@mesosgot/common';
import { LocalAgent } from './agent/local-agent.js';
import type { Credential } from './master/auth.js';
import { DEFAULT_ALLOCATION_INTERVAL_MS, LocalMaster } from './master/master.js';

/** Agent resources when none are given: those of the real-Mesos recordings. */
export const DEFAULT_AGENT_RESOURCES = 'cpus:4;mem:4096;disk:4096;ports:[31000-31099]';

export interface LocalClusterOptions {
  /** Number of agents (default 1). */
  agents?: number;
  /** Each agent's `--resources` flag text (default DEFAULT_AGENT_RESOURCES). */
  agentResources?: string;
  /** Master port on 127.0.0.1 (default 0: ephemeral). */
  port?: number;
  /** Root of the agents' sandboxes; default a fresh temp dir, deleted by stop(). */
  workDir?: string;
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
  /** Scheduler HTTP Basic credentials; when set, authentication is required. */
  credentials?: Credential[];
}

/**
 * A master plus agents. `start()` resolves with the master URL once every agent registered;
 * `stop()` resolves when every server, timer and child process is gone (and the temp work dir
 * it created is deleted).
 */
export class LocalCluster {
  readonly #options: LocalClusterOptions;
  readonly #resources: Resource[];
  readonly #master: LocalMaster;
  readonly #agents: LocalAgent[] = [];
  #workDir: string | undefined;
  #ownsWorkDir = false;
  #started = false;

  /** Throws InvalidArgumentError for a malformed `agentResources` or agent count. */
  constructor(options: LocalClusterOptions = {}) {
    this.#options = options;
    const count = options.agents ?? 1;
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`agents must be a non-negative integer, got ${count}`);
    this.#resources = parseResourceFlags(options.agentResources ?? DEFAULT_AGENT_RESOURCES, 'agentResources');
    this.#master = new LocalMaster({
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(options.heartbeatIntervalSeconds !== undefined ? { heartbeatIntervalSeconds: options.heartbeatIntervalSeconds } : {}),
      allocationIntervalMs: options.allocationIntervalMs ?? DEFAULT_ALLOCATION_INTERVAL_MS,
      ...(options.offerRefuseDefault !== undefined ? { offerRefuseDefault: options.offerRefuseDefault } : {}),
      ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
    });
  }

  /** Starts the master, then the agents; resolves with `http://127.0.0.1:PORT`. */
  async start(): Promise<string> {
    if (this.#started) throw new Error('LocalCluster already started');
    this.#started = true;
    try {
      if (this.#options.workDir !== undefined) this.#workDir = this.#options.workDir;
      else {
        this.#workDir = await mkdtemp(join(tmpdir(), 'mesosgot-local-'));
        this.#ownsWorkDir = true;
      }
      const url = await this.#master.start();
      for (let i = 0; i < (this.#options.agents ?? 1); i++) {
        const agent = new LocalAgent({
          master: this.#master.link,
          agentId: this.#master.agentId(i),
          resources: this.#resources,
          workDir: this.#workDir,
          ...(this.#options.executorRegistrationTimeoutMs !== undefined
            ? { executorRegistrationTimeoutMs: this.#options.executorRegistrationTimeoutMs }
            : {}),
          ...(this.#options.executorShutdownGracePeriodMs !== undefined
            ? { executorShutdownGracePeriodMs: this.#options.executorShutdownGracePeriodMs }
            : {}),
        });
        this.#agents.push(agent);
        await agent.start();
      }
      return url;
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /**
   * Stops the agents (executors get SHUTDOWN, then SIGKILL after the grace period), then the
   * master; deletes the work dir if the cluster created it. Idempotent.
   */
  async stop(): Promise<void> {
    const agents = this.#agents.splice(0);
    await Promise.all(agents.map((a) => a.stop()));
    await this.#master.stop();
    if (this.#ownsWorkDir && this.#workDir) await rm(this.#workDir, { recursive: true, force: true });
    this.#ownsWorkDir = false;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** `http://127.0.0.1:PORT`; throws before start(). */
  get masterUrl(): string {
    return this.#master.url;
  }

  get master(): LocalMaster {
    return this.#master;
  }

  get agents(): readonly LocalAgent[] {
    return this.#agents;
  }

  /** The sandboxes' root (set once start() began). */
  get workDir(): string | undefined {
    return this.#workDir;
  }

  /**
   * Fault injection: agent `i` dies abruptly (as if SIGKILLed). The master removes it:
   * RESCIND, TASK_LOST REASON_AGENT_DISCONNECTED, FAILURE {agent_id} (§8.5).
   */
  async stopAgent(i: number): Promise<void> {
    await this.#agent(i).crash();
  }

  /** Brings a stopped agent back with the same id and port; it registers again. */
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
    return this.#master.dropSubscription(frameworkId);
  }

  #agent(i: number): LocalAgent {
    const agent = this.#agents[i];
    if (!agent) throw new RangeError(`no agent ${i} (the cluster has ${this.#agents.length})`);
    return agent;
  }
}
