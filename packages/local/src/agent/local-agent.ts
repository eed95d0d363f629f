/**
 * One embedded Mesos agent (docs/protocol.md, "Executor calls", "Launch path"): the executor API on a loopback
 * port, sandboxes and executor processes, command tasks, and the per-task status-update
 * streams. The master reaches it through AgentLink; it reports through MasterLink. What it
 * holds per framework (executors, command tasks) is kept by AgentFramework (agent-framework.ts).
 */
import type { AgentID, AgentInfo, Base64, ExecutorID, ExecutorInfo, FrameworkID, FrameworkInfo, KillPolicy, Resource, TaskID, TaskInfo, TaskStatus } from '@mesosgot/common/internal';
import type { AgentLink, AgentSnapshot, MasterLink } from '../links.js';
import type { AgentContext, AgentTimeouts, UpdateAcceptance } from './agent-context.js';
import { removeVolumes } from './persistent-volumes.js';
import { AgentFramework, type FrameworkHost } from './agent-framework.js';
import type { GuardedServer } from '../http/guarded-server.js';
import { AgentServer } from './agent-server.js';
import type { ExecutorSnapshot, FailedExecutor, LocalAgentOptions } from './local-agent-options.js';
import { handleAgentRequest } from './executor-api.js';
import { StatusUpdateQueue } from './status-update-queue.js';
import { type AgentOperatorHost, handleAgentOperatorRequest, isAgentOperatorPath } from './agent-operator-api.js';
import { handleFilesRequest, isFilesPath } from './files-api.js';
import { formatResources } from '../master/resource-text.js';
import { formatStoutDuration } from '@mesosgot/common/internal';
import { sendText } from '../master/scheduler-api.js';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { bearerToken, checkHttpAuth, checkHttpAuthSettings, type EndpointClass } from '../http/http-auth.js';

type AgentLifecycle = 'created' | 'running' | 'crashed' | 'stopping' | 'stopped';

