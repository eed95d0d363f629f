// Chaos: the scheduler's subscription is cut while thousands of channel messages flow both
// ways, with a non-zero failover timeout. (1) The master drops the stream
// (LocalCluster.dropSubscription), twice. (2) The master is unreachable for a while: a
// CuttingProxy between scheduler and master resets every connection and refuses new ones until
// the driver has retried several times. Each time the driver re-subscribes with its framework
// id (Reregistered), the tasks keep running (no TaskLost, one TaskRunning each), and every
// message arrives exactly once and in order, in both directions (numbered streams checked end
// to end).
import { describe, expect, it } from '@jest/globals';
import { LocalCluster } from '@mesosgot/local';
import { CuttingProxy, waitFor } from '@mesosgot/local/testing';
import { GoTaskScheduler, parseSchedulerConfig, type SchedulerConfig } from '../../src/index.js';
import { ClusterHandle, EventLog, SeqChecker, faultsSuite, survivors } from '../support/faults-harness.js';

const suite = faultsSuite();

const TASKS = ['chat-0', 'chat-1'];
/** Messages the scheduler sends each task (echoed back), and messages each task produces. */
const M = 2_500;
const N = 2_500;
const DRIVER = { backoff: { initialMs: 20, maxMs: 200 } };

/**
 * The app: every task echoes M numbered messages and produces N of its own; `fault(k)` is
 * called once the first task's echoes pass each of `cutAt` (while both directions still flow).
 */
function chatApp(sched: GoTaskScheduler, log: EventLog, seq: SeqChecker, cutAt: number[], fault: (k: number) => Promise<void>): void {
  sched.spawnTask('chat', TASKS.length, { cpus: 0.3, mem: 64 }, { args: [String(N)] });
  sched.registerSchedFunc(async (schedIn, schedOut, schedEvents) => {
    void log.drain(schedEvents);
    const reading = (async () => {
      for await (const m of schedIn) {
        seq.accept(m);
        if (seq.problems.length > 0) return;
      }
    })();
    const sending = (async () => {
      for (let k = 0; k < M; k++) for (const t of TASKS) await schedOut.send({ taskName: t, data: `m:${k}` });
    })();
    for (const [i, at] of cutAt.entries()) {
      await waitFor(() => seq.count('chat-0', 'e') >= at || seq.problems.length > 0, { timeoutMs: 15_000, what: `echo ${at}` });
      await fault(i);
    }
    await waitFor(() => seq.problems.length > 0 || TASKS.every((t) => seq.count(t, 'e') === M && seq.count(t, 'n') === N), {
      timeoutMs: 20_000,
      what: 'every message both ways',
    });
    await sending;
    for (const t of TASKS) await schedOut.send({ taskName: t, data: 'finish' });
    await waitFor(() => TASKS.every((t) => log.has('TaskFinished', t)), { timeoutMs: 10_000, what: 'every task finished' });
    void reading;
  });
}

function expectIntact(log: EventLog, seq: SeqChecker): void {
  expect(seq.problems).toEqual([]);
  for (const t of TASKS) {
    expect(seq.ready.get(t)).toBe(1);
    expect(seq.count(t, 'e')).toBe(M);
    expect(seq.count(t, 'n')).toBe(N);
    expect(log.count('TaskRunning', t)).toBe(1);
    expect(log.count('TaskFinished', t)).toBe(1);
  }
  expect(log.has('TaskLost')).toBe(false);
  expect(log.has('TaskFailed')).toBe(false);
  expect(log.duplicates).toEqual([]);
  expect(seq.total).toBe(TASKS.length * (1 + M + N));
}

describe('faults: the scheduler subscription is cut', () => {
  it('dropSubscription twice mid-stream: re-subscribes with its framework id, tasks keep running, every message exactly once and in order', async () => {
    const h = suite.track(new ClusterHandle());
    // The relay: messages must cross the cut subscription (a direct connection would bypass it).
    const config = parseSchedulerConfig(['--executor', suite.bundle, '--local-agents', '1', '--failover-timeout', '30', '--data-plane', 'relay'], {});
    const sched = new GoTaskScheduler(config, { localCluster: h.starter, driverOptions: DRIVER });
    const log = new EventLog();
    const seq = new SeqChecker();
    chatApp(sched, log, seq, [M / 5, M / 2], async (k) => {
      const frameworkId = log.ofType('Registered')[0]!.frameworkId;
      expect(h.started.dropSubscription(frameworkId)).toBe(true);
      await waitFor(() => log.count('Reregistered') === k + 1, { timeoutMs: 10_000, what: `re-subscribed after cut ${k}` });
    });
    await sched.run();
    expectIntact(log, seq);
    const frameworkId = log.ofType('Registered')[0]!.frameworkId;
    expect(log.count('Registered')).toBe(1);
    expect(log.ofType('Reregistered').map((e) => e.frameworkId)).toEqual([frameworkId, frameworkId]);
    expect(log.count('Disconnected')).toBe(2);
    expect(await survivors(h.pids)).toEqual([]);
  }, 40_000);

  it('master unreachable through a cutting proxy: connections reset and refused until the driver retried, then re-subscribes; nothing lost or repeated', async () => {
    const ownCluster = suite.track(new LocalCluster({ agents: 1, executorShutdownGracePeriodMs: 2_000 }));
    const masterUrl = await ownCluster.start();
    const p = suite.track(await CuttingProxy.start({ target: masterUrl }));
    const config: SchedulerConfig = parseSchedulerConfig(['--executor', suite.bundle, '--master', p.url, '--failover-timeout', '30', '--data-plane', 'relay'], {});
    const sched = new GoTaskScheduler(config, { nodeCommand: process.execPath, driverOptions: DRIVER });
    const log = new EventLog();
    const seq = new SeqChecker();
    let retriesWhileCut = 0;
    chatApp(sched, log, seq, [M / 3], async () => {
      const before = p.acceptedConnections;
      p.refuseNew(true);
      p.cutAll();
      // Unreachable until the driver tried (and failed) to reconnect three times.
      await waitFor(() => p.acceptedConnections >= before + 3, { timeoutMs: 10_000, what: 'driver retries while unreachable' });
      retriesWhileCut = p.acceptedConnections - before;
      p.refuseNew(false);
      await waitFor(() => log.has('Reregistered'), { timeoutMs: 10_000, what: 're-subscribed through the proxy' });
    });
    const pids = new Set<number>();
    const sampler = setInterval(() => {
      for (const e of ownCluster.agents[0]?.executors() ?? []) if (e.pid !== undefined) pids.add(e.pid);
    }, 25);
    try {
      await sched.run();
    } finally {
      clearInterval(sampler);
    }
    expect(retriesWhileCut).toBeGreaterThanOrEqual(3);
    expectIntact(log, seq);
    expect(log.count('Registered')).toBe(1);
    expect(log.count('Reregistered')).toBe(1);
    // run() tore the framework down (TEARDOWN through the proxy): the executor exits.
    await waitFor(() => ownCluster.agents[0]!.executors().length === 0, { timeoutMs: 10_000, what: 'executor gone after teardown' });
    expect(pids.size).toBe(1);
    expect(await survivors(pids)).toEqual([]);
  }, 40_000);
});
