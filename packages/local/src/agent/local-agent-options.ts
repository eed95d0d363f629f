/**
 * Construction options of LocalAgent and what it reports about its executors.
 */
import type { ContentType, Resource } from '@mesosgot/common/internal';
import type { MasterLink } from '../links.js';
import type { ExecutorRunState } from './executor-run.js';
import type { FetchLimits } from './fetcher.js';
import type { HttpAuthSettings } from '../http/http-auth.js';
import type { HttpLimits } from '../http/http-limits.js';

export interface LocalAgentOptions {
  master: MasterLink;
  agentId: string;
  /** AgentInfo.hostname; the agent always listens on 127.0.0.1. */
  hostname?: string;
  /** 0 = an ephemeral port, kept across crash()/restart(). */
  port?: number;
  resources: Resource[];
  /** Root of the sandboxes (`--work_dir`). */
  workDir: string;
  executorRegistrationTimeoutMs?: number;
  executorShutdownGracePeriodMs?: number;
  executorReregistrationTimeoutMs?: number;
  /** Stout duration text exported as MESOS_RECOVERY_TIMEOUT (`15mins`). */
  recoveryTimeout?: string;
  /** First status-update retry (Mesos: 10 s, doubling to 10 min); shorter in tests. */
  statusUpdateRetryMs?: number;
  /** Size cap and deadline of each fetched URI (defaults: 1 GiB, 5 minutes). */
  fetchLimits?: FetchLimits;
  /** Connection, body and timeout limits of the agent's HTTP server (DEFAULT_HTTP_LIMITS otherwise). */
  httpLimits?: Partial<HttpLimits>;
  /** Who may call which endpoint (http/http-auth.ts): credentials, read-only/read-write Basic, executor tokens. */
  auth?: HttpAuthSettings;
}

/** What `executors()` tells about one executor container (custom executor or command task). */
export interface ExecutorSnapshot {
  frameworkId: string;
  executorId: string;
  containerId: string;
  sandbox: string;
  pid: number | undefined;
  state: ExecutorRunState | 'command';
  /** Encoding of the executor's current subscription stream (docs/protobuf.md), once subscribed. */
  contentType?: ContentType;
}

export type { ExecutorRunState } from './executor-run.js';

/** An executor that failed: it exited non-zero or by a signal unasked, or one of its tasks failed. */
export interface FailedExecutor {
  /** The framework the executor ran for. */
  frameworkId: string;
  /** The executor's id within that framework. */
  executorId: string;
  /** e.g. `exited with status 1`, `killed by SIGSEGV`, `task t-1 failed`. */
  why: string;
  /** Its sandbox directory on this agent. */
  sandbox: string;
}
