/**
 * One framework as an agent holds it (like Mesos' slave `Framework`): its FrameworkInfo, its
 * custom executors and its command tasks, keyed by executor id (a command task's executor id
 * is its task id, docs/protocol.md, "Ids"). The per-framework part of what the master asks
 * (docs/protocol.md,
 * "Launch path", "Killing tasks", "Teardown and shutdown") and of the agent's own stop, crash and recovery
 * (docs/protocol.md, "Agent restarts") lives here; LocalAgent keeps the lifecycle and loops over its frameworks.
 */
import {
  isTerminalState,
  type ExecutorInfo,
  type FrameworkID,
  type FrameworkInfo,
  type KillPolicy,
  type TaskID,
  type TaskInfo,
  type TaskStatus,
} from '@mesosgot/common/internal';
import type { AgentSnapshot } from '../links.js';
import type { AgentContext } from './agent-context.js';
import { agentStatus, isPartitionAware } from './agent-task-status.js';
import { CommandTask } from './command-task.js';
import { ExecutorRun } from './executor-run.js';
import type { ExecutorSnapshot } from './local-agent-options.js';

/** What a framework needs from its agent besides the AgentContext it hands to its containers. */
export interface FrameworkHost {
  /** Keeps a container's lifetime for the agent's stop() to await; `after` runs once it ended. */
  track(lifetime: Promise<unknown>, after: () => void): void;
  /** Shut down and its last container gone: the agent forgets it and its update streams. */
  forget(framework: AgentFramework): void;
}

export class AgentFramework {
  /** The master's latest FrameworkInfo: replaced by the agent on every launch. */
  info: FrameworkInfo & { id: FrameworkID };
  /** shutdown() was called: its updates are dropped (as Mesos does) and it goes when empty. */
  terminating = false;
  readonly executors = new Map<string, ExecutorRun>();
  readonly commandTasks = new Map<string, CommandTask>();

  constructor(
    private readonly ctx: AgentContext,
    private readonly host: FrameworkHost,
    info: FrameworkInfo & { id: FrameworkID },
  ) {
    this.info = info;
  }

  get id(): string {
    return this.info.id.value;
  }

  /**
   * docs/protocol.md, "Launch path": a command task gets a container of its own; a task for a custom executor is handed
   * to it, the executor being started first if it is not running. A task whose executor is on
   * its way out is lost.
   */
  launch(task: TaskInfo): void {
    if (task.executor === undefined) {
      const commandTask = new CommandTask(this.ctx, this.info, task);
      this.commandTasks.set(commandTask.taskId, commandTask);
      this.host.track(commandTask.start().then(() => commandTask.done), () => {
        if (this.commandTasks.get(commandTask.taskId) === commandTask) this.commandTasks.delete(commandTask.taskId);
        this.forgetIfDone();
      });
      return;
    }
    const executorId = task.executor.executor_id.value;
    let run = this.executors.get(executorId);
    if (run && (run.state === 'terminating' || run.state === 'terminated')) {
      this.#loseTask(task.task_id, executorId, 'Executor terminating');
      return;
    }
    if (!run) {
      const created = new ExecutorRun(this.ctx, this.info, task.executor);
      run = created;
      this.executors.set(executorId, created);
      this.host.track(
        created.start().then(() => created.process?.exited),
        () => undefined,
      );
    }
    run.addTask(task);
  }

  /**
   * LAUNCH_GROUP: the tasks of a group run together under one executor of type DEFAULT, each
   * task's command in its own container as Mesos' default executor runs them in nested
   * containers (docs/protobuf.md, "Offer operations"). Their updates name that executor. As
   * the default executor does, a task ending otherwise than TASK_FINISHED kills the rest of the
   * group, and the executor ends (the master hears of it) once every task has.
   */
  launchGroup(executor: ExecutorInfo, tasks: readonly TaskInfo[]): void {
    const executorId = executor.executor_id.value;
    const members = tasks.map((task) => new CommandTask(this.ctx, this.info, task, executor));
    const ended = new Set<CommandTask>();
    for (const member of members) {
      this.commandTasks.set(member.taskId, member);
      this.host.track(member.start().then(() => member.done), () => {
        if (this.commandTasks.get(member.taskId) === member) this.commandTasks.delete(member.taskId);
        ended.add(member);
        if (member.state !== 'TASK_FINISHED') for (const other of members) other.kill();
        if (ended.size === members.length) this.ctx.executorExited(this.id, executorId, 0);
        else this.forgetIfDone();
      });
    }
  }

  /** docs/protocol.md, "Killing tasks": KILL goes to the container that has the task. */
  killTask(taskId: TaskID, killPolicy?: KillPolicy): void {
    const commandTask = this.commandTasks.get(taskId.value);
    if (commandTask) return commandTask.kill(killPolicy);
    for (const run of this.executors.values()) {
      if (run.hasTask(taskId.value)) return run.kill(taskId.value, killPolicy);
    }
    // Mesos: no executor runs this task here, so it was never launched on this agent.
    this.#loseTask(taskId, undefined, 'Cannot find executor');
  }

  shutdownExecutor(executorId: string): void {
    this.executors.get(executorId)?.shutdown();
    // A command task's executor id is its task id; a task group's tasks share their executor's.
    for (const task of this.commandTasks.values()) if (task.executorId === executorId) task.kill();
  }

