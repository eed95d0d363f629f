// Chaos on the data plane: while numbered messages flow both ways between the scheduler function
// and two tasks on two agents, fast-check draws a fault schedule from: cut the executors' direct
// connections (a CuttingProxy sits between executors and the data port: advertiseDataPlane),
// cut them and refuse reconnects for a while (the relay must carry everything meanwhile), cut
// the relay (the scheduler's connection to the master), or both at once. Whatever the schedule,
// every stream arrives exactly once and in order (SeqChecker), and the links end back on the
// direct path.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { LocalCluster } from '@mesosgot/local';
import { CuttingProxy, waitFor } from '@mesosgot/local/testing';
import { GoTaskScheduler, parseSchedulerConfig } from '../../src/index.js';
import { memoryLogger } from '../support/lifecycle.js';
import { EventLog, SeqChecker, chatTraffic, faultsSuite } from '../support/faults-harness.js';

const suite = faultsSuite();

const TASKS = ['chat-0', 'chat-1'];
/** Messages the scheduler sends each task (echoed back), and messages each task produces. */
const M = 3_000;
const N = 3_000;
const DRIVER = { backoff: { initialMs: 20, maxMs: 200 } };
const FAULTS = ['cut-direct', 'cut-direct-refuse', 'cut-relay', 'cut-both'] as const;
type Fault = (typeof FAULTS)[number];
/** How long reconnects are refused after `cut-direct-refuse`, in echoes the relay must carry meanwhile. */
const RELAY_ONLY_ECHOES = 300;

async function runSchedule(schedule: { fault: Fault; at: number }[]): Promise<void> {
  const cluster = suite.track(new LocalCluster({ agents: 2, executorShutdownGracePeriodMs: 2_000 }));
  const masterUrl = await cluster.start();
  const relay = suite.track(await CuttingProxy.start({ target: masterUrl }));
  let direct: CuttingProxy | undefined;
  const config = parseSchedulerConfig(['--executor', suite.bundle, '--master', relay.url, '--failover-timeout', '30'], {});
  const { logger, lines } = memoryLogger();
  const sched = new GoTaskScheduler(config, {
    nodeCommand: process.execPath,
    driverOptions: DRIVER,
    logger,
    advertiseDataPlane: async (bound) => {
      direct = suite.track(await CuttingProxy.start({ target: `${bound.host}:${bound.port}` }));
      return { host: '127.0.0.1', port: direct.port };
    },
  });
  const log = new EventLog();
  const seq = new SeqChecker();
  // Per executor, the path its link took last, as the scheduler's log says it.
  const directLinks = (): number => {
    const path = new Map<string, boolean>();
    for (const line of lines) {
      const m = /executor (\S+): (messages go over the direct data plane|direct data-plane connection lost)/.exec(line);
      if (m) path.set(m[1]!, m[2]!.startsWith('messages'));
    }
    return [...path.values()].filter(Boolean).length;
  };
  sched.spawnTask('chat', TASKS.length, { cpus: 2, mem: 64 }, { args: [String(N)] });
  sched.registerSchedFunc(async (schedIn, schedOut, schedEvents) => {
    const sending = chatTraffic({ schedIn, schedOut, schedEvents }, log, seq, TASKS, M);
    const progress = (): number => Math.min(...TASKS.map((t) => seq.count(t, 'e')));
    for (const { fault, at } of schedule) {
      await waitFor(() => progress() >= at || seq.problems.length > 0, { timeoutMs: 30_000, what: `echo ${at} before ${fault}` });
      if (fault === 'cut-direct' || fault === 'cut-both') direct!.cutAll();
      if (fault === 'cut-relay' || fault === 'cut-both') relay.cutAll();
      if (fault === 'cut-direct-refuse') {
        direct!.refuseNew(true);
        direct!.cutAll();
        const from = progress();
        await waitFor(() => progress() >= Math.min(M, from + RELAY_ONLY_ECHOES) || seq.problems.length > 0, { timeoutMs: 30_000, what: 'echoes over the relay alone' });
        direct!.refuseNew(false);
      }
    }
    await waitFor(() => seq.problems.length > 0 || TASKS.every((t) => seq.count(t, 'e') === M && seq.count(t, 'n') === N), {
      timeoutMs: 60_000,
      what: 'every message both ways',
    });
    await sending;
    // The executors come back to the direct path after every cut.
    await waitFor(() => directLinks() === TASKS.length || seq.problems.length > 0, { timeoutMs: 20_000, what: 'both links direct again' });
    for (const t of TASKS) await schedOut.send({ taskName: t, data: 'finish' });
    await waitFor(() => TASKS.every((t) => log.has('TaskFinished', t)), { timeoutMs: 15_000, what: 'every task finished' });
  });
  await sched.run();
  expect(seq.problems).toEqual([]);
  for (const t of TASKS) {
    expect(seq.count(t, 'e')).toBe(M);
    expect(seq.count(t, 'n')).toBe(N);
    expect(log.count('TaskFinished', t)).toBe(1);
  }
  expect(seq.total).toBe(TASKS.length * (1 + M + N));
  expect(log.has('TaskLost') || log.has('TaskFailed')).toBe(false);
  const directCuts = schedule.filter((s) => s.fault !== 'cut-relay').length;
  // Two executors (two agents) connected once each, and again after a cut (cuts in a row may hit the same connections).
  if (directCuts > 0) {
    expect(direct!.acceptedConnections).toBeGreaterThan(TASKS.length);
    expect(lines.some((l) => l.includes('direct data-plane connection lost'))).toBe(true);
  }
}

describe('faults: the data plane is cut under load', () => {
  it('direct and relay paths cut at random points: every numbered stream exactly once and in order, back on the direct path (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ fault: fc.constantFrom(...FAULTS), at: fc.integer({ min: 50, max: M - RELAY_ONLY_ECHOES - 50 }) }), { minLength: 1, maxLength: 4 }).map((s) => s.sort((a, b) => a.at - b.at)),
        async (schedule) => runSchedule(schedule),
      ),
      { numRuns: 3 },
    );
  }, 300_000);
});
