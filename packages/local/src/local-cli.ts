/**
 * The embedded cluster as a command, like Mesos' `mesos-local`: `mesosgot-local` (this
 * package's bin, cli.ts) and `mesosgot local` (@mesosgot/cli) both run it. Runs a LocalCluster
 * in the foreground and prints the master URL; SIGINT / SIGTERM stop every agent, executor and
 * server. A wrong flag prints one error line and the usage (exit status 2).
 */
import { parseArgs } from 'node:util';
import {
  DEFAULT_FETCH_TIMEOUT_MS,
  DEFAULT_MAX_ARCHIVE_ENTRIES,
  DEFAULT_MAX_ARTIFACT_BYTES,
  DEFAULT_MAX_EXTRACTED_BYTES,
  type FetchLimits,
} from './agent/fetcher.js';
import { DEFAULT_AGENT_RESOURCES, LocalCluster } from './cluster.js';
import { DEFAULT_HTTP_LIMITS, type HttpLimits } from './http/http-limits.js';
import { DEFAULT_MAX_COMPLETED_FRAMEWORKS } from './master/frameworks.js';

const usage = (prog: string): string => `Usage: ${prog} [options]

Runs an embedded Mesos-compatible master and agents on 127.0.0.1.

Options:
  --port <n>            master port (default 5050; 0 = any free port); master i gets port + i
  --masters <n>         number of masters (default 1); more than one needs --zk
  --zk <url>            zk://host:port/path: masters elect their leader in ZooKeeper, as Mesos' --zk
  --agents <n>          number of agents (default 1)
  --resources <text>    each agent's resources (default "${DEFAULT_AGENT_RESOURCES}")
  --work-dir <dir>      sandboxes root (default: a temp dir, deleted on exit but for
                        failed executors' sandboxes, moved to <tmp>/mesosgot-failed-*)
  --help                show this help

Limits (sizes in bytes, or with a KiB, MiB or GiB suffix; times in milliseconds):
${LIMIT_FLAGS.map((flag) => `  --${flag.name} <${flag.unit === 'bytes' ? 'size' : flag.unit}>`.padEnd(38) + `${flag.help} (default ${format(flag.fallback, flag.unit)})`).join('\n')}
`;

type Unit = 'bytes' | 'ms' | 'n';

/** A limit flag: its LocalCluster option, where it goes, and the default the cluster applies without it. */
interface LimitFlag {
  name: string;
  unit: Unit;
  help: string;
  fallback: number;
  apply: (options: LimitOptions, value: number) => void;
}

type LimitOptions = { httpLimits: Partial<HttpLimits>; fetchLimits: FetchLimits; maxCompletedFrameworks?: number };

const httpLimit = (name: string, key: keyof HttpLimits, unit: Unit, help: string): LimitFlag => ({
  name, unit, help, fallback: DEFAULT_HTTP_LIMITS[key], apply: (options, value) => void (options.httpLimits[key] = value),
});
const fetchLimit = (name: string, key: keyof FetchLimits, unit: Unit, help: string, fallback: number): LimitFlag => ({
  name, unit, help, fallback, apply: (options, value) => void (options.fetchLimits[key] = value),
});

const LIMIT_FLAGS: readonly LimitFlag[] = [
  httpLimit('max-connections', 'maxConnections', 'n', 'connections per master or agent; past it an idle one closes, or 503'),
  httpLimit('max-body-bytes', 'maxBodyBytes', 'bytes', 'one request body; above it 413'),
  httpLimit('max-in-flight-body-bytes', 'maxInFlightBodyBytes', 'bytes', 'all request bodies being received; past it 503'),
  httpLimit('headers-timeout-ms', 'headersTimeoutMs', 'ms', 'to receive a request\'s headers; then 408'),
  httpLimit('body-timeout-ms', 'bodyTimeoutMs', 'ms', 'to receive a request\'s body; then 408'),
  httpLimit('idle-timeout-ms', 'idleTimeoutMs', 'ms', 'an idle keep-alive connection stays open'),
  fetchLimit('max-artifact-bytes', 'maxArtifactBytes', 'bytes', 'one fetched URI', DEFAULT_MAX_ARTIFACT_BYTES),
  fetchLimit('fetch-timeout-ms', 'timeoutMs', 'ms', 'one fetched URI', DEFAULT_FETCH_TIMEOUT_MS),
  fetchLimit('max-extracted-bytes', 'maxExtractedBytes', 'bytes', 'one fetched archive, expanded', DEFAULT_MAX_EXTRACTED_BYTES),
  fetchLimit('max-archive-entries', 'maxArchiveEntries', 'n', 'members of one fetched archive', DEFAULT_MAX_ARCHIVE_ENTRIES),
  {
    name: 'max-completed-frameworks', unit: 'n', help: 'removed frameworks remembered', fallback: DEFAULT_MAX_COMPLETED_FRAMEWORKS,
    apply: (options, value) => void (options.maxCompletedFrameworks = value),
  },
];

