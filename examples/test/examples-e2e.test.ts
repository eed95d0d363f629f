import { describe, it, expect, beforeAll } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const root = fileURLToPath(new URL('../..', import.meta.url));
const EXAMPLE_TIMEOUT_MS = 90_000;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a script as a user would, with a deadline; the child is killed if it overruns. */
function runNode(args: string[], timeoutMs = EXAMPLE_TIMEOUT_MS): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args.join(' ')} overran ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('examples (real entry points, embedded local cluster)', () => {
  beforeAll(async () => {
    // `npm test` compiled the TypeScript (tsc -b); the executor bundles are the build's second step.
    const bundled = await runNode([join(root, 'scripts', 'bundle.js')], 60_000);
    expect(bundled.code).toBe(0);
    expect(existsSync(join(root, 'examples/dist/elevator/app_executor.bundle.mjs'))).toBe(true);
  }, 70_000);

  // Every example runs unchanged in both encodings (docs/protobuf.md): only the flag differs.
  it.each(['json', 'protobuf'])('hello (--content-type %s): every task says hello, three messages and goodbye', async (contentType) => {
    const run = await runNode(['examples/dist/hello/app_scheduler.js', '--master', 'local', '--content-type', contentType]);
    expect(run.stderr).not.toMatch(/Error/);
    expect({ code: run.code, stderrTail: run.code === 0 ? '' : run.stderr.slice(-3000) }).toEqual({ code: 0, stderrTail: '' });
    for (const id of ['exampleTask1-0', 'exampleTask1-2', 'exampleTask2-0', 'exampleTask2-3']) {
      expect(run.stdout).toContain(`${id}: `);
      expect(run.stdout).toContain(`${id}: ${id} message 3`);
      expect(run.stdout).toContain(`${id}: goodbye from ${id}`);
    }
    expect(run.stdout).toContain('exampleTask1-1: hello from exampleTask1-1 (kind 1)');
    expect(run.stdout).toContain('exampleTask2-1: hi from exampleTask2-1 (kind 2)');
    expect(run.stdout).toContain('all 7 tasks said goodbye');
  }, EXAMPLE_TIMEOUT_MS);

  it.each(['json', 'protobuf'])('elevator (--content-type %s): serves every request and prints the summary', async (contentType) => {
    const run = await runNode(['examples/dist/elevator/app_scheduler.js', '--elevators', '2', '--floors', '5', '--requests', '60', '--content-type', contentType]);
    expect({ code: run.code, stderrTail: run.code === 0 ? '' : run.stderr.slice(-3000) }).toEqual({ code: 0, stderrTail: '' });
    expect(run.stdout).toMatch(/requests served\s+60 of 60/);
    const mean = Number(/mean wait\s+([\d.]+) ms/.exec(run.stdout)?.[1]);
    const p95 = Number(/p95 wait\s+([\d.]+) ms/.exec(run.stdout)?.[1]);
    expect(mean).toBeGreaterThan(0);
    expect(p95).toBeGreaterThanOrEqual(mean * 0.5);
    // Each request is at least a call, an assign, a pickup and a drop-off.
    expect(Number(/messages exchanged\s+(\d+)/.exec(run.stdout)?.[1])).toBeGreaterThanOrEqual(60 * 4);
    // Not a TTY: plain progress lines, no carriage returns.
    expect(run.stdout).not.toContain('\r');
  }, EXAMPLE_TIMEOUT_MS);

  it('autoscale: the worker pool grows with the backlog, shrinks back to the initial gang, and every job is done', async () => {
    const run = await runNode(['examples/dist/autoscale/app_scheduler.js', '--jobs', '120', '--max-workers', '6', '--log-level', 'warn']);
    expect({ code: run.code, stderrTail: run.code === 0 ? '' : run.stderr.slice(-3000) }).toEqual({ code: 0, stderrTail: '' });
    expect(run.stdout).toMatch(/jobs done 120 of 120/);
    const largest = Number(/largest pool (\d+)/.exec(run.stdout)?.[1]);
    expect(largest).toBeGreaterThan(2);
    expect(largest).toBeLessThanOrEqual(6);
  }, EXAMPLE_TIMEOUT_MS);

  it('elevator --help tells the truth and a wrong flag exits 2 with a one-line error', async () => {
    const help = await runNode(['examples/dist/elevator/app_scheduler.js', '--help'], 20_000);
    expect(help.code).toBe(0);
    for (const flag of ['--master', '--elevators', '--floors', '--requests', '--executor', '--artifact-port']) expect(help.stdout).toContain(flag);
    const bad = await runNode(['examples/dist/elevator/app_scheduler.js', '--floors', 'many'], 20_000);
    expect(bad.code).toBe(2);
    expect(bad.stderr.split('\n')[0]).toMatch(/floors/);
  }, 45_000);

  it('app_executor --help says an agent starts it; started by hand it names the missing variable and exits 2', async () => {
    const help = await runNode(['examples/dist/elevator/app_executor.js', '--help'], 20_000);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('MESOS_AGENT_ENDPOINT');
    expect(help.stdout).toContain('kinds: elevator, floor');
    const bare = await runNode(['examples/dist/elevator/app_executor.js'], 20_000);
    expect(bare.code).toBe(2);
    expect(bare.stderr.split('\n')[0]).toMatch(/^error: invalid MESOS_AGENT_ENDPOINT/);
  }, 45_000);
});
