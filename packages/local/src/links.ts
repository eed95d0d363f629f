/**
 * The in-process wiring between the local master and its agents. A real Mesos master and
 * agent talk libprocess messages; ours call these two interfaces. Everything visible to a
 * framework (HTTP, JSON, status codes, event order) is produced by the master and the agents
 * themselves; these links carry only what the Mesos internal protocol carries.
 *
 * The master owns: offers, resource accounting, task state as the scheduler sees it,
 * forwarding updates to schedulers and acknowledgements back.
 * The agent owns: sandboxes, executor processes, the executor API, the per-task
 * status-update streams (one in flight per task, retried until acknowledged).
 */
import type {
  AgentID,
  AgentInfo,
  Base64,
  ExecutorID,
  ExecutorInfo,
  FrameworkID,
  FrameworkInfo,
  KillPolicy,
  Resource,
  TaskID,
  TaskInfo,
  TaskState,
  TaskStatus,
} from '@mesosgot/common/internal';

/** What the master may ask of one agent (master → agent). */
export interface AgentLink {
  /** This agent's registration: id, hostname, port and total resources. */
  readonly info: AgentInfo & { id: AgentID };
  /**
   * Run tasks the master validated. Each TaskInfo has either `executor` (custom executor,
   * started on first use, shared by later tasks with the same executor id) or `command`
   * (a command task, run by the agent itself as Mesos' command executor would).
   * Never throws: failures come back as status updates through MasterLink.statusUpdate.
   */
  launchTasks(framework: FrameworkInfo & { id: FrameworkID }, tasks: TaskInfo[]): void;
  /**
   * Run a task group the master validated in one executor of type DEFAULT (LAUNCH_GROUP).
   * Optional: the master refuses task groups for links without it. Never throws.
   */
  launchTaskGroup?(framework: FrameworkInfo & { id: FrameworkID }, executor: ExecutorInfo, tasks: TaskInfo[]): void;
  /** Kill one task (KILL event to its executor, or TASK_KILLED if not yet delivered). */
  killTask(frameworkId: FrameworkID, taskId: TaskID, killPolicy?: KillPolicy): void;
  /** SHUTDOWN one executor; after its grace period the process is SIGKILLed. */
  shutdownExecutor(frameworkId: FrameworkID, executorId: ExecutorID): void;
  /** Framework torn down or failed over for good: shut down all its executors. */
  shutdownFramework(frameworkId: FrameworkID): void;
  /** Scheduler MESSAGE → executor MESSAGE event; dropped if that executor is not subscribed. */
  frameworkMessage(frameworkId: FrameworkID, executorId: ExecutorID, data: Base64): void;
  /** The scheduler acknowledged the head update of this task's stream: send the next one. */
  acknowledge(frameworkId: FrameworkID, taskId: TaskID, uuid: Base64): void;
  /** Resend the head-of-stream updates now (used when a framework re-subscribes). */
  resendPendingUpdates(frameworkId: FrameworkID): void;
  /**
   * What the agent runs, as a real agent reports it when it (re-)registers
   * (ReregisterSlaveMessage: frameworks, executor_infos, tasks): a master that never saw
   * these launches (a new leader after failover, or the same master after the agent came back)
   * rebuilds its task registry and resource accounting from it. Optional: links without it
   * register with nothing in use.
   */
  snapshot?(): AgentSnapshot;
  /**
   * DESTROY applied: the agent deletes these persistent volumes' directories (what tasks wrote
   * there is gone, as on a real agent). Optional: links without volumes on disk ignore it.
   */
  destroyVolumes?(volumes: Resource[]): void;
}

/** An agent's running work, reported on (re-)registration. */
export interface AgentSnapshot {
  /** Every framework with executors, command tasks or unacknowledged updates on the agent. */
  frameworks: (FrameworkInfo & {
    /** The framework's id (always set here). */
    id: FrameworkID;
  })[];
  /** Custom executors that are not gone yet (their resources are in use). */
  executors: {
    /** The framework the executor belongs to. */
    frameworkId: FrameworkID;
    /** The ExecutorInfo it was launched with. */
    executor: ExecutorInfo;
  }[];
  /** Tasks the agent still knows, live or with updates not yet acknowledged. */
  tasks: AgentTaskSnapshot[];
}

/** One task in an AgentSnapshot. */
export interface AgentTaskSnapshot {
  /** The framework the task belongs to. */
  frameworkId: FrameworkID;
  /** The TaskInfo as launched (agent_id set), or for a command task as given. */
  task: TaskInfo;
  /**
   * The state the master should hold: that of the head of the task's unacknowledged update
   * stream when there is one (the master has not seen later ones yet), else the latest known.
   */
  state: TaskState;
  /** That unacknowledged head, if any: the agent re-sends it; its uuid is what the scheduler acks. */
  pendingHead?: TaskStatus;
}

/** How an agent went away (MasterLink.agentLost). */
export type AgentLossKind = 'stopped' | 'crashed';

/** What an agent reports to the master (agent → master). */
export interface MasterLink {
  /** An agent came up (or came back after a restart with the same id). */
  agentRegistered(agent: AgentLink): void;
  /**
   * The agent process is gone. `stopped` (the default): an orderly stop, the master removes it
   * at once (docs/protocol.md, "Agent removal"). `crashed`: its connection broke; as a real master (Master::exited) it marks
   * the agent disconnected, loses the tasks of frameworks without checkpointing at once and
   * waits for the agent to come back before removing it with the rest.
   */
  agentLost(agentId: AgentID, how?: AgentLossKind): void;
  /**
   * The head of a task's update stream, already filled by the agent (agent_id, timestamp,
   * source, uuid). Re-sent on the agent's retry schedule until acknowledged; the master
   * de-duplicates by uuid and forwards to the framework if it is connected.
   */
  statusUpdate(agentId: AgentID, frameworkId: FrameworkID, status: TaskStatus): void;
  /** Executor MESSAGE → scheduler MESSAGE event (best effort). */
  executorMessage(agentId: AgentID, frameworkId: FrameworkID, executorId: ExecutorID, data: Base64): void;
  /**
   * A custom executor's process ended. `waitStatus` is the raw POSIX wait status
   * (exit code << 8, or the signal number), -1 if unknown. The master frees the executor's
   * resources and sends FAILURE {agent_id, executor_id, status} to a connected framework.
   */
  executorExited(agentId: AgentID, frameworkId: FrameworkID, executorId: ExecutorID, waitStatus: number): void;
}

/** Resources an executor holds on an agent, charged once when it is first launched there. */
export interface ExecutorCharge {
  executorId: ExecutorID;
  resources: Resource[];
}
