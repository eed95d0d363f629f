/**
 * The `mesosgot-local` command, bundled from src/cli.ts with esbuild (as `npm run build`
 * would ship it) and run as a child process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { build } from 'esbuild';
import { request } from 'undici';
import { ZooKeeperServer, waitFor } from '@mesosgot/local/testing';

const CLI_SOURCE = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

interface Run {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  exit: Promise<number | null>;
}

describe('mesosgot-local command', () => {
  let dir = '';
  let cli = '';
  const running: Run[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mesosgot-cli-test-'));
    cli = join(dir, 'cli.mjs');
    await build({
      entryPoints: [CLI_SOURCE],
      outfile: cli,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      conditions: ['source'],
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
      logLevel: 'error',
    });
  }, 30_000);

  afterEach(async () => {
    for (const run of running.splice(0)) {
      if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
      await run.exit;
    }
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  function start(args: string[]): Run {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const run: Run = { child, stdout: '', stderr: '', exit: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
    child.stdout!.on('data', (d: Buffer) => (run.stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (run.stderr += d.toString()));
    running.push(run);
    return run;
  }

  it('prints one error line and the usage, and exits 2, for an unknown flag', async () => {
    const run = start(['--bogus']);
    expect(await run.exit).toBe(2);
    const [first, ...rest] = run.stderr.split('\n');
    expect(first).toMatch(/^mesosgot-local: .*bogus/);
    expect(rest.join('\n')).toContain('Usage: mesosgot-local');
  });

  it('exits 2 for malformed resources and a bad agent count', async () => {
    expect(await start(['--resources', 'cpus:lots', '--port', '0']).exit).toBe(2);
    expect(await start(['--agents', 'two']).exit).toBe(2);
  });

  it('exits 2 for several masters without --zk and for a malformed --zk', async () => {
    const run = start(['--masters', '2', '--port', '0']);
    expect(await run.exit).toBe(2);
    expect(run.stderr).toMatch(/^mesosgot-local: .*--zk/);
    expect(await start(['--masters', '2', '--zk', 'zk://127.0.0.1:2181', '--port', '0']).exit).toBe(2);
  });

  it('runs --masters 2 --zk: the first master leads, the second redirects to it', async () => {
    const zk = new ZooKeeperServer();
    try {
      await zk.start();
      const run = start(['--port', '0', '--masters', '2', '--zk', `zk://${zk.connectString}/mesos-cli-${process.pid}`]);
      const line = await waitFor(() => /masters (http:\S+) (http:\S+) electing/.exec(run.stdout), { timeoutMs: 20_000, what: 'master URLs' });
      const [, leader, follower] = line;
      expect(run.stdout).toContain(`master ${leader!} with 1 agent(s)`);
      const answer = await request(`${follower!}/master/redirect`);
      await answer.body.dump();
      expect([answer.statusCode, answer.headers.location]).toEqual([307, `//127.0.0.1:${new URL(leader!).port}`]);
      run.child.kill('SIGTERM');
      expect(await run.exit).toBe(0);
    } finally {
      await zk.destroy();
    }
  }, 40_000);

  it('prints the usage for --help and exits 0', async () => {
    const run = start(['--help']);
    expect(await run.exit).toBe(0);
    expect(run.stdout).toContain('--work-dir');
    expect(run.stdout).toContain('--max-body-bytes <size>             one request body; above it 413 (default 64MiB)');
    expect(run.stdout).toContain('--max-archive-entries <n>           members of one fetched archive (default 100000)');
  });

  it('exits 2 for a limit that is not a positive whole number', async () => {
    for (const args of [['--max-body-bytes', '12x'], ['--max-connections', '0'], ['--headers-timeout-ms', '5MiB']]) {
      const run = start(args);
      expect(await run.exit).toBe(2);
      expect(run.stderr.split('\n')[0]).toContain(`${args[0]} must be a positive whole number`);
    }
  });

  it('applies the limit flags to master and agents', async () => {
    const run = start(['--port', '0', '--max-body-bytes', '1KiB', '--max-connections', '40']);
    const url = await waitFor(() => /master (http:\/\/127\.0\.0\.1:\d+)/.exec(run.stdout)?.[1], { timeoutMs: 10_000, what: 'master URL' });
    const post = (target: string, bytes: number) => request(`${target}/api/v1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"type":"GET_HEALTH"${' '.repeat(bytes - 20)}}` });
    const small = await post(url, 1000);
    expect(small.statusCode).toBe(200);
    await small.body.dump();
    const large = await post(url, 1025);
    expect(large.statusCode).toBe(413);
    await large.body.dump();
    const state = (await (await request(`${url}/master/state`)).body.json()) as { slaves: { pid: string }[]; flags: Record<string, string> };
    const agent = `http://${state.slaves[0]!.pid.split('@')[1]!}`;
    const toAgent = await post(agent, 1025);
    expect(toAgent.statusCode).toBe(413);
    await toAgent.body.dump();
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
  });

  it('serves a master with agents and stops cleanly on SIGTERM', async () => {
    const run = start(['--port', '0', '--agents', '2', '--resources', 'cpus:2;mem:1024']);
    const url = await waitFor(() => /master (http:\/\/127\.0\.0\.1:\d+)/.exec(run.stdout)?.[1], { timeoutMs: 10_000, what: 'master URL' });
    const state = await request(`${url}/master/state`);
    const body = (await state.body.json()) as { slaves: unknown[] };
    expect(body.slaves).toHaveLength(2);
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
  });
});
