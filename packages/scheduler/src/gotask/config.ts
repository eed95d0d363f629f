/**
 * mesosgot's scheduler settings as flags and environment variables (docs/design.md, "Config").
 * One table (SCHEDULER_FLAGS) drives parsing and `--help`. Precedence, highest first: the flag,
 * then its environment variables in the order listed, then the default.
 *
 * Application flags: an app either splits its own flags off argv before calling (the examples
 * do), or passes `extraFlags` rows, which are parsed by the same rules, listed in `--help` under
 * "Application flags", and returned in `config.appFlags`. Anything after `--` is returned
 * untouched in `config.appArgs`. Any other unknown flag is an InvalidArgumentError.
 */
import { userInfo } from 'node:os';
import {
  DEFAULT_CONTENT_TYPE,
  DEFAULT_MAX_MESSAGE_BYTES,
  InvalidArgumentError,
  LOG_LEVELS,
  nodeProcessHost,
  parseResourceFlags,
  type ContentType,
  type LogLevel,
} from '@mesosgot/common/internal';
import { advertisedAddressProblem } from './advertised-address.js';
import { formatFlagTable, parseFlags, type FlagSpec, type FlagValue } from './config-flags.js';

export type { FlagSpec, FlagValue } from './config-flags.js';

/** `direct`: executors connect to the scheduler's data port, the Mesos relay is the fallback; `relay`: framework messages only. */
export type DataPlaneMode = 'direct' | 'relay';

/** What a failed or lost task does: `stop` the whole framework (mesosgot's rule), or `restart` the task. */
export type TaskFailurePolicy = 'stop' | 'restart';

/** Agents of the embedded cluster when `--local-agents` is not given. */
export const DEFAULT_LOCAL_AGENTS = 2;
/** Each embedded agent's resources (Mesos agent `--resources` syntax). */
export const DEFAULT_LOCAL_AGENT_RESOURCES = 'cpus:4;mem:4096;disk:4096;ports:[31000-31099]';
/** Seconds to hold offers that cannot yet fit every task before declining them. */
export const DEFAULT_HOLD_TIMEOUT_SECONDS = 30;
export const DEFAULT_MAX_RESTARTS = 3;
/** Seconds run() waits for a subscription (first, or after losing one) before it gives up. */
export const DEFAULT_CONNECT_TIMEOUT_SECONDS = 60;
/** Seconds run() lets undelivered scheduler→task messages drain before tearing down. */
export const DEFAULT_DRAIN_TIMEOUT_SECONDS = 5;

/**
 * Every scheduler setting, as loadSchedulerConfig and parseSchedulerConfig return them. Each field
 * has a flag and environment variables; `--help` lists them with their defaults.
 */
