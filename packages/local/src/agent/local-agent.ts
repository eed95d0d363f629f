/**
 * One embedded Mesos agent (mesos-v1-protocol.md §7, §8): the executor API on a loopback
 * port, sandboxes and executor processes, command tasks, and the per-task status-update
 * streams. The master reaches it through AgentLink; it reports through MasterLink.
 */
import {
  isTerminalState,
  type AgentID,
  type AgentInfo,
  type Base64,
  type ExecutorID,
  type FrameworkID,
  type FrameworkInfo,
  type KillPolicy,
  type TaskID,
  type TaskInfo,
  type TaskStatus,
} from '@mesosgot/common';
import type { AgentLink, AgentSnapshot, MasterLink } from '../links.js';
import type { AgentContext, AgentTimeouts, UpdateAcceptance } from './agent-context.js';
import { AgentServer } from './agent-server.js';
import type { ExecutorSnapshot, LocalAgentOptions } from './local-agent-options.js';
import { agentStatus } from './agent-task-status.js';
import { CommandTask } from './command-task.js';
import { handleAgentRequest } from './executor-api.js';
import { ExecutorRun } from './executor-run.js';
import { StatusUpdateQueue } from './status-update-queue.js';

type AgentLifecycle = 'created' | 'running' | 'crashed' | 'stopping' | 'stopped';

interface FrameworkEntry {
  info: FrameworkInfo & { id: FrameworkID };
  /** shutdownFramework() was called: its updates are dropped (as Mesos does) and it goes when empty. */
  terminating: boolean;
  executors: Map<string, ExecutorRun>;
  commandTasks: Map<string, CommandTask>;
}

