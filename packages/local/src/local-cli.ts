/**
 * The embedded cluster as a command, like Mesos' `mesos-local`: `mesosgot-local` (this
 * package's bin, cli.ts) and `mesosgot local` (@mesosgot/cli) both run it. Runs a LocalCluster
 * in the foreground and prints the master URL; SIGINT / SIGTERM stop every agent, executor and
 * server. A wrong flag prints one error line and the usage (exit status 2).
 */
import { parseArgs } from 'node:util';
import { DEFAULT_AGENT_RESOURCES, LocalCluster } from './cluster.js';

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
`;

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
  return {
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