  /** SHUTDOWN_FRAMEWORK (docs/protocol.md, "Teardown and shutdown"): every container ends; tasks left behind get no updates. */
  shutdown(): void {
    this.terminating = true;
    for (const run of this.executors.values()) {
      run.frameworkTerminating = true;
      run.shutdown();
    }
    for (const task of this.commandTasks.values()) task.kill();
    this.forgetIfDone();
  }

  /** A custom executor's container is gone: a terminated run leaves the map. */
  executorEnded(executorId: string): void {
    if (this.executors.get(executorId)?.state === 'terminated') this.executors.delete(executorId);
  }

  /** A framework being shut down leaves once it has no containers; its streams go with it. */
  forgetIfDone(): void {
    if (this.terminating && this.executors.size === 0 && this.commandTasks.size === 0) this.host.forget(this);
  }

  /** The run an executor's calls go to (docs/protocol.md, "Executor calls"), unless it is gone. */
  liveExecutor(executorId: string): ExecutorRun | undefined {
    const run = this.executors.get(executorId);
    return run && run.state !== 'terminated' ? run : undefined;
  }

  /** The agent stops: SHUTDOWN and kill while it runs (`isGraceful`), else every container is destroyed. */
  stop(isGraceful: boolean): void {
    for (const run of this.executors.values()) {
      if (isGraceful) run.shutdown();
      else run.destroy();
    }
    for (const task of this.commandTasks.values()) {
      if (isGraceful) task.kill();
      else task.destroy();
    }
  }

  /**
   * The agent process dies. Command tasks are run by the agent itself here, so they die with
   * it; executors of a checkpointing framework live on for recover() (docs/protocol.md, "Agent restarts"), others are destroyed.
   */
  crash(): void {
    for (const task of this.commandTasks.values()) task.destroy();
    this.commandTasks.clear();
    const checkpoint = this.info.checkpoint === true;
    for (const run of this.executors.values()) {
      if (checkpoint) run.crash();
      else run.destroy();
    }
  }

  /** The agent restarted: each executor kept through the crash gets its re-registration timeout (docs/protocol.md, "Agent restarts"). */
  recover(): void {
    for (const run of this.executors.values()) run.recover();
  }

  /** Fault injection: signals the process group of an executor or command task. */
  signal(executorId: string, signal: NodeJS.Signals): void {
    this.executors.get(executorId)?.signal(signal);
    for (const task of this.commandTasks.values()) if (task.executorId === executorId) task.process?.kill(signal);
  }

  /** Its executors, then its command tasks, as LocalAgent.executors() lists them. */
  containers(): ExecutorSnapshot[] {
    const frameworkId = this.id;
    return [
      ...[...this.executors.values()].map((run) => ({ frameworkId, executorId: run.executorId, containerId: run.containerId, sandbox: run.sandbox, pid: run.process?.pid, state: run.state, ...(run.streamContentType === undefined ? {} : { contentType: run.streamContentType }) })),
      ...[...this.commandTasks.values()].map((task) => ({ frameworkId, executorId: task.executorId, containerId: task.containerId, sandbox: task.sandbox, pid: task.process?.pid, state: 'command' as const })),
    ];
  }

  /**
   * Adds this framework, its live executors and its tasks to the agent's (re-)registration
   * report (AgentLink.snapshot, docs/protocol.md, "Master detection"). `pendingHead` is a task's unacknowledged update head.
   */
  report(snapshot: AgentSnapshot, pendingHead: (taskId: string) => TaskStatus | undefined): void {
    const fid = { value: this.id };
    snapshot.frameworks.push(this.info);
    const addTask = (task: TaskInfo, latest: TaskStatus['state']): void => {
      const head = pendingHead(task.task_id.value);
      // A finished task whose updates were all acknowledged is history, not state.
      if (!head && isTerminalState(latest)) return;
      snapshot.tasks.push({
        frameworkId: fid,
        task: { ...task, agent_id: { value: this.ctx.agentId } },
        state: head?.state ?? latest,
        ...(head ? { pendingHead: head } : {}),
      });
    };
    for (const run of this.executors.values()) {
      if (run.state === 'terminated') continue;
      snapshot.executors.push({ frameworkId: fid, executor: { ...run.executorInfo, framework_id: fid } });
      for (const { info, state } of run.tasks()) addTask(info, state);
    }
    const groupExecutors = new Set<string>();
    for (const task of this.commandTasks.values()) {
      const executor = task.groupExecutor;
      // A task group's tasks are reported with their DEFAULT executor, as the master launched them.
      if (executor && !groupExecutors.has(executor.executor_id.value)) {
        groupExecutors.add(executor.executor_id.value);
        snapshot.executors.push({ frameworkId: fid, executor: { ...executor, framework_id: fid } });
      }
      addTask(executor ? { ...task.task, executor } : task.task, task.process ? 'TASK_RUNNING' : 'TASK_STAGING');
    }
  }

  /** The agent's own TASK_LOST (TASK_DROPPED if partition-aware) for a task it cannot run. */
  #loseTask(taskId: TaskID, executorId: string | undefined, message: string): void {
    this.ctx.enqueueUpdate(
      this.id,
      agentStatus({
        taskId,
        state: isPartitionAware(this.info) ? 'TASK_DROPPED' : 'TASK_LOST',
        reason: 'REASON_EXECUTOR_TERMINATED',
        message,
        agentId: this.ctx.agentId,
        ...(executorId !== undefined ? { executorId } : {}),
      }),
    );
  }
}