export interface SchedulerConfig {
  /** `local` (embedded cluster), `http(s)://host:port`, `host:port` or `zk://host:port/path`. */
  master: string;
  /** Executor script served by the artifact server and fetched by agents (one-file bundle). */
  executor?: string;
  /** Alternative: the command line agents run (they already have the code). */
  executorCommand?: string;
  /** Artifact server bind (and advertised) address. */
  address: string;
  /** Artifact server port; 0 = ephemeral. */
  artifactPort: number;
  /** Framework principal for HTTP Basic authentication (`--principal`). */
  principal?: string;
  /** File holding the secret for `principal` (read at start, never logged). */
  secretFile?: string;
  /** `refuse_seconds` of the filters used when declining offers; default 5. */
  refuseSeconds: number;
  /** Framework name. */
  name: string;
  /** Role to subscribe with; default `*`. */
  role: string;
  /** Unix user that runs executors and tasks; default the current user. */
  user: string;
  /** Seconds the master keeps tasks after the scheduler disconnects (docs/protocol.md, "Failover timeout"). */
  failoverTimeout: number;
  /**
   * Take over this existing framework (failover, docs/protocol.md, "Subscribing"): subscribe with its id, reconcile, and
   * adopt the declared tasks that still run instead of launching them (task-adoption.ts).
   */
  frameworkId?: string;
  /** Agents checkpoint the framework's tasks, so executors survive agent restarts. */
  checkpoint: boolean;
  /** PEM CA file for https masters, and the CA executors trust for a TLS data plane. */
  tlsCa?: string;
  /** PEM certificate for the data plane (with `tlsKey`: executors connect with TLS). */
  tlsCert?: string;
  /** PEM private key of `tlsCert`. */
  tlsKey?: string;
  /** How tasks' messages travel: `direct` (own TCP connections, the relay as fallback) or `relay` (framework messages only). */
  dataPlane: DataPlaneMode;
  /** Data-plane port on `address`; 0 = any free port (logged at start). */
  dataPort: number;
  /** `--data-advertise`: `host[:port]` executors dial instead of the bound data-plane address. */
  dataAdvertise?: string;
  /** Encoding the scheduler and its executors speak with Mesos (docs/protobuf.md). */
  contentType: ContentType;
  /** Agents of the embedded cluster (`--master local`); default DEFAULT_LOCAL_AGENTS. */
  localAgents: number;
  /** Each embedded agent's resources, in Mesos agent `--resources` syntax. */
  localAgentResources: string;
  /** Seconds to hold offers that cannot fit every task yet before declining them all. */
  holdTimeout: number;
  /** What a failed task does to the framework; default `stop`. */
  taskFailurePolicy: TaskFailurePolicy;
  /** Relaunches per task under the `restart` policy; default DEFAULT_MAX_RESTARTS. */
  maxRestarts: number;
  /** Seconds without a subscription after which run() rejects (0 = retry for ever). */
  connectTimeout: number;
  /** Seconds to let undelivered scheduler→task messages drain when the scheduler function returned. */
  drainTimeout: number;
  /** Largest TaskMsg (encoded bytes) either side may send. */
  maxMessageSize: number;
  /** Threshold of the default logger. */
  logLevel: LogLevel;
  /** `--master local`: print executors' output lines here, prefixed (task-log-follower.ts), or not. */
  taskLogs: 'prefixed' | 'off';
  /** A real cluster: follow executors' output through the agents' files API. */
  followLogs: boolean;
  /** Serve the live status page (status-server.ts) while running. */
  status: boolean;
  /** Its port on `address`; 0 = ephemeral. */
  statusPort: number;
  /** `--help` was given: print formatHelp() and exit 0 instead of running. */
  help: boolean;
  /** Values of the caller's `extraFlags`, by flag name. */
  appFlags: Record<string, FlagValue>;
  /** Arguments after `--`. */
  appArgs: string[];
}

const MASTER_PATTERN = /^(local|https?:\/\/[^\s/]+(\/\S*)?|zk:\/\/\S+|[^\s:/]+:\d{1,5}(,[^\s:/]+:\d{1,5})*)$/;

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    // No passwd entry (some containers): Mesos' own default is root-less, fall back to $USER.
    return process.env.USER ?? 'root';
  }
}

