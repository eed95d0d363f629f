#!/usr/bin/env node
/**
 * The `mesosgot` command: `init` (a starter app), `bundle` (the one-file executor agents fetch)
 * and `local` (the embedded cluster in the foreground). Usage errors exit 2, failures exit 1
 * with one line per problem.
 */
import { parseArgs } from 'node:util';
import { relative } from 'node:path';
import { MesosGotError } from '@mesosgot/common/internal';
import { cliVersion, initApp } from './init-app.js';

// esbuild and the local cluster load only for the commands that use them: `--help` and `init`
// start fast.
const loadBundler = () => import('./bundle-executor.js');
const runLocalCli = async (argv: string[], prog: string): Promise<number> => (await import('@mesosgot/local/internal')).runLocalCli(argv, prog);

const USAGE = `Usage: mesosgot <command> [options]

Commands:
  init <dir>                   write a starter app into <dir> (new or empty)
  bundle <entry> [-o <file>]   bundle an executor script into the one ESM file agents fetch
  local [options]              run the embedded Mesos-compatible cluster in the foreground
  help [<command>]             this help, or a command's (same as <command> --help)

Options: --help, --version.
`;

const INIT_USAGE = `Usage: mesosgot init <dir>

Writes a starter mesosgot application into <dir> (created when missing; it must be empty):
  package.json          depends on @mesosgot/scheduler and @mesosgot/executor ${cliVersion()};
                        npm start builds and runs it on the embedded cluster, npm test tests it
  tsconfig.json         strict, NodeNext, src/ -> dist/
  src/app_scheduler.ts  the scheduler function
  src/app_executor.ts   the task functions
  test/app.test.mjs     runs the app with --master local and checks its output
  README.md, .gitignore

Then: cd <dir> && npm install && npm start
`;

const BUNDLE_USAGE = `Usage: mesosgot bundle <entry> [-o <file>] [--minify] [--condition <name>]...

Bundles an executor script (.ts or .js) and everything it imports into one ESM file for Node:
the file agents fetch into their sandboxes, which have no node_modules. CommonJS dependencies
get a real require() for Node's built-ins. Give the file to the scheduler with
--executor, or write it beside the scheduler script as app_executor.bundle.mjs (the default
the scheduler looks for).

Options:
  -o, --outfile <file>   where to write (default: <entry without extension>.bundle.mjs)
  --minify               minify: a smaller download per agent, less readable stack traces
  --condition <name>     also resolve package exports with this condition (repeatable)
  -h, --help             show this help

Prints the file written and its size. Exit status: 0 written, 1 the entry is missing or does not
build (one line per error), 2 usage error.
`;

class UsageError extends Error {}

async function init(argv: string[]): Promise<number> {
  const { values, positionals } = asUsageError(() =>
    parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: true }),
  );
  if (values.help) return help(INIT_USAGE);
  if (positionals.length !== 1) throw new UsageError('init takes one directory');
  const dir = positionals[0]!;
  const files = await initApp(dir);
  process.stdout.write(`mesosgot init: wrote ${files.length} files to ${dir}: ${files.join(', ')}\nnext: cd ${dir} && npm install && npm start\n`);
  return 0;
}

async function bundle(argv: string[]): Promise<number> {
  const { values, positionals } = asUsageError(() =>
    parseArgs({
      args: argv,
      options: {
        outfile: { type: 'string', short: 'o' },
        minify: { type: 'boolean' },
        condition: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: true,
    }),
  );
  if (values.help) return help(BUNDLE_USAGE);
  if (positionals.length !== 1) throw new UsageError('bundle takes one executor entry');
  const entry = positionals[0]!;
  const { bundleExecutor, defaultBundlePath } = await loadBundler();
  const outfile = values.outfile ?? defaultBundlePath(entry);
  const conditions = values.condition;
  const result = await bundleExecutor(entry, { outfile, minify: values.minify === true, ...(conditions ? { conditions } : {}) });
  process.stdout.write(`mesosgot bundle: wrote ${relative(process.cwd(), result.outfile) || result.outfile} (${formatBytes(result.bytes)})\n`);
  return 0;
}

/** parseArgs' errors (unknown option, missing value) are usage errors: exit 2 with the usage. */
function asUsageError<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function help(text: string): number {
  process.stdout.write(text);
  return 0;
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(2)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

const COMMAND_USAGE: Record<string, string> = { init: INIT_USAGE, bundle: BUNDLE_USAGE };

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'init':
      return init(rest);
    case 'bundle':
      return bundle(rest);
    case 'local':
      return runLocalCli(rest, 'mesosgot local');
    case 'help':
      if (rest[0] === 'local') return runLocalCli(['--help'], 'mesosgot local');
      return help((rest[0] !== undefined && COMMAND_USAGE[rest[0]]) || USAGE);
    case '--help':
    case '-h':
      return help(USAGE);
    case '--version':
      process.stdout.write(`${cliVersion()}\n`);
      return 0;
    case undefined:
      process.stderr.write(USAGE);
      return 2;
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      const [command] = process.argv.slice(2);
      process.stderr.write(`mesosgot: ${error.message}\n${(command !== undefined && COMMAND_USAGE[command]) || USAGE}`);
      process.exit(2);
    }
    // Known failures are their message (a BundleError has one line per build error); others a stack.
    const known = error instanceof MesosGotError;
    process.stderr.write(`mesosgot: ${known ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
