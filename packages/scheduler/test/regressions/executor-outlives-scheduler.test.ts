// Process-level lifecycle of a scheduler script on --master local (schedulerMain) whose task
// ignores its input and never returns:
// - SIGINT stops it gracefully: exit 130, the scheduler function's finally block ran, the
//   executor is gone and the embedded cluster's temp directory removed (it used to be left);
// - SIGKILL of the scheduler (its in-process agent dies with it): the executor ends its own
//   process after the grace period (it used to run on for ever).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { bundleScript } from '@mesosgot/cli/internal';
import { waitFor } from '@mesosgot/local/testing';
import { FIXTURES, acceptanceSuite, isAlive } from '../support/gotask-acceptance.js';
import { LIFECYCLE_EXECUTOR } from '../support/lifecycle.js';

const suite = acceptanceSuite('executor-outlives-scheduler', { lifecycle: LIFECYCLE_EXECUTOR });
const REPO = join(import.meta.dirname, '..', '..', '..', '..');
let child: ChildProcess | undefined;
let executorPid: number | undefined;
let dir: string | undefined;

afterEach(async () => {
  if (child?.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  if (executorPid !== undefined && isAlive(executorPid)) process.kill(executorPid, 'SIGKILL');
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  child = executorPid = dir = undefined;
});

/** Starts the scheduler script with a private TMPDIR; resolves once its task said ready. */
async function startScheduler(): Promise<{ tmp: string; out: string[]; exited: Promise<number | null> }> {
  dir = await mkdtemp(join(tmpdir(), 'executor-outlives-'));
  // The bundle imports @mesosgot/local at run time (--master local): let it resolve from here.
  await symlink(join(REPO, 'node_modules'), join(dir, 'node_modules'));
  const script = await bundleScript(join(FIXTURES, 'lifecycle-scheduler.ts'), join(dir, 'app_scheduler.mjs'));
  const tmp = join(dir, 'tmp');
  await mkdir(tmp);
  const out: string[] = [];
  child = spawn(process.execPath, [script, '--executor', suite.bundleOf('lifecycle'), '--local-agents', '1', '--local-agent-resources', 'cpus:1;mem:512'], {
    env: { ...process.env, TMPDIR: tmp },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => out.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  child.stderr!.resume();
  const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
  await waitFor(() => out.some((l) => l.startsWith('stall-0 ready:')), { timeoutMs: 60_000, what: 'the stall task to be ready' });
  executorPid = Number(out.find((l) => l.startsWith('stall-0 ready:'))!.split(':')[1]);
  return { tmp, out, exited };
}

describe('scheduler script lifecycle (schedulerMain, --master local)', () => {
  it('SIGINT: exit 130 after the finally block ran, no executor and no mesosgot-local temp dir left', async () => {
    const { tmp, out, exited } = await startScheduler();
    expect(isAlive(executorPid!)).toBe(true);
    child!.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(out).toContain('finally ran');
    await waitFor(() => !isAlive(executorPid!), { timeoutMs: 15_000, what: 'the executor to exit' });
    expect((await readdir(tmp)).filter((n) => n.startsWith('mesosgot-local-'))).toEqual([]);
  }, 120_000);

  it('SIGKILL of the scheduler: the executor whose task ignores its input ends its own process', async () => {
    await startScheduler();
    child!.kill('SIGKILL');
    // No agent any more (it lived in the scheduler's process) and no checkpointing: the executor
    // shuts down within its grace period (5 s) and executorMain ends the process.
    await waitFor(() => !isAlive(executorPid!), { timeoutMs: 30_000, what: 'the executor to exit' });
  }, 120_000);
});
