/**
 * The `mesosgot` command as a user runs it: the compiled bin (`npm test` builds first) in a child
 * process, on real files in a temp directory.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

function mesosgot(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('mesosgot command', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mesosgot-command-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('--help of the command and of each subcommand exits 0 and names its usage', () => {
    expect(mesosgot(['--help'], dir)).toMatchObject({ status: 0, stdout: expect.stringContaining('Usage: mesosgot <command>') });
    expect(mesosgot(['init', '--help'], dir)).toMatchObject({ status: 0, stdout: expect.stringContaining('Usage: mesosgot init <dir>') });
    expect(mesosgot(['bundle', '--help'], dir)).toMatchObject({ status: 0, stdout: expect.stringContaining('Usage: mesosgot bundle <entry>') });
    expect(mesosgot(['local', '--help'], dir)).toMatchObject({ status: 0, stdout: expect.stringContaining('Usage: mesosgot local [options]') });
    expect(mesosgot(['help', 'bundle'], dir).stdout).toContain('Usage: mesosgot bundle <entry>');
  });

  it('a wrong command or flag is one error line plus the usage, exit 2', () => {
    const unknown = mesosgot(['frobnicate'], dir);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr.split('\n')[0]).toBe("mesosgot: unknown command 'frobnicate'");
    const flag = mesosgot(['bundle', 'x.ts', '--frob'], dir);
    expect(flag.status).toBe(2);
    expect(flag.stderr).toContain('Usage: mesosgot bundle');
  });

  it('bundle: a CommonJS dependency that requires Node built-ins runs from the one-file bundle', () => {
    const out = join(dir, 'app_executor.bundle.mjs');
    const bundled = mesosgot(['bundle', join(FIXTURES, 'commonjs-dependency-executor.ts'), '-o', out], dir);
    expect(bundled.stderr).toBe('');
    expect(bundled.status).toBe(0);
    expect(bundled.stdout).toMatch(/^mesosgot bundle: wrote app_executor\.bundle\.mjs \(\d+(\.\d+)? (KiB|MiB)\)\n$/);
    // Run where there is no node_modules, as in an agent's sandbox.
    const ran = spawnSync(process.execPath, [out], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
    expect(ran.stderr).toBe('');
    expect(ran.stdout.trim()).toBe('undici request is a function');
  });

  it('bundle: a missing entry is one line, exit 1, nothing written', () => {
    const run = mesosgot(['bundle', 'src/nope.ts', '-o', 'out.mjs'], dir);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('mesosgot: executor entry src/nope.ts does not exist\n');
    expect(existsSync(join(dir, 'out.mjs'))).toBe(false);
  });

  it('bundle: a build error names the file, line and column, exit 1', () => {
    const run = mesosgot(['bundle', join(FIXTURES, 'broken-executor.mjs'), '-o', 'out.mjs'], dir);
    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines[0]).toBe(`mesosgot: cannot bundle ${join(FIXTURES, 'broken-executor.mjs')}`);
    expect(lines[1]).toMatch(/broken-executor\.mjs:4:\d+: /);
  });

  it('init writes the starter into a new directory and refuses a non-empty one', async () => {
    const app = join(dir, 'My App');
    const run = mesosgot(['init', app], dir);
    expect(run.status).toBe(0);
    for (const file of ['package.json', 'tsconfig.json', 'src/app_scheduler.ts', 'src/app_executor.ts', 'test/app.test.mjs', 'README.md']) {
      expect(existsSync(join(app, file))).toBe(true);
    }
    const manifest = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as {
      name: string;
      dependencies: Record<string, string>;
      scripts: Record<string, string>;
    };
    const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
    expect(manifest.name).toBe('my-app');
    expect(manifest.dependencies).toEqual({ '@mesosgot/executor': version, '@mesosgot/scheduler': version });
    expect(Object.keys(manifest.scripts).sort()).toEqual(['build', 'start', 'test']);

    await writeFile(join(dir, 'notes.txt'), 'mine');
    const occupied = mesosgot(['init', dir], dir);
    expect(occupied.status).toBe(1);
    expect(occupied.stderr).toMatch(/^mesosgot: invalid directory .* is not empty/);
  });
});