export class LocalAgent implements AgentLink {
  /** The leading master; replaced by reregister() when ZooKeeper elects another one. */
  #master: MasterLink;
  readonly #options: LocalAgentOptions;
  readonly #timeouts: AgentTimeouts;
  readonly #queue: StatusUpdateQueue;
  readonly #frameworks = new Map<string, FrameworkEntry>();
  /** One promise per container, resolved when its process is gone; stop() awaits them all. */
  readonly #containers = new Set<Promise<void>>();
  readonly #ctx: AgentContext;
  readonly #server: AgentServer;
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
    this.#server = new AgentServer((req, res) => {
      void handleAgentRequest(
        {
          hasFramework: (frameworkId) => this.#frameworks.has(frameworkId),
          findExecutor: (frameworkId, executorId) => {
            const run = this.#frameworks.get(frameworkId)?.executors.get(executorId);
            return run && run.state !== 'terminated' ? run : undefined;
          },
        },
        req,
        res,
      );
    });
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
    for (const entry of this.#frameworks.values()) {
      for (const run of entry.executors.values()) {
        if (wasRunning) run.shutdown();
        else run.destroy();
      }
      for (const task of entry.commandTasks.values()) {
        if (wasRunning) task.kill();
        else task.destroy();
      }
    }
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
    for (const [frameworkId, entry] of this.#frameworks) {
      // Command tasks are run by the agent itself here, so they die with it.
      for (const task of entry.commandTasks.values()) task.destroy();
      entry.commandTasks.clear();
      const checkpoint = entry.info.checkpoint === true;
      for (const run of entry.executors.values()) {
        if (checkpoint) run.crash();
        else run.destroy();
      }
      if (!checkpoint) {
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
   * re-subscribe; those that do not are destroyed (§7.5).
   */
  async restart(): Promise<void> {
    if (this.#lifecycle !== 'crashed') throw new Error(`LocalAgent.restart() in state ${this.#lifecycle}`);
    this.#port = await this.#server.listen(this.#port);
    this.#lifecycle = 'running';
    this.#master.agentRegistered(this);
    this.#queue.resume();
    for (const entry of this.#frameworks.values()) for (const run of entry.executors.values()) run.recover();
  }

  /**
   * The leading master changed (a real agent learns it from ZooKeeper, §10): registers with
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
    const entry = this.#frameworks.get(frameworkId);
    entry?.executors.get(executorId)?.signal(signal);
    entry?.commandTasks.get(executorId)?.process?.kill(signal);
  }

  /** The executors and command tasks this agent currently runs. */
  executors(): ExecutorSnapshot[] {
    const out: ExecutorSnapshot[] = [];
    for (const [frameworkId, entry] of this.#frameworks) {
      for (const run of entry.executors.values()) {
        out.push({ frameworkId, executorId: run.executorId, containerId: run.containerId, sandbox: run.sandbox, pid: run.process?.pid, state: run.state });
      }
      for (const task of entry.commandTasks.values()) {
        out.push({ frameworkId, executorId: task.taskId, containerId: task.containerId, sandbox: task.sandbox, pid: task.process?.pid, state: 'command' });
      }
    }
    return out;
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
    for (const [frameworkId, entry] of this.#frameworks) {
      const fid = { value: frameworkId };
      snapshot.frameworks.push(entry.info);
      const addTask = (task: TaskInfo, latest: TaskStatus['state']): void => {
        const pendingHead = this.#queue.pending(frameworkId, task.task_id.value)[0];
        // A finished task whose updates were all acknowledged is history, not state.
        if (!pendingHead && isTerminalState(latest)) return;
        snapshot.tasks.push({
          frameworkId: fid,
          task: { ...task, agent_id: { value: this.#agentId } },
          state: pendingHead?.state ?? latest,
          ...(pendingHead ? { pendingHead } : {}),
        });
      };
      for (const run of entry.executors.values()) {
        if (run.state === 'terminated') continue;
        snapshot.executors.push({ frameworkId: fid, executor: { ...run.executorInfo, framework_id: fid } });
        for (const { info, state } of run.tasks()) addTask(info, state);
      }
      for (const task of entry.commandTasks.values()) addTask(task.task, task.process ? 'TASK_RUNNING' : 'TASK_STAGING');
    }
    return snapshot;
  }

  launchTasks(framework: FrameworkInfo & { id: FrameworkID }, tasks: TaskInfo[]): void {
    if (this.#lifecycle !== 'running') return; // A dead agent receives nothing.
    const entry = this.#frameworkEntry(framework);
    for (const task of tasks) {
      this.#queue.taskLaunched(entry.info.id.value, task.task_id.value);
      if (task.executor === undefined) {
        const commandTask = new CommandTask(this.#ctx, entry.info, task);
        entry.commandTasks.set(commandTask.taskId, commandTask);
        this.#track(commandTask.start().then(() => commandTask.done), () => {
          if (entry.commandTasks.get(commandTask.taskId) === commandTask) entry.commandTasks.delete(commandTask.taskId);
          this.#forgetIfDone(entry);
        });
        continue;
      }
      const executorId = task.executor.executor_id.value;
      let run = entry.executors.get(executorId);
      if (run && (run.state === 'terminating' || run.state === 'terminated')) {
        this.#reportLostTask(entry, task.task_id, executorId, 'Executor terminating');
        continue;
      }
      if (!run) {
        const created = new ExecutorRun(this.#ctx, entry.info, task.executor);
        run = created;
        entry.executors.set(executorId, created);
        this.#track(
          created.start().then(() => created.process?.exited),
          () => undefined,
        );
      }
      run.addTask(task);
    }
  }

  killTask(frameworkId: FrameworkID, taskId: TaskID, killPolicy?: KillPolicy): void {
    const entry = this.#frameworks.get(frameworkId.value);
    if (!entry || this.#lifecycle !== 'running') return;
    const commandTask = entry.commandTasks.get(taskId.value);
    if (commandTask) return commandTask.kill(killPolicy);
    for (const run of entry.executors.values()) {
      if (run.hasTask(taskId.value)) return run.kill(taskId.value, killPolicy);
    }
    // Mesos: no executor runs this task here, so it was never launched on this agent.
    this.#reportLostTask(entry, taskId, undefined, 'Cannot find executor');
  }

  shutdownExecutor(frameworkId: FrameworkID, executorId: ExecutorID): void {
    const entry = this.#frameworks.get(frameworkId.value);
    if (!entry || this.#lifecycle !== 'running') return;
    entry.executors.get(executorId.value)?.shutdown();
    entry.commandTasks.get(executorId.value)?.kill();
  }

  shutdownFramework(frameworkId: FrameworkID): void {
    const entry = this.#frameworks.get(frameworkId.value);
    if (!entry || this.#lifecycle !== 'running') return;
    entry.terminating = true;
    for (const run of entry.executors.values()) {
      run.frameworkTerminating = true;
      run.shutdown();
    }
    for (const task of entry.commandTasks.values()) task.kill();
    this.#forgetIfDone(entry);
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

  // ---- internals --------------------------------------------------------------------------

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
      get endpoint() {
        return agent.endpoint;
      },
      get isCrashed() {
        return agent.#lifecycle === 'crashed';
      },
      agentInfo: () => this.info,
      enqueueUpdate: (frameworkId, status) => this.#enqueueUpdate(frameworkId, status),
      executorMessage: (frameworkId, executorId, data) => {
        if (this.#lifecycle === 'crashed') return;
        this.#master.executorMessage({ value: this.#agentId }, { value: frameworkId }, { value: executorId }, data);
      },
      executorExited: (frameworkId, executorId, waitStatus) => this.#executorExited(frameworkId, executorId, waitStatus),
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
    const entry = this.#frameworks.get(frameworkId);
    const run = entry?.executors.get(executorId);
    if (entry && run?.state === 'terminated') entry.executors.delete(executorId);
    if (this.#lifecycle !== 'crashed') {
      this.#master.executorExited({ value: this.#agentId }, { value: frameworkId }, { value: executorId }, waitStatus);
    }
    if (entry) this.#forgetIfDone(entry);
  }

  /** A framework being shut down leaves once it has no containers; its streams go with it. */
  #forgetIfDone(entry: FrameworkEntry): void {
    if (!entry.terminating || entry.executors.size > 0 || entry.commandTasks.size > 0) return;
    const frameworkId = entry.info.id.value;
    if (this.#frameworks.get(frameworkId) !== entry) return;
    this.#frameworks.delete(frameworkId);
    this.#queue.dropFramework(frameworkId);
  }

  #frameworkEntry(framework: FrameworkInfo & { id: FrameworkID }): FrameworkEntry {
    const existing = this.#frameworks.get(framework.id.value);
    if (existing && !existing.terminating) {
      existing.info = framework;
      return existing;
    }
    const entry: FrameworkEntry = { info: framework, terminating: false, executors: new Map(), commandTasks: new Map() };
    this.#frameworks.set(framework.id.value, entry);
    return entry;
  }

  #reportLostTask(entry: FrameworkEntry, taskId: TaskID, executorId: string | undefined, message: string): void {
    const partitionAware = entry.info.capabilities?.some((capability) => capability.type === 'PARTITION_AWARE');
    this.#enqueueUpdate(
      entry.info.id.value,
      agentStatus({
        taskId,
        state: partitionAware ? 'TASK_DROPPED' : 'TASK_LOST',
        reason: 'REASON_EXECUTOR_TERMINATED',
        message,
        agentId: this.#agentId,
        ...(executorId !== undefined ? { executorId } : {}),
      }),
    );
  }

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
