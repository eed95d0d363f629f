/**
 * The files `mesosgot init` writes: a starter application that builds, runs on the embedded
 * cluster and tests as is. One scheduler script, one executor script, a test that runs the app.
 */

export interface StarterSettings {
  /** npm package name of the application. */
  name: string;
  /** Version of the @mesosgot packages to depend on (this command's own). */
  mesosgotVersion: string;
}

/** Relative path → contents. */
export type StarterFiles = Record<string, string>;

export function starterFiles({ name, mesosgotVersion }: StarterSettings): StarterFiles {
  const packageJson = {
    name,
    version: '0.1.0',
    private: true,
    type: 'module',
    engines: { node: '>=20.3' },
    scripts: {
      build: 'tsc -p . && mesosgot bundle src/app_executor.ts -o dist/app_executor.bundle.mjs',
      start: 'npm run build && node dist/app_scheduler.js',
      test: 'npm run build && node --test test/app.test.mjs',
    },
    dependencies: {
      '@mesosgot/executor': mesosgotVersion,
      '@mesosgot/scheduler': mesosgotVersion,
    },
    devDependencies: {
      '@mesosgot/cli': mesosgotVersion,
      '@mesosgot/local': mesosgotVersion,
      '@types/node': '^20.19.0',
      typescript: '~5.9.3',
    },
  };
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      lib: ['ES2023'],
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      rootDir: 'src',
      outDir: 'dist',
      sourceMap: true,
      skipLibCheck: true,
      types: ['node'],
    },
    include: ['src'],
  };
  return {
    'package.json': `${JSON.stringify(packageJson, null, 2)}\n`,
    'tsconfig.json': `${JSON.stringify(tsconfig, null, 2)}\n`,
    '.gitignore': 'node_modules/\ndist/\n',
    'src/app_scheduler.ts': SCHEDULER,
    'src/app_executor.ts': EXECUTOR,
    'test/app.test.mjs': TEST,
    'README.md': readme(name),
  };
}

const SCHEDULER = `/**
 * The scheduler: declares the tasks, talks to them over channels, and returns when it is done
 * (which tears the framework down). \`node dist/app_scheduler.js --help\` lists every flag.
 */
import { schedulerMain } from '@mesosgot/scheduler';

const GREETERS = 3;

// schedulerMain reads the flags (--help), stops gracefully on Ctrl-C and exits with run()'s outcome.
await schedulerMain((sched) => {
  // Task ids are <kind>-<index>: greeter-0, greeter-1, greeter-2.
  sched.spawnTask('greeter', GREETERS, { cpus: 0.1, mem: 32 }, { args: ['hello'] });
  sched.registerSchedFunc(async (schedIn, schedOut) => {
    for (let i = 0; i < GREETERS; i++) await schedOut.send({ taskName: \`greeter-\${i}\`, data: 'world' });
    let replies = 0;
    for await (const msg of schedIn) {
      console.log(\`\${msg.taskName} says: \${String(msg.data)}\`);
      if (++replies === GREETERS) break;
    }
    console.log(\`done: \${replies} of \${GREETERS} greeters answered\`);
  });
});
`;

const EXECUTOR = `/**
 * The executor: the task functions, by kind. An agent starts it (bundled into one file by
 * \`mesosgot bundle\`); it reads MESOS_* from the environment.
 */
import { executorMain } from '@mesosgot/executor';

// executorMain answers --help, stops on SIGTERM and ends the process when the executor is done.
await executorMain((exec) => {
  exec.registerTaskFunc('greeter', async (input, output, args) => {
    const [taskId = '?', greeting = 'hello'] = args;
    const msg = await input.receive();
    if (!msg.ok) return; // stopped before the scheduler said anything
    await output.send({ taskName: taskId, data: \`\${greeting}, \${String(msg.value.data)} (from \${taskId})\` });
  });
});
`;

const TEST = `// Runs the built app on the embedded cluster (--master local) and checks what it prints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';

test('every greeter answers on the embedded cluster', async () => {
  const child = spawn(process.execPath, ['dist/app_scheduler.js', '--master', 'local'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const code = await new Promise((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  assert.equal(code, 0, stderr);
  for (const id of ['greeter-0', 'greeter-1', 'greeter-2']) {
    assert.match(stdout, new RegExp(\`\${id} says: hello, world \\\\(from \${id}\\\\)\`));
  }
  assert.match(stdout, /done: 3 of 3 greeters answered/);
});
`;

function readme(name: string): string {
  return `# ${name}

A mesosgot application: \`src/app_scheduler.ts\` (the scheduler function) and
\`src/app_executor.ts\` (the task functions), written against \`@mesosgot/scheduler\` and
\`@mesosgot/executor\`.

\`\`\`sh
npm install
npm start     # build, bundle the executor, run on the embedded cluster (--master local)
npm test      # the same, checked by test/app.test.mjs
\`\`\`

\`npm run build\` compiles to \`dist/\` and bundles the executor into
\`dist/app_executor.bundle.mjs\`, the one file agents fetch; the scheduler serves the bundle
beside its own script by default.

On a real Mesos cluster (agents need Node.js 20.3+ on their PATH):

\`\`\`sh
node dist/app_scheduler.js --master http://MASTER:5050 --address THIS_HOST_IP
\`\`\`
`;
}
