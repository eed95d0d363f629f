/**
 * The environment a real agent gives an executor (docs/protocol.md, "Executor environment"; the names and
 * values recorded from Mesos 1.12 in test/fixtures/real-mesos/session-executor.jsonl).
 * Built explicitly, as the Mesos containerizer does (docs/protocol.md, "Executor environment"): the executor does NOT
 * inherit the agent's environment.
 */
import type { CommandInfo } from '@mesosgot/common/internal';

export interface ExecutorEnvOptions {
  frameworkId: string;
  executorId: string;
  agentId: string;
  /** `127.0.0.1:PORT` of the agent's executor API. */
  agentEndpoint: string;
  sandbox: string;
  checkpoint: boolean;
  /** Stout duration text, e.g. `5secs` (ExecutorInfo.shutdown_grace_period or the agent default). */
  shutdownGracePeriod: string;
  /** Agent `--recovery_timeout`, e.g. `15mins`; exported only when checkpointing. */
  recoveryTimeout: string;
  /** Agent `--executor_reregistration_timeout`, e.g. `2secs`; exported only when checkpointing. */
  subscriptionBackoffMax: string;
  /** The command's own variables, highest priority (docs/protocol.md, "Executor environment"). */
  command?: CommandInfo;
  /** With executor authentication, the executor's token (MESOS_EXECUTOR_AUTHENTICATION_TOKEN). */
  authenticationToken?: string;
}

/** Builds the complete environment of an executor process; does no I/O. */
export function executorEnvironment(options: ExecutorEnvOptions): Record<string, string> {
  const env: Record<string, string> = {
    // Deviation from Mesos: a real containerizer defaults PATH to
    // /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin (docs/protocol.md, "Executor environment"). The local agent passes
    // its own PATH instead, so `node` (often installed elsewhere, e.g. by nvm) is found by
    // executors started as `node executor.js`. CommandInfo.environment can still override it.
    PATH: process.env['PATH'] ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    // Mesos sets this so a libprocess-based executor binds a free port, not the agent's.
    LIBPROCESS_PORT: '0',
    MESOS_FRAMEWORK_ID: options.frameworkId,
    MESOS_EXECUTOR_ID: options.executorId,
    MESOS_AGENT_ENDPOINT: options.agentEndpoint,
    // The C++ executor library derives the API URL from this and exits without it; there is
    // no MESOS_AGENT_PID (docs/protocol.md, "Executor environment").
    MESOS_SLAVE_PID: `slave(1)@${options.agentEndpoint}`,
    MESOS_SLAVE_ID: options.agentId,
    MESOS_DIRECTORY: options.sandbox,
    // No container image: the sandbox is seen at the same path inside the "container".
    MESOS_SANDBOX: options.sandbox,
    MESOS_CHECKPOINT: options.checkpoint ? '1' : '0',
    // The local agent's command tasks are run by the agent itself, as with
    // --http_command_executor=false on the recorded agent.
    MESOS_HTTP_COMMAND_EXECUTOR: '0',
    MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD: options.shutdownGracePeriod,
  };
  if (options.authenticationToken !== undefined) env['MESOS_EXECUTOR_AUTHENTICATION_TOKEN'] = options.authenticationToken;
  const libprocessIp = process.env['LIBPROCESS_IP'];
  if (libprocessIp) env['LIBPROCESS_IP'] = libprocessIp;
  if (options.checkpoint) {
    env['MESOS_RECOVERY_TIMEOUT'] = options.recoveryTimeout;
    env['MESOS_SUBSCRIPTION_BACKOFF_MAX'] = options.subscriptionBackoffMax;
  }
  for (const variable of options.command?.environment?.variables ?? []) {
    // SECRET variables need a secret resolver, which the local agent does not have: they are
    // left out rather than set to a wrong value.
    if (variable.type === 'SECRET') continue;
    env[variable.name] = variable.value ?? '';
  }
  return env;
}
