/**
 * The path a user takes, outside this repository: pack every workspace (`npm pack`, what a
 * publish would upload), `mesosgot init` a starter app in a fresh temp directory, install the
 * tarballs there (from npm's cache where it can: --prefer-offline), build and bundle it, run it
 * on the embedded cluster, and type-check a consumer of every public entry with
 * skipLibCheck: false. Needs the workspaces built (`npm test` runs `tsc -b` first).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../..', import.meta.url));
const WORKSPACES = ['common', 'scheduler', 'executor', 'local', 'cli'];
const STEP_TIMEOUT_MS = 240_000;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion with a deadline, outside npm's own environment (no npm_* vars). */
function run(command: string, args: string[], cwd: string, timeoutMs = STEP_TIMEOUT_MS): Promise<Run> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) && key !== 'NODE_OPTIONS'));
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...env, FORCE_COLOR: '0', NO_UPDATE_NOTIFIER: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} overran ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function expectOk(result: Run, what: string): void {
  if (result.code !== 0) throw new Error(`${what} exited ${result.code}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
}

interface PackedFile {
  path: string;
}
interface Packed {
  name: string;
  filename: string;
  size: number;
  entryCount: number;
  files: PackedFile[];
}

describe('install path: packed packages in a fresh project outside the repository', () => {
  let work = '';
  let app = '';
  const packed: Packed[] = [];

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'mesosgot-install-'));
    app = join(work, 'my-app');
    const tarballs = join(work, 'tarballs');
    await mkdir(tarballs);
    const pack = await run('npm', ['pack', '--json', '--pack-destination', tarballs, ...WORKSPACES.flatMap((w) => ['-w', `packages/${w}`])], root);
    expectOk(pack, 'npm pack');
    packed.push(...(JSON.parse(pack.stdout) as Packed[]));
  }, STEP_TIMEOUT_MS);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('each tarball holds dist/, src/, package.json and README, and no tests, fixtures or build info', () => {
    expect(packed.map((p) => p.name).sort()).toEqual(WORKSPACES.map((w) => `@mesosgot/${w}`).sort());
    for (const p of packed) {
      const paths = p.files.map((f) => f.path);
      expect(paths).toContain('package.json');
      expect(paths).toContain('README.md');
      expect(paths).toContain('dist/index.js');
      expect(paths).toContain('dist/index.d.ts');
      const stray = paths.filter((path) => !/^(dist|src)\//.test(path) && !['package.json', 'README.md'].includes(path));
      expect(stray).toEqual([]);
      expect(paths.filter((path) => /(^|\/)test\/|fixtures|\.tsbuildinfo$|\.test\./.test(path))).toEqual([]);
    }
  });

  it(
    'mesosgot init → npm install → build and bundle → runs on --master local; a consumer type-checks with skipLibCheck: false',
    async () => {
      const tarballs = packed.map((p) => join(work, 'tarballs', p.filename));
      const cli = join(root, 'packages', 'cli', 'dist', 'main.js');
      // The packed cli's dist is this same file; installing it first just to run init would cost
      // a second install.
      expectOk(await run(process.execPath, [cli, 'init', app], work), 'mesosgot init');

      const install = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...tarballs], app);
      expectOk(install, 'npm install');
      expect(existsSync(join(app, 'node_modules', '.bin', 'mesosgot'))).toBe(true);

      // The starter's own build: tsc + `mesosgot bundle`.
      const build = await run('npm', ['run', 'build'], app);
      expectOk(build, 'npm run build');
      expect(build.stdout).toMatch(/mesosgot bundle: wrote dist\/app_executor\.bundle\.mjs/);
      const bundleBytes = statSync(join(app, 'dist', 'app_executor.bundle.mjs')).size;
      expect(bundleBytes).toBeGreaterThan(0);

      // The starter's own test runs the app with --master local and checks its output.
      const test = await run('node', ['--test', '--test-reporter=tap', 'test/app.test.mjs'], app);
      expectOk(test, 'the starter test');
      expect(test.stdout).toMatch(/# pass 1/);

      // A consumer of every public entry plus the starter's sources, type-checked against the
      // shipped declarations with skipLibCheck: false (the starter itself skips them, for speed).
      await writeFile(
        join(app, 'consumer.ts'),
        [
          "import { GoTaskScheduler, MesosSchedulerDriver, type Scheduler, type SchedEvent, Channel, select } from '@mesosgot/scheduler';",
          "import { GoTaskExecutor, MesosExecutorDriver, type Executor, type TaskFunc } from '@mesosgot/executor';",
          "import { newStatusUuid, type Offer, type TaskStatus, MesosGotError } from '@mesosgot/common';",
          "import { LocalCluster } from '@mesosgot/local';",
          "import { waitFor } from '@mesosgot/local/testing';",
          "import { bundleExecutor } from '@mesosgot/cli';",
          'export const used = [GoTaskScheduler, MesosSchedulerDriver, Channel, select, GoTaskExecutor, MesosExecutorDriver, newStatusUuid, MesosGotError, LocalCluster, waitFor, bundleExecutor];',
          'export type Used = [Scheduler, SchedEvent, Executor, TaskFunc, Offer, TaskStatus];',
          '',
        ].join('\n'),
      );
      const consumer = await run(
        process.execPath,
        [join(app, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '--strict', '--skipLibCheck', 'false', '--module', 'nodenext', '--target', 'es2022', '--types', 'node', 'consumer.ts', 'src/app_scheduler.ts', 'src/app_executor.ts'],
        app,
      );
      expectOk(consumer, 'tsc on the consumer');

      // Without the optional @mesosgot/local, --master local says what to install, in one line.
      await rm(join(app, 'node_modules', '@mesosgot', 'local'), { recursive: true, force: true });
      const missing = await run(process.execPath, ['dist/app_scheduler.js', '--master', 'local'], app, 60_000);
      expect(missing.code).toBe(1);
      const lines = missing.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/--master local needs @mesosgot\/local, which is not installed: npm install @mesosgot\/local$/);
    },
    STEP_TIMEOUT_MS * 2,
  );
});