/** The settings table: flag, environment variables, default, help. */
export const SCHEDULER_FLAGS: readonly FlagSpec[] = [
  {
    name: 'master', env: ['MESOSGOT_MASTER', 'MESOS_MASTER'], kind: 'string', defaultValue: 'local', metavar: 'url',
    help: 'Mesos master: local (embedded cluster), http://host:5050, host:5050 or zk://host:2181/mesos',
    check: (v) => (MASTER_PATTERN.test(String(v)) ? undefined : 'expected local, http(s)://host:port, host:port or zk://hosts/path'),
  },
  { name: 'executor', env: ['MESOSGOT_EXECUTOR'], kind: 'string', metavar: 'path', help: 'executor script (one-file bundle) the artifact server serves to agents' },
  { name: 'executor-command', env: ['MESOSGOT_EXECUTOR_COMMAND'], kind: 'string', metavar: 'cmd', help: 'command line that starts the executor on agents that already have the code' },
  { name: 'address', env: ['MESOSGOT_ADDRESS'], kind: 'string', defaultValue: '127.0.0.1', metavar: 'ip', help: 'address of the artifact server, the data plane and the status page (bound, and given to agents and executors)' },
  { name: 'artifact-port', env: ['MESOSGOT_ARTIFACT_PORT'], kind: 'int', min: 0, max: 65535, defaultValue: 0, metavar: 'port', help: 'artifact server port (0 = any free port)' },
  { name: 'principal', env: ['MESOSGOT_PRINCIPAL', 'MESOS_PRINCIPAL'], kind: 'string', metavar: 'name', help: 'framework principal for authentication' },
  { name: 'secret-file', env: ['MESOSGOT_SECRET_FILE'], kind: 'string', metavar: 'path', help: "file holding the principal's secret" },
  { name: 'refuse-seconds', env: ['MESOSGOT_REFUSE_SECONDS'], kind: 'number', min: 0, defaultValue: 5, metavar: 's', help: 'refuse_seconds filter when declining offers' },
  { name: 'name', env: ['MESOSGOT_NAME'], kind: 'string', defaultValue: 'mesosgot', metavar: 'text', help: 'framework name' },
  { name: 'role', env: ['MESOSGOT_ROLE'], kind: 'string', defaultValue: '*', metavar: 'role', help: 'role to subscribe with' },
  { name: 'user', env: ['MESOSGOT_USER'], kind: 'string', defaultText: 'the current user', metavar: 'user', help: 'Unix user that runs executors and tasks' },
  { name: 'failover-timeout', env: ['MESOSGOT_FAILOVER_TIMEOUT'], kind: 'number', min: 0, defaultValue: 0, metavar: 's', help: 'seconds the master keeps tasks while the scheduler is away' },
  {
    name: 'framework-id', env: ['MESOSGOT_FRAMEWORK_ID'], kind: 'string', metavar: 'id',
    help: 'fail over to this framework (its scheduler went away within --failover-timeout): adopt its running tasks',
  },
  { name: 'checkpoint', env: ['MESOSGOT_CHECKPOINT'], kind: 'bool', defaultValue: false, help: 'agents checkpoint tasks (survive agent restarts)' },
  {
    name: 'content-type', env: ['MESOSGOT_CONTENT_TYPE'], kind: 'choice', choices: ['json', 'protobuf'], defaultValue: DEFAULT_CONTENT_TYPE,
    help: 'encoding of calls and events with Mesos, for the scheduler and its executors (protobuf = application/x-protobuf)',
  },
  {
    name: 'tls-ca', env: ['MESOSGOT_TLS_CA'], kind: 'string', metavar: 'path',
    help: 'PEM CA certificate file for https masters; with --tls-cert, also the CA executors trust for the data plane (sent to them with the offer)',
  },
  {
    name: 'data-plane', env: ['MESOSGOT_DATA_PLANE'], kind: 'choice', choices: ['direct', 'relay'], defaultValue: 'direct',
    help: "how tasks' messages travel: direct = each executor connects to --address:--data-port (agents' hosts must reach it; the Mesos relay is the fallback), relay = through the master only",
  },
  { name: 'data-port', env: ['MESOSGOT_DATA_PORT'], kind: 'int', min: 0, max: 65535, defaultValue: 0, metavar: 'port', help: 'data-plane port on --address (0 = any free port, logged at start)' },
  {
    name: 'data-advertise', env: ['MESOSGOT_DATA_ADVERTISE'], kind: 'string', metavar: 'host[:port]',
    help: 'address executors dial for the data plane when the bound --address:--data-port is not reachable as is (NAT, 0.0.0.0); port defaults to the bound one',
    check: (v) => advertisedAddressProblem(String(v)),
  },
  { name: 'tls-cert', env: ['MESOSGOT_TLS_CERT'], kind: 'string', metavar: 'path', help: 'PEM certificate file: the data plane speaks TLS (needs --tls-key)' },
  { name: 'tls-key', env: ['MESOSGOT_TLS_KEY'], kind: 'string', metavar: 'path', help: 'PEM private key file of --tls-cert' },
  { name: 'local-agents', env: ['MESOSGOT_LOCAL_AGENTS'], kind: 'int', min: 1, max: 256, defaultValue: DEFAULT_LOCAL_AGENTS, help: 'agents of the embedded cluster (--master local)' },
  {
    name: 'local-agent-resources', env: ['MESOSGOT_LOCAL_AGENT_RESOURCES'], kind: 'string', defaultValue: DEFAULT_LOCAL_AGENT_RESOURCES, metavar: 'resources',
    help: 'resources of each embedded agent, Mesos --resources syntax',
    check: (v) => {
      try {
        parseResourceFlags(String(v));
        return undefined;
      } catch (err) {
        return (err as Error).message;
      }
    },
  },
  { name: 'hold-timeout', env: ['MESOSGOT_HOLD_TIMEOUT'], kind: 'number', min: 0, defaultValue: DEFAULT_HOLD_TIMEOUT_SECONDS, metavar: 's', help: 'seconds to hold offers that cannot fit every task yet before declining them' },
  { name: 'task-failure-policy', env: ['MESOSGOT_TASK_FAILURE_POLICY'], kind: 'choice', choices: ['stop', 'restart'], defaultValue: 'stop', help: 'when a task fails: stop the framework, or relaunch the task' },
  { name: 'max-restarts', env: ['MESOSGOT_MAX_RESTARTS'], kind: 'int', min: 0, defaultValue: DEFAULT_MAX_RESTARTS, help: 'relaunches per task under the restart policy' },
  {
    name: 'connect-timeout', env: ['MESOSGOT_CONNECT_TIMEOUT'], kind: 'number', min: 0, defaultValue: DEFAULT_CONNECT_TIMEOUT_SECONDS, metavar: 's',
    help: 'give up (run() fails) after this long without a subscription to the master; 0 = retry for ever',
  },
  { name: 'drain-timeout', env: ['MESOSGOT_DRAIN_TIMEOUT'], kind: 'number', min: 0, defaultValue: DEFAULT_DRAIN_TIMEOUT_SECONDS, metavar: 's', help: 'when the scheduler function returns, how long its undelivered messages may drain' },
  {
    name: 'max-message-size', env: ['MESOSGOT_MAX_MESSAGE_SIZE'], kind: 'int', min: 1024, max: 256 * 1024 * 1024, defaultValue: DEFAULT_MAX_MESSAGE_BYTES, metavar: 'bytes',
    help: 'largest message (encoded TaskMsg) a task or the scheduler function may send; larger sends fail',
  },
  { name: 'log-level', env: ['MESOSGOT_LOG_LEVEL'], kind: 'choice', choices: LOG_LEVELS, defaultValue: 'info', help: 'lines on stderr: debug, info, warn, error or silent' },
  {
    name: 'task-logs', env: ['MESOSGOT_TASK_LOGS'], kind: 'choice', choices: ['prefixed', 'off'], defaultValue: 'prefixed',
    help: "with --master local: print every executor's stdout/stderr lines here, prefixed with its tasks (off: leave them in the sandboxes)",
  },
  { name: 'follow-logs', env: ['MESOSGOT_FOLLOW_LOGS'], kind: 'bool', defaultValue: false, help: "on a real cluster: tail the executors' stdout/stderr through the agents' /files/read and print them here, prefixed" },
  { name: 'status', env: ['MESOSGOT_STATUS'], kind: 'bool', defaultValue: true, help: 'serve the live status page (its URL is printed at start); --no-status turns it off' },
  { name: 'status-port', env: ['MESOSGOT_STATUS_PORT'], kind: 'int', min: 0, max: 65535, defaultValue: 0, metavar: 'port', help: 'status page port on --address (0 = any free port)' },
  { name: 'help', kind: 'bool', defaultValue: false, help: 'print this help and exit' },
];

