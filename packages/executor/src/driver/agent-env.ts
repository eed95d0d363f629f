/**
 * The configuration a Mesos agent hands its executor through the environment
 * (docs/protocol.md, "Executor environment"). Read once, synchronously, before any I/O.
 */
import { DEFAULT_CONTENT_TYPE, EXECUTOR_API_PATH, InvalidArgumentError, type ContentType } from '@mesosgot/common/internal';

/** The executor environment variable naming the encoding the executor speaks with its agent. */
export const CONTENT_TYPE_VARIABLE = 'MESOSGOT_CONTENT_TYPE';
import { parseStoutDuration as parseDuration } from '@mesosgot/common/internal';

/**
 * Agent `--recovery_timeout` default: a real agent sets MESOS_RECOVERY_TIMEOUT only when the
 * framework checkpoints (recorded in session-executor.jsonl), so we default it as Mesos does.
 */
export const DEFAULT_RECOVERY_TIMEOUT = '15mins';
/** Agent `--executor_reregistration_timeout` default, for MESOS_SUBSCRIPTION_BACKOFF_MAX. */
export const DEFAULT_SUBSCRIPTION_BACKOFF_MAX = '2secs';
/** Agent `--executor_shutdown_grace_period` default. */
export const DEFAULT_EXECUTOR_SHUTDOWN_GRACE_PERIOD = '5secs';

/** What the executor driver needs from its environment, in our camelCase. */
export interface AgentEnv {
  /** `http://<MESOS_AGENT_ENDPOINT>/api/v1/executor`. */
  agentUrl: string;
  frameworkId: string;
  executorId: string;
  /** MESOS_SLAVE_ID, when the agent set it (a real one always does). */
  agentId?: string;
  /** Sandbox path on the host (MESOS_DIRECTORY). */
  directory: string;
  /** Sandbox path as the executor sees it (MESOS_SANDBOX; MESOS_DIRECTORY when unset). */
  sandbox: string;
  /** MESOS_CHECKPOINT is "1": survive agent restarts by re-subscribing (docs/protocol.md, "Agent restarts"). */
  isCheckpointing: boolean;
  /** How long to keep trying to re-subscribe after the agent went away, in ms. */
  recoveryTimeoutMs: number;
  /** Upper bound of the random wait between re-subscribe attempts, in ms. */
  subscriptionBackoffMaxMs: number;
  /** Time the agent gives us between SHUTDOWN and SIGKILL, in ms. */
  shutdownGracePeriodMs: number;
  /** `Authorization` header value (`Bearer <token>`) when the agent authenticates executors. */
  authorization?: string;
  /**
   * Encoding of calls and events with the agent (docs/protobuf.md): MESOSGOT_CONTENT_TYPE,
   * `json` or `protobuf`, which the mesosgot scheduler sets to its own --content-type.
   */
  contentType: ContentType;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads the agent-set MESOS_* variables. Throws InvalidArgumentError naming the variable when
 * a required one (MESOS_AGENT_ENDPOINT, MESOS_FRAMEWORK_ID, MESOS_EXECUTOR_ID, MESOS_DIRECTORY)
 * is missing or empty, or when a flag or duration is malformed.
 */
export function loadAgentEnv(env: Env = process.env): AgentEnv {
  // Checked in this order, so the first missing variable is the one named.
  const url = agentUrl(required(env, 'MESOS_AGENT_ENDPOINT'));
  const frameworkId = required(env, 'MESOS_FRAMEWORK_ID');
  const executorId = required(env, 'MESOS_EXECUTOR_ID');
  const directory = required(env, 'MESOS_DIRECTORY');
  const token = env.MESOS_EXECUTOR_AUTHENTICATION_TOKEN;
  const agentId = env.MESOS_SLAVE_ID;
  return {
    agentUrl: url,
    frameworkId,
    executorId,
    ...(agentId ? { agentId } : {}),
    directory,
    sandbox: env.MESOS_SANDBOX || directory,
    isCheckpointing: flag(env, 'MESOS_CHECKPOINT'),
    recoveryTimeoutMs: duration(env, 'MESOS_RECOVERY_TIMEOUT', DEFAULT_RECOVERY_TIMEOUT),
    subscriptionBackoffMaxMs: duration(env, 'MESOS_SUBSCRIPTION_BACKOFF_MAX', DEFAULT_SUBSCRIPTION_BACKOFF_MAX),
    shutdownGracePeriodMs: duration(env, 'MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD', DEFAULT_EXECUTOR_SHUTDOWN_GRACE_PERIOD),
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    contentType: contentType(env),
  };
}

function contentType(env: Env): ContentType {
  const value = env[CONTENT_TYPE_VARIABLE];
  if (value === undefined || value === '') return DEFAULT_CONTENT_TYPE;
  if (value === 'json' || value === 'protobuf') return value;
  throw new InvalidArgumentError(CONTENT_TYPE_VARIABLE, value, 'must be json or protobuf');
}

function required(env: Env, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') {
    throw new InvalidArgumentError(name, value, 'must be set in the environment (a Mesos agent sets it when it launches the executor)');
  }
  return value;
}

/** Mesos writes "1"/"0" (docs/protocol.md, "Executor environment"); "true"/"false" are accepted for hand-written environments. */
function flag(env: Env, name: string): boolean {
  const value = env[name];
  switch (value) {
    case undefined:
    case '':
    case '0':
    case 'false':
      return false;
    case '1':
    case 'true':
      return true;
    default:
      throw new InvalidArgumentError(name, value, 'expected "1" or "0"');
  }
}

function duration(env: Env, name: string, fallback: string): number {
  const value = env[name];
  return parseDuration(value === undefined || value === '' ? fallback : value, name);
}

/**
 * MESOS_AGENT_ENDPOINT is `ip:port` (docs/protocol.md, "Executor environment"). A full `http(s)://host:port` base is accepted too,
 * for executors pointed at an agent by hand.
 */
function agentUrl(endpoint: string): string {
  const base = /^https?:\/\//.test(endpoint) ? endpoint : `http://${endpoint}`;
  let url: URL;
  try {
    url = new URL(base);
  } catch (cause) {
    throw new InvalidArgumentError('MESOS_AGENT_ENDPOINT', endpoint, `expected ip:port (${String(cause)})`);
  }
  if (!url.port || (url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    throw new InvalidArgumentError('MESOS_AGENT_ENDPOINT', endpoint, 'expected ip:port, e.g. "127.0.0.1:5051"');
  }
  return `${url.protocol}//${url.host}${EXECUTOR_API_PATH}`;
}