export class LocalAgent implements AgentLink {
  /** The leading master; replaced by reregister() when ZooKeeper elects another one. */
  #master: MasterLink;
  readonly #options: LocalAgentOptions;
  readonly #timeouts: AgentTimeouts;
  readonly #queue: StatusUpdateQueue;
  readonly #frameworks = new Map<string, AgentFramework>();
  /** One promise per container, resolved when its process is gone; stop() awaits them all. */
  readonly #containers = new Set<Promise<void>>();
  /** Executors that failed (LocalCluster keeps their sandboxes at stop). Bound: one per executor launched. */
  readonly #failedExecutors: FailedExecutor[] = [];
  readonly #ctx: AgentContext;
  readonly #host: FrameworkHost = {
    track: (lifetime, after) => this.#track(lifetime, after),
    forget: (framework) => this.#forget(framework),
  };
  readonly #server: AgentServer;
  /**
   * Executor tokens this agent issued (MESOS_EXECUTOR_AUTHENTICATION_TOKEN) and whom to; written
   * by the context's executorToken only, one per container launch.
   */
  readonly #executorTokens = new Map<string, { frameworkId: string; executorId: string }>();
  #port: number;
  /** Written by start/crash/restart/stop only. */
  #lifecycle: AgentLifecycle = 'created';

  constructor(options: LocalAgentOptions) {
    this.#master = options.master;
    this.#options = options;
    this.#port = options.port ?? 0;
    this.#timeouts = {
      registrationTimeoutMs: options.executorRegistrationTimeoutMs ?? 60_000,
      shutdownGracePeriodMs: options.executorShutdownGracePeriodMs ?? 5_000,
      reregistrationTimeoutMs: options.executorReregistrationTimeoutMs ?? 2_000,
      recoveryTimeout: options.recoveryTimeout ?? '15mins',
    };
    this.#queue = new StatusUpdateQueue({
      forward: (frameworkId, status) => this.#master.statusUpdate({ value: this.#agentId }, { value: frameworkId }, status),
      ...(options.statusUpdateRetryMs !== undefined ? { initialRetryMs: options.statusUpdateRetryMs } : {}),
    });
    this.#ctx = this.#makeContext();
    const operatorHost: AgentOperatorHost = {
      info: () => this.info,
      snapshot: () => this.snapshot(),
      containers: () => this.executors(),
      flags: () => this.#flags(),
      startedAt: Date.now() / 1000,
      sandboxRoot: () => this.sandboxRoot,
    };
    const auth = options.auth ?? {};
    checkHttpAuthSettings(auth);
    this.#server = new AgentServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0]!;
      if (isFilesPath(path)) return void answerOrFail(res, handleFilesRequest(this.sandboxRoot, req, res));
      if (isAgentOperatorPath(path)) return void answerOrFail(res, handleAgentOperatorRequest(operatorHost, req, res, path));
      void handleAgentRequest(
        {
          hasFramework: (frameworkId) => this.#frameworks.has(frameworkId),
          findExecutor: (frameworkId, executorId) => this.#frameworks.get(frameworkId)?.liveExecutor(executorId),
          ...(auth.authenticateHttpExecutors === true
            ? {
                isAuthorizedFor: (req: IncomingMessage, frameworkId: string, executorId: string) => {
                  const owner = this.#executorTokens.get(bearerToken(req) ?? '');
                  return owner !== undefined && owner.frameworkId === frameworkId && owner.executorId === executorId;
                },
              }
            : {}),
        },
        req,
        res,
      );
    }, options.httpLimits, (req) => checkHttpAuth(req, agentEndpointClass((req.url ?? '/').split('?')[0]!), auth, 'agent', (token) => this.#executorTokens.has(token)));
  }

  /** The HTTP layer's counters (connections open, refused, displaced; body bytes in flight) while listening. */
  get http(): GuardedServer | undefined {
    return this.#server.http;
  }

  /** The directory holding this agent's sandboxes, `<work_dir>/slaves/<agent id>`: what its files API serves. */
  get sandboxRoot(): string {
    return join(this.#options.workDir, 'slaves', this.#agentId);
  }

  get #agentId(): string {
    return this.#options.agentId;
  }

  /** AgentInfo with id, hostname, port (0 before start()) and total resources. */
  get info(): AgentInfo & { id: AgentID } {
    return {
      hostname: this.#options.hostname ?? '127.0.0.1',
      port: this.#port,
      resources: this.#options.resources,
      id: { value: this.#agentId },
    };
  }

  /** `127.0.0.1:PORT`: MESOS_AGENT_ENDPOINT of its executors. */
  get endpoint(): string {
    return `127.0.0.1:${this.#port}`;
  }

  /** Listens on 127.0.0.1 (port 0 = ephemeral), then registers with the master. */
  async start(): Promise<void> {
    if (this.#lifecycle !== 'created') throw new Error(`LocalAgent.start() in state ${this.#lifecycle}`);
    this.#port = await this.#server.listen(this.#port);
    this.#lifecycle = 'running';
    this.#master.agentRegistered(this);
  }

  /**
   * Graceful stop: SHUTDOWN to every executor and a kill to every command task, SIGKILL after
   * the grace period, then the server closes and the master hears agentLost. Resolves when no
   * process, socket or timer of this agent is left. Idempotent.
   */
  async stop(): Promise<void> {
    if (this.#lifecycle === 'stopped' || this.#lifecycle === 'stopping') return;
    const wasRunning = this.#lifecycle === 'running';
    this.#lifecycle = 'stopping';
    for (const framework of this.#frameworks.values()) framework.stop(wasRunning);
    while (this.#containers.size > 0) await Promise.all([...this.#containers]);
    this.#queue.close();
    await this.#server.close();
    this.#frameworks.clear();
    this.#lifecycle = 'stopped';
    if (wasRunning) this.#master.agentLost({ value: this.#agentId });
  }

  /**
   * Simulates the agent process dying: server and executor streams dropped abruptly, timers
   * stopped, master.agentLost. Executors of checkpointing frameworks keep running (as with a
   * real agent's checkpointing) until restart() recovers them or stop() kills them; executors
   * and command tasks of other frameworks are killed and forgotten.
   */
  async crash(): Promise<void> {
    if (this.#lifecycle !== 'running') throw new Error(`LocalAgent.crash() in state ${this.#lifecycle}`);
    this.#lifecycle = 'crashed';
    this.#queue.pause();
    for (const [frameworkId, framework] of this.#frameworks) {
      framework.crash();
      if (framework.info.checkpoint !== true) {
        this.#frameworks.delete(frameworkId);
        this.#queue.dropFramework(frameworkId);
      }
    }
    await this.#server.close();
    this.#master.agentLost({ value: this.#agentId }, 'crashed');
  }

  /**
   * Comes back on the same port and agent id, registers again, resumes the checkpointed
   * status-update streams and gives recovered executors `executorReregistrationTimeoutMs` to
   * re-subscribe; those that do not are destroyed (docs/protocol.md, "Agent restarts").
   */
  async restart(): Promise<void> {
    if (this.#lifecycle !== 'crashed') throw new Error(`LocalAgent.restart() in state ${this.#lifecycle}`);
    this.#port = await this.#server.listen(this.#port);
    this.#lifecycle = 'running';
    this.#master.agentRegistered(this);
    this.#queue.resume();
    for (const framework of this.#frameworks.values()) framework.recover();
  }

  /**
   * The leading master changed (a real agent learns it from ZooKeeper, docs/protocol.md, "Master detection"): registers with
   * `master`, reporting its frameworks, executors and tasks (snapshot()) so the new leader
   * rebuilds its view, then re-sends every unacknowledged update head to it at once. Executors
   * and tasks are untouched. While crashed, the new master is only remembered for restart().
   */
  reregister(master: MasterLink): void {
    this.#master = master;
    if (this.#lifecycle !== 'running') return;
    master.agentRegistered(this);
    this.#queue.resend();
  }

  /** Fault injection: signals an executor's (or command task's) process group, default SIGKILL. */
  killExecutor(frameworkId: string, executorId: string, signal: NodeJS.Signals = 'SIGKILL'): void {
    this.#frameworks.get(frameworkId)?.signal(executorId, signal);
  }

  /** The executors that failed so far, with why and their sandbox, oldest first. */
  failedExecutors(): readonly FailedExecutor[] {
    return this.#failedExecutors;
  }

  /** The executors and command tasks this agent currently runs. */
  executors(): ExecutorSnapshot[] {
    return [...this.#frameworks.values()].flatMap((framework) => framework.containers());
  }

  /** The unacknowledged updates of one task, head first (what the master has yet to acknowledge). */
  pendingUpdates(frameworkId: string, taskId: string): TaskStatus[] {
    return this.#queue.pending(frameworkId, taskId);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  // ---- AgentLink --------------------------------------------------------------------------

  snapshot(): AgentSnapshot {
    const snapshot: AgentSnapshot = { frameworks: [], executors: [], tasks: [] };
    for (const [frameworkId, framework] of this.#frameworks) {
      framework.report(snapshot, (taskId) => this.#queue.pending(frameworkId, taskId)[0]);
    }
    return snapshot;
  }

  launchTasks(framework: FrameworkInfo & { id: FrameworkID }, tasks: TaskInfo[]): void {
    if (this.#lifecycle !== 'running') return; // A dead agent receives nothing.
    const entry = this.#frameworkEntry(framework);
    for (const task of tasks) {
      this.#queue.taskLaunched(entry.id, task.task_id.value);
      entry.launch(task);
    }
  }

  launchTaskGroup(framework: FrameworkInfo & { id: FrameworkID }, executor: ExecutorInfo, tasks: TaskInfo[]): void {
    if (this.#lifecycle !== 'running') return; // A dead agent receives nothing.
    const entry = this.#frameworkEntry(framework);
    for (const task of tasks) this.#queue.taskLaunched(entry.id, task.task_id.value);
    entry.launchGroup(executor, tasks);
  }

  killTask(frameworkId: FrameworkID, taskId: TaskID, killPolicy?: KillPolicy): void {
    if (this.#lifecycle !== 'running') return;
    this.#frameworks.get(frameworkId.value)?.killTask(taskId, killPolicy);
  }

  shutdownExecutor(frameworkId: FrameworkID, executorId: ExecutorID): void {
    if (this.#lifecycle !== 'running') return;
    this.#frameworks.get(frameworkId.value)?.shutdownExecutor(executorId.value);
  }

  shutdownFramework(frameworkId: FrameworkID): void {
    if (this.#lifecycle !== 'running') return;
    this.#frameworks.get(frameworkId.value)?.shutdown();
  }

  frameworkMessage(frameworkId: FrameworkID, executorId: ExecutorID, data: Base64): void {
    if (this.#lifecycle !== 'running') return;
    this.#frameworks.get(frameworkId.value)?.executors.get(executorId.value)?.messageToExecutor(data);
  }

  acknowledge(frameworkId: FrameworkID, taskId: TaskID, uuid: Base64): void {
    if (this.#lifecycle !== 'running') return;
    this.#queue.acknowledge(frameworkId.value, taskId.value, uuid);
  }

  resendPendingUpdates(frameworkId: FrameworkID): void {
    if (this.#lifecycle !== 'running') return;
    this.#queue.resend(frameworkId.value);
  }

  destroyVolumes(volumes: Resource[]): void {
    // stop() waits for the deletion like for a container; a failure leaves only a directory in workDir.
    this.#track(removeVolumes(this.#options.workDir, volumes), () => undefined);
  }

  // ---- internals --------------------------------------------------------------------------

  /** The agent's flags as /flags and GET_FLAGS list them (Mesos names, stout values). */
  #flags(): Record<string, string> {
    return {
      hostname: this.info.hostname,
      ip: '127.0.0.1',
      port: String(this.#port),
      work_dir: this.#options.workDir,
      resources: formatResources(this.#options.resources, undefined).replaceAll('; ', ';'),
      executor_registration_timeout: formatStoutDuration(this.#timeouts.registrationTimeoutMs),
      executor_shutdown_grace_period: formatStoutDuration(this.#timeouts.shutdownGracePeriodMs),
      executor_reregistration_timeout: formatStoutDuration(this.#timeouts.reregistrationTimeoutMs),
      recovery_timeout: this.#timeouts.recoveryTimeout,
      launcher: 'posix',
      containerizers: 'mesos',
      switch_user: 'false',
      version: 'false',
    };
  }

  #makeContext(): AgentContext {
    const agent = this;
    return {
      get agentId() {
        return agent.#agentId;
      },
      get workDir() {
        return agent.#options.workDir;
      },
      get timeouts() {
        return agent.#timeouts;
      },
      get fetchLimits() {
        return agent.#options.fetchLimits ?? {};
      },
      get endpoint() {
        return agent.endpoint;
      },
      get isCrashed() {
        return agent.#lifecycle === 'crashed';
      },
      agentInfo: () => this.info,
      executorToken: (frameworkId, executorId) => {
        if (this.#options.auth?.authenticateHttpExecutors !== true) return undefined;
        const token = randomBytes(32).toString('base64url');
        this.#executorTokens.set(token, { frameworkId, executorId });
        return token;
      },
      enqueueUpdate: (frameworkId, status) => this.#enqueueUpdate(frameworkId, status),
      executorMessage: (frameworkId, executorId, data) => {
        if (this.#lifecycle === 'crashed') return;
        this.#master.executorMessage({ value: this.#agentId }, { value: frameworkId }, { value: executorId }, data);
      },
      executorExited: (frameworkId, executorId, waitStatus, failure) => {
        if (failure !== undefined) this.#failedExecutors.push({ frameworkId, executorId, ...failure });
        this.#executorExited(frameworkId, executorId, waitStatus);
      },
      framework: (frameworkId) => this.#frameworks.get(frameworkId)?.info,
    };
  }

  #enqueueUpdate(frameworkId: string, status: TaskStatus): UpdateAcceptance {
    if (this.#lifecycle === 'crashed') return 'dropped';
    // Mesos drops every update of a framework that is being shut down (slave.cpp statusUpdate).
    if (this.#frameworks.get(frameworkId)?.terminating) return 'dropped';
    this.#queue.enqueue(frameworkId, status);
    return 'accepted';
  }

  #executorExited(frameworkId: string, executorId: string, waitStatus: number): void {
    const framework = this.#frameworks.get(frameworkId);
    framework?.executorEnded(executorId);
    if (this.#lifecycle !== 'crashed') {
      this.#master.executorExited({ value: this.#agentId }, { value: frameworkId }, { value: executorId }, waitStatus);
    }
    framework?.forgetIfDone();
  }

  /** A framework shut down and left without containers goes, and its update streams with it. */
  #forget(framework: AgentFramework): void {
    if (this.#frameworks.get(framework.id) !== framework) return; // already replaced or forgotten
    this.#frameworks.delete(framework.id);
    this.#queue.dropFramework(framework.id);
  }

  /** The framework's entry, with the master's latest FrameworkInfo; a terminating one is replaced by a fresh entry. */
  #frameworkEntry(info: FrameworkInfo & { id: FrameworkID }): AgentFramework {
    const existing = this.#frameworks.get(info.id.value);
    if (existing && !existing.terminating) {
      existing.info = info;
      return existing;
    }
    const framework = new AgentFramework(this.#ctx, this.#host, info);
    this.#frameworks.set(info.id.value, framework);
    return framework;
  }

  /** FrameworkHost.track: stop() awaits every container's lifetime. */
  #track(until: Promise<unknown>, after: () => void): void {
    const tracked: Promise<void> = until.then(
      () => undefined,
      () => undefined,
    );
    this.#containers.add(tracked);
    void tracked.then(() => {
      this.#containers.delete(tracked);
      after();
    });
  }
}

/** Answers 500 with the error if an endpoint handler fails before answering (the agent keeps serving). */
async function answerOrFail(res: ServerResponse, handled: Promise<void>): Promise<void> {
  try {
    await handled;
  } catch (error) {
    if (!res.headersSent) sendText(res, 500, error instanceof Error ? error.message : String(error));
    else res.destroy();
  }
}

/** Which credentials an agent path needs (http/http-auth.ts): unlisted paths are read-only. */
function agentEndpointClass(path: string): EndpointClass {
  if (path === '/api/v1/executor' || path === '/slave(1)/api/v1/executor') return 'executor';
  if (path === '/health' || path === '/slave(1)/health') return 'open';
  return path === '/api/v1' || path === '/slave(1)/api/v1' ? 'readwrite' : 'readonly';
}