/** Options of loadSchedulerConfig and parseSchedulerConfig. */
export interface LoadSchedulerConfigOptions {
  /** The application's own flags, parsed by the same rules into `config.appFlags`. */
  extraFlags?: readonly FlagSpec[];
  /** First line of `--help` and of the usage shown after a flag error. */
  usage?: string;
}

/** Exit code of a command-line usage error (as Go's flag package and most Unix tools). */
export const USAGE_ERROR_EXIT_CODE = 2;

/**
 * The command-line entry point, like Go's `flag.Parse` in mesosgot: reads the settings from
 * `argv` (the program's arguments after the script) and `env`. With `--help` it prints the generated help to
 * stdout and exits 0; with a bad flag or value it prints a one-line error and the help to stderr
 * and exits 2. Use parseSchedulerConfig to get an InvalidArgumentError instead of an exit.
 */
export function loadSchedulerConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
  options: LoadSchedulerConfigOptions = {},
): SchedulerConfig {
  const help = (): string => formatHelp({ ...(options.usage ? { usage: options.usage } : {}), ...(options.extraFlags ? { extraFlags: options.extraFlags } : {}) });
  // Output and exit go through the entry helpers' process seam, the one place that touches them.
  const host = nodeProcessHost();
  let config: SchedulerConfig;
  try {
    config = parseSchedulerConfig(argv, env, options);
  } catch (error) {
    if (!(error instanceof InvalidArgumentError)) throw error;
    host.writeErr(`error: ${error.message}\n\n${help()}`);
    host.exit(USAGE_ERROR_EXIT_CODE);
    throw error; // not reached: exit() ends the process
  }
  if (config.help) {
    host.writeOut(help());
    host.exit(0);
  }
  return config;
}