const SIZE_UNITS: Record<string, number> = { '': 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };

function format(value: number, unit: Unit): string {
  if (unit !== 'bytes') return String(value);
  const [suffix, size] = Object.entries(SIZE_UNITS).reverse().find(([, size]) => value % size === 0) ?? ['', 1];
  return `${value / size}${suffix}`;
}

/** A positive whole number, for sizes optionally with a binary suffix. */
function parseLimit(flag: LimitFlag, text: string): number {
  const match = /^(\d+)(KiB|MiB|GiB)?$/.exec(text);
  const value = match && (flag.unit === 'bytes' || match[2] === undefined) ? Number(match[1]) * SIZE_UNITS[match[2] ?? '']! : NaN;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(`--${flag.name} must be a positive whole number${flag.unit === 'bytes' ? ' of bytes (or with KiB, MiB, GiB)' : ''}, got '${text}'`);
  }
  return value;
}

/** Mesos' default master port. */
const DEFAULT_PORT = 5050;

class UsageError extends Error {}

interface CliArgs {
  port: number;
  masters: number;
  zk?: string;
  agents: number;
  resources: string;
  workDir?: string;
  limits: LimitOptions;
}

function parse(argv: string[]): CliArgs | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        masters: { type: 'string' },
        zk: { type: 'string' },
        agents: { type: 'string' },
        resources: { type: 'string' },
        'work-dir': { type: 'string' },
        ...Object.fromEntries(LIMIT_FLAGS.map((flag) => [flag.name, { type: 'string' as const }])),
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return 'help';
  const int = (name: string, text: string | undefined, fallback: number, min: number, max: number): number => {
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got '${text}'`);
    return n;
  };
  const masters = int('masters', values.masters, 1, 1, 9);
  if (masters > 1 && values.zk === undefined) throw new UsageError('--masters above 1 needs --zk zk://host:port/path');
  const limits: LimitOptions = { httpLimits: {}, fetchLimits: {} };
  for (const flag of LIMIT_FLAGS) {
    const text = (values as Record<string, string | boolean | undefined>)[flag.name];
    if (typeof text === 'string') flag.apply(limits, parseLimit(flag, text));
  }
  return {
    limits,
    port: int('port', values.port, DEFAULT_PORT, 0, 65535),
    masters,
    ...(values.zk !== undefined ? { zk: values.zk } : {}),
    agents: int('agents', values.agents, 1, 0, 64),
    resources: values.resources ?? DEFAULT_AGENT_RESOURCES,
    ...(values['work-dir'] !== undefined ? { workDir: values['work-dir'] } : {}),
  };
}

/**
 * Runs the command with `argv` (the arguments after the command name); `prog` names it in the
 * usage and in messages. Resolves with the exit status once the cluster has stopped after
 * SIGINT/SIGTERM (0), or at once for --help (0) and a usage error (2); rejects when the cluster
 * fails to start.
 */
export async function runLocalCli(argv: string[], prog: string): Promise<number> {
  const USAGE = usage(prog);
  let args;
  try {
    args = parse(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${prog}: ${error.message}\n${USAGE}`);
    return 2;
  }
  if (args === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  let cluster: LocalCluster;
  try {
    cluster = new LocalCluster({
      port: args.port,
      masters: args.masters,
      ...(args.zk !== undefined ? { zk: args.zk } : {}),
      agents: args.agents,
      agentResources: args.resources,
      ...(args.workDir ? { workDir: args.workDir } : {}),
      keepFailedSandboxes: true,
      httpLimits: args.limits.httpLimits,
      fetchLimits: args.limits.fetchLimits,
      ...(args.limits.maxCompletedFrameworks !== undefined ? { maxCompletedFrameworks: args.limits.maxCompletedFrameworks } : {}),
      log: (line) => void process.stderr.write(`${prog}: ${line}\n`),
    });
  } catch (error) {
    process.stderr.write(`${prog}: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const url = await cluster.start();
  process.stdout.write(`${prog}: master ${url} with ${cluster.agents.length} agent(s)\n`);
  if (cluster.masterUrls.length > 1) {
    process.stdout.write(`${prog}: masters ${cluster.masterUrls.join(' ')} electing through ${args.zk ?? ''}\n`);
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  process.stdout.write(`${prog}: stopping\n`);
  await cluster.stop();
  return 0;
}
