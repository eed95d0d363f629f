// Property: whatever goes wrong, run() settles within a bound, with the outcome that fault
// means, and leaves no executor process and no mesosgot-local temp directory (only the kept
// sandboxes of failed executors, which the log names). fast-check draws
// fault schedules (which fault, and whether it strikes before or after the tasks are up) against
// a small app on the embedded cluster: a task throws, its executor is SIGKILLed, the master is
// unreachable, the master refuses the framework (401), the scheduler function throws or
// returns, stop() is called, the run's AbortSignal fires (what schedulerMain does on SIGINT).
import { writeFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { MesosHttpError, TaskError, TimeoutError } from '@mesosgot/common/internal';
import { LocalCluster } from '@mesosgot/local';
import { waitFor } from '@mesosgot/local/testing';
import { acceptanceSuite, isAlive, within } from '../support/gotask-acceptance.js';
import { LIFECYCLE_EXECUTOR, keptPaths, startApp, text } from '../support/lifecycle.js';

const suite = acceptanceSuite('lifecycle-chaos', { lifecycle: LIFECYCLE_EXECUTOR });

const FAULTS = ['task-throws', 'executor-sigkill', 'master-unreachable', 'fatal-refusal', 'sched-throws', 'sched-returns', 'stop', 'abort'] as const;
type Fault = (typeof FAULTS)[number];
/** Longest run() may take to settle after any fault (teardown, grace periods, slow shared CPU). */
const SETTLE_BOUND_MS = 60_000;

let tmp: string | undefined;
let savedTmp: string | undefined;
const settled: { fault: Fault; afterReady: boolean; ms: number; outcome: string }[] = [];

beforeAll(async () => {
  // The embedded clusters make their mesosgot-local-* dirs here, where the test can see them all.
  tmp = await mkdtemp(join(tmpdir(), 'lifecycle-chaos-'));
  savedTmp = process.env.TMPDIR;
  process.env.TMPDIR = tmp;
});
afterAll(async () => {
  if (savedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmp;
  if (tmp !== undefined) await rm(tmp, { recursive: true, force: true });
  const longest = settled.reduce((m, s) => Math.max(m, s.ms), 0);
  console.log(`[lifecycle-chaos] ${settled.length} fault schedules; longest settle ${Math.round(longest)} ms\n${settled.map((s) => `  ${s.fault}${s.afterReady ? ' (after ready)' : ''}: ${s.outcome} in ${Math.round(s.ms)} ms`).join('\n')}`);
});

async function runSchedule(fault: Fault, afterReady: boolean): Promise<void> {
  const abort = new AbortController();
  const abortReason = new Error('chaos abort');
  const pids = new Set<number>();
  let refusing: LocalCluster | undefined;
  const flags = ['--master', 'local', '--local-agents', '1', '--local-agent-resources', 'cpus:2;mem:1024', '--connect-timeout', '3', '--drain-timeout', '1'];
  if (fault === 'master-unreachable') flags.push('--master', '127.0.0.1:1');
  if (fault === 'fatal-refusal') {
    refusing = new LocalCluster({ agents: 1, credentials: [{ principal: 'app', secret: 'right' }] });
    const secret = join(tmp!, 'secret');
    await writeFile(secret, 'wrong');
    flags.push('--master', await refusing.start(), '--principal', 'app', '--secret-file', secret);
  }
  try {
    const app = await startApp(suite, {
      isLocal: false,
      flags,
      options: { signal: abort.signal, driverOptions: { backoff: { initialMs: 200, maxMs: 500 } } },
      spawn: (sched, marks) => {
        sched.spawnTask('stall', 1, { cpus: 0.2, mem: 64 });
        sched.spawnTask('failonmark', 1, { cpus: 0.2, mem: 64 }, { env: { MARK_DIR: marks } });
      },
      schedFunc: async (schedIn) => {
        const drainIn = async (): Promise<void> => {
          for await (const m of schedIn) if (text(m.data).startsWith('ready:')) pids.add(Number(text(m.data).slice(6)));
        };
        if (afterReady || fault === 'executor-sigkill') {
          for await (const m of schedIn) {
            if (text(m.data).startsWith('ready:')) pids.add(Number(text(m.data).slice(6)));
            if (pids.size > 0 && m.taskName === 'failonmark-0') break;
          }
        }
        switch (fault) {
          case 'task-throws':
            writeFileSync(join(app.scratch.marks, 'fail'), '');
            return drainIn();
          case 'executor-sigkill':
            for (const pid of pids) process.kill(pid, 'SIGKILL');
            return drainIn();
          case 'sched-throws':
            throw new Error('chaos: the scheduler function throws');
          case 'stop':
            void app.sched.stop();
            return drainIn();
          case 'abort':
            abort.abort(abortReason);
            return drainIn();
          default:
            return undefined;
        }
      },
    });
    const outcome = await within(SETTLE_BOUND_MS, `run() to settle after ${fault}`, app.outcome);
    switch (fault) {
      case 'task-throws':
        expect(outcome).toBeInstanceOf(TaskError);
        expect((outcome as TaskError).taskId).toBe('failonmark-0');
        break;
      case 'executor-sigkill':
        expect(outcome).toBeInstanceOf(TaskError);
        break;
      case 'master-unreachable':
        expect(outcome).toBeInstanceOf(TimeoutError);
        break;
      case 'fatal-refusal':
        expect(outcome).toBeInstanceOf(MesosHttpError);
        break;
      case 'sched-throws':
        expect(outcome).toBeInstanceOf(TaskError);
        expect((outcome as TaskError).taskId).toBe('scheduler');
        break;
      case 'abort':
        expect(outcome).toBe(abortReason);
        break;
      case 'sched-returns':
      case 'stop':
        expect(outcome).toBeUndefined();
        break;
    }
    expect(app.events.filter((e) => e.type === 'Shutdown')).toHaveLength(1);
    settled.push({ fault, afterReady, ms: app.settledMs!, outcome: outcome === undefined ? 'resolved' : (outcome as Error).name });
    // The teardown killed every executor; the embedded cluster removed its directory.
    await waitFor(() => [...pids].every((pid) => !isAlive(pid)), { timeoutMs: 15_000, what: 'executors to be gone' });
    expect((await readdir(tmp!)).filter((n) => n.startsWith('mesosgot-local-'))).toEqual([]);
    // Only a failed executor's sandbox is kept (moved out, named in one warn line): the one whose
    // task threw, or that was SIGKILLed; the test deletes them.
    const kept = keptPaths(app.lines);
    try {
      for (const dir of kept) expect(await stat(dir).then((s) => s.isDirectory())).toBe(true);
      if (fault === 'task-throws' || fault === 'executor-sigkill') expect(kept.length).toBeGreaterThanOrEqual(1);
      else expect(kept).toEqual([]);
    } finally {
      for (const dir of kept) await rm(dir, { recursive: true, force: true });
    }
  } finally {
    await refusing?.stop();
  }
}

describe('GoTaskScheduler lifecycle under random faults', () => {
  it('run() settles within the bound with the fault\'s outcome, leaving no process and no temp dir', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...FAULTS), fc.boolean(), async (fault, afterReady) => runSchedule(fault, afterReady)),
      { numRuns: Number(process.env.CHAOS_RUNS ?? 12), seed: Number(process.env.CHAOS_SEED ?? Date.now() % 2 ** 31) },
    );
  }, 900_000);
});
