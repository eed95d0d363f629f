/**
 * What an executor run or a command task needs from its agent: identity, timeouts, the
 * status-update manager and the master link. LocalAgent implements it; the pieces it hands
 * it to never see each other.
 */
import type { AgentInfo, Base64, FrameworkInfo, FrameworkID, TaskStatus } from '@mesosgot/common/internal';
import type { FetchLimits } from './fetcher.js';

export interface AgentTimeouts {
  /** --executor_registration_timeout (Mesos default 1 min). */
  registrationTimeoutMs: number;
  /** --executor_shutdown_grace_period (Mesos default 5 s). */
  shutdownGracePeriodMs: number;
  /** --executor_reregistration_timeout (Mesos default 2 s). */
  reregistrationTimeoutMs: number;
  /** --recovery_timeout as stout text (default `15mins`). */
  recoveryTimeout: string;
}

/** How the agent took an update: queued (or de-duplicated) means the executor gets ACKNOWLEDGED. */
export type UpdateAcceptance = 'accepted' | 'dropped';

export interface AgentContext {
  readonly agentId: string;
  readonly workDir: string;
  readonly timeouts: AgentTimeouts;
  /** Size and time limits of every fetch (fetcher.ts defaults when unset). */
  readonly fetchLimits: FetchLimits;
  /** `127.0.0.1:PORT` (MESOS_AGENT_ENDPOINT). */
  readonly endpoint: string;
  /** True between crash() and restart(): nothing may reach the master. */
  readonly isCrashed: boolean;
  agentInfo(): AgentInfo;
  /** Hands a reliable update (already stamped) to the status-update manager (docs/protocol.md, "Status update pipeline"). */
  enqueueUpdate(frameworkId: string, status: TaskStatus): UpdateAcceptance;
  /** Executor MESSAGE → master → scheduler (docs/protocol.md, "Framework messages"). */
  executorMessage(frameworkId: string, executorId: string, data: Base64): void;
  /**
   * A custom executor's container is gone; its tasks' updates were already enqueued. `failure`
   * says why it failed and where its sandbox is (kept at stop), undefined when it did not fail.
   */
  executorExited(frameworkId: string, executorId: string, waitStatus: number, failure?: { why: string; sandbox: string }): void;
  /** A new token for this executor when the agent authenticates executors; undefined otherwise. */
  executorToken(frameworkId: string, executorId: string): string | undefined;
  /** The framework as the master last described it. */
  framework(frameworkId: string): (FrameworkInfo & { id: FrameworkID }) | undefined;
}
