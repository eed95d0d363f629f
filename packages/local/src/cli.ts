#!/usr/bin/env node
/**
 * `mesosgot-local`: runs a LocalCluster in the foreground, like Mesos' `mesos-local`.
 * Prints the master URL; Ctrl-C / SIGTERM stop every agent, executor and server, then exit 0.
 * A wrong flag prints one error line and the usage, and exits 2.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_AGENT_RESOURCES, LocalCluster } from './cluster.js';

const USAGE = `Usage: mesosgot-local [options]

Runs an embedded Mesos-compatible master and agents on 127.0.0.1.

Options:
  --port <n>            master port (default 5050; 0 = any free port); master i gets port + i
  --masters <n>         number of masters (default 1); more than one needs --zk
  --zk <url>            zk://host:port/path: masters elect their leader in ZooKeeper, as Mesos' --zk
  --agents <n>          number of agents (default 1)
  --resources <text>    each agent's resources (default "${DEFAULT_AGENT_RESOURCES}")
  --work-dir <dir>      sandboxes root (default: a temp dir, deleted on exit)
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

async function main(): Promise<number> {
  let args;
  try {
    args = parse(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`mesosgot-local: ${error.message}\n${USAGE}`);
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
    });
  } catch (error) {
    process.stderr.write(`mesosgot-local: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const url = await cluster.start();
  process.stdout.write(`mesosgot-local: master ${url} with ${cluster.agents.length} agent(s)\n`);
  if (cluster.masterUrls.length > 1) {
    process.stdout.write(`mesosgot-local: masters ${cluster.masterUrls.join(' ')} electing through ${args.zk ?? ''}\n`);
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  process.stdout.write('mesosgot-local: stopping\n');
  await cluster.stop();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`mesosgot-local: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