/**
 * Reads the settings from `argv` (the program's arguments, without node and script) and `env`.
 * Throws InvalidArgumentError naming the flag or environment variable for an unknown flag, a
 * bad value, or both --executor and --executor-command. Does no I/O (files are read at start).
 */
export function parseSchedulerConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
  options: LoadSchedulerConfigOptions = {},
): SchedulerConfig {
  const extra = options.extraFlags ?? [];
  for (const spec of extra) {
    if (SCHEDULER_FLAGS.some((s) => s.name === spec.name)) {
      throw new InvalidArgumentError('extraFlags', spec.name, 'clashes with a scheduler flag');
    }
  }
  const { values, sources, rest } = parseFlags(argv, env, [...SCHEDULER_FLAGS, ...extra]);
  const str = (name: string): string | undefined => values.get(name) as string | undefined;
  const num = (name: string): number => values.get(name) as number;
  if (str('executor') !== undefined && str('executor-command') !== undefined) {
    const where = sources.get('executor') === 'flag' ? '--executor-command' : 'MESOSGOT_EXECUTOR_COMMAND';
    throw new InvalidArgumentError(where, str('executor-command'), 'give either --executor or --executor-command, not both');
  }
  if ((str('tls-cert') === undefined) !== (str('tls-key') === undefined)) {
    const missing = str('tls-cert') === undefined ? 'tls-cert' : 'tls-key';
    throw new InvalidArgumentError(`--${missing}`, undefined, 'the data plane needs both --tls-cert and --tls-key');
  }
  const config: SchedulerConfig = {
    master: str('master')!,
    address: str('address')!,
    artifactPort: num('artifact-port'),
    refuseSeconds: num('refuse-seconds'),
    name: str('name')!,
    role: str('role')!,
    user: str('user') ?? currentUser(),
    failoverTimeout: num('failover-timeout'),
    checkpoint: values.get('checkpoint') as boolean,
    contentType: str('content-type') as ContentType,
    dataPlane: str('data-plane') as DataPlaneMode,
    dataPort: num('data-port'),
    localAgents: num('local-agents'),
    localAgentResources: str('local-agent-resources')!,
    holdTimeout: num('hold-timeout'),
    taskFailurePolicy: str('task-failure-policy') as TaskFailurePolicy,
    maxRestarts: num('max-restarts'),
    connectTimeout: num('connect-timeout'),
    drainTimeout: num('drain-timeout'),
    maxMessageSize: num('max-message-size'),
    logLevel: str('log-level') as LogLevel,
    taskLogs: str('task-logs') as 'prefixed' | 'off',
    followLogs: values.get('follow-logs') as boolean,
    status: values.get('status') as boolean,
    statusPort: num('status-port'),
    help: values.get('help') as boolean,
    appFlags: Object.fromEntries(extra.map((s) => [s.name, values.get(s.name)])),
    appArgs: rest,
  };
  for (const [key, flag] of [
    ['executor', 'executor'],
    ['executorCommand', 'executor-command'],
    ['principal', 'principal'],
    ['secretFile', 'secret-file'],
    ['tlsCa', 'tls-ca'],
    ['tlsCert', 'tls-cert'],
    ['tlsKey', 'tls-key'],
    ['frameworkId', 'framework-id'],
    ['dataAdvertise', 'data-advertise'],
  ] as const) {
    const v = str(flag);
    if (v !== undefined) config[key] = v;
  }
  return config;
}

/** The `--help` text, generated from SCHEDULER_FLAGS (and the app's extra flags). */
export function formatHelp(options: { usage?: string; extraFlags?: readonly FlagSpec[] } = {}): string {
  const parts = [
    options.usage ?? 'usage: app_scheduler [flags] [-- app arguments]',
    '',
    'Scheduler flags (flag > environment > default):',
    formatFlagTable(SCHEDULER_FLAGS),
  ];
  if (options.extraFlags?.length) parts.push('', 'Application flags:', formatFlagTable(options.extraFlags));
  return `${parts.join('\n')}\n`;
}
