// GoTask acceptance, elastic gangs: spawnTask during run() declares a gang allocated all or
// nothing on its own while the others run; gangs are killed whole; an executor whose last task
// ended is shut down; policy `isolate` ends one gang alone. On the embedded cluster with real
// executors.
import { describe, expect, it } from '@jest/globals';
import { waitFor } from '@mesosgot/local/testing';
import { GoTaskScheduler, parseSchedulerConfig, type GangInfo, type SchedEvent } from '@mesosgot/scheduler';
import { acceptanceSuite, collectEvents, eventsOf, text, within } from '../support/gotask-acceptance.js';

const suite = acceptanceSuite('gotask-acceptance-elastic');

function config(extra: string[] = []): ReturnType<typeof parseSchedulerConfig> {
  return parseSchedulerConfig(['--executor', suite.bundle, '--local-agents', '1', '--hold-timeout', '30', '--log-level', 'warn', ...extra], {});
}

describe('GoTaskScheduler elastic gangs', () => {
  it('a gang spawned mid-run while other tasks stream numbered messages: all RUNNING, ids continue, no loss or reorder on either stream', async () => {
    const s = await suite.scratch('gotask-elastic-stream');
    const probe = suite.probe({ workDir: s.work, agentResources: 'cpus:4;mem:4096' });
    const sched = new GoTaskScheduler(config(), { localCluster: probe.starter });
    const N = 3_000;
    void sched.spawnTask('seq', 2, { cpus: 0.1, mem: 32 }, { args: [String(N)] });
    const events: SchedEvent[] = [];
    const gangs: GangInfo[] = [];
    const received = new Map<string, string[]>();
    const reports: string[] = [];
    sched.registerSchedFunc(async (schedIn, schedOut, schedEvents) => {
      void collectEvents(schedEvents, events);
      const sending = (async () => {
        for (let i = 0; i < N; i++) {
          await schedOut.send({ taskName: 'seq-0', data: `s:${i}` });
          await schedOut.send({ taskName: 'seq-1', data: `s:${i}` });
        }
      })();
      let spawning: Promise<void> | undefined;
      await within(60_000, 'both seq reports', (async () => {
        for await (const m of schedIn) {
          const t = text(m);
          if (t.startsWith('in:')) reports.push(`${m.taskName}=${t.split(':').slice(0, 3).join(':')}`);
          else if (t.startsWith('s:')) received.set(m.taskName, [...(received.get(m.taskName) ?? []), t]);
          // Mid-stream: two gangs of the same kind, one after the other.
          if (spawning === undefined && (received.get('seq-0')?.length ?? 0) >= N / 3) {
            spawning = (async () => {
              gangs.push(await sched.spawnTask('quick', 2, { cpus: 0.1, mem: 32 }));
              gangs.push(await sched.spawnTask('quick', 1, { cpus: 0.1, mem: 32 }));
            })();
          }
          if (reports.length === 2) return;
        }
      })());
      await sending;
      await within(30_000, 'the spawned gangs RUNNING', spawning ?? Promise.resolve());
    });
    await sched.run();
    expect(gangs.map((g) => [g.gang, [...g.taskIds]])).toEqual([[1, ['quick-0', 'quick-1']], [2, ['quick-2']]]);
    expect(reports.sort()).toEqual(['seq-0=in:3000:ok', 'seq-1=in:3000:ok']);
    const expected = Array.from({ length: N }, (_, i) => `s:${i}`);
    expect(received.get('seq-0')).toEqual(expected);
    expect(received.get('seq-1')).toEqual(expected);
    expect(eventsOf(events, 'TaskRunning').map((e) => e.taskId).sort()).toEqual(['quick-0', 'quick-1', 'quick-2', 'seq-0', 'seq-1']);
    expect(eventsOf(events, 'TaskFailed')).toEqual([]);
  }, 120_000);

  it('a gang that cannot fit while others run waits (AllocationPending names it), and is placed once a killed gang frees its resources; the idle executor is retired', async () => {
    const s = await suite.scratch('gotask-elastic-fit');
    // One agent: the executor (0.1) and two 0.4-cpu waiters fill it; a second gang of two does not fit.
    const probe = suite.probe({ workDir: s.work, agentResources: 'cpus:1;mem:2048' });
    const sched = new GoTaskScheduler(config(), { localCluster: probe.starter });
    const events: SchedEvent[] = [];
    let second: GangInfo | undefined;
    let pendingWhileFirstRan = false;
    let executorsAfterKill = -1;
    sched.registerSchedFunc(async (schedIn, _schedOut, schedEvents) => {
      void collectEvents(schedEvents, events);
      const first = await within(30_000, 'gang 1 RUNNING', sched.spawnTask('waiter', 2, { cpus: 0.4, mem: 64 }, { env: { MARK_DIR: s.marks } }));
      expect(first.gang).toBe(1);
      const secondGang = sched.spawnTask('waiter', 2, { cpus: 0.4, mem: 64 }, { env: { MARK_DIR: s.marks } });
      await waitFor(() => eventsOf(events, 'AllocationPending').some((e) => e.shortfall.gang === 2), { timeoutMs: 20_000, what: 'AllocationPending for gang 2' });
      pendingWhileFirstRan = eventsOf(events, 'TaskRunning').every((e) => first.taskIds.includes(e.taskId));
      await sched.killGang(first.gang);
      second = await within(30_000, 'gang 2 RUNNING after the kill', secondGang);
      // The first gang's executor had no task left: it was shut down (one executor runs now).
      await waitFor(() => probe.executorCount() === 1, { timeoutMs: 20_000, what: 'the idle executor to be retired' });
      executorsAfterKill = probe.executorCount();
      void schedIn;
    });
    await sched.run();
    expect(pendingWhileFirstRan).toBe(true);
    expect(second?.taskIds).toEqual(['waiter-2', 'waiter-3']);
    expect(eventsOf(events, 'TaskKilled').map((e) => e.taskId).sort()).toEqual(['waiter-0', 'waiter-1']);
    expect(eventsOf(events, 'ExecutorLost').length).toBeGreaterThanOrEqual(1);
    expect(executorsAfterKill).toBe(1);
    expect(eventsOf(events, 'TaskFailed')).toEqual([]);
  }, 120_000);

  it('policy isolate: a failed task ends its gang alone (GangFailed, the rest of it killed); other gangs and run() go on', async () => {
    const s = await suite.scratch('gotask-elastic-isolate');
    const probe = suite.probe({ workDir: s.work, agentResources: 'cpus:4;mem:4096' });
    const sched = new GoTaskScheduler(config(), { localCluster: probe.starter });
    void sched.spawnTask('waiter', 1, { cpus: 0.1, mem: 32 }, { env: { MARK_DIR: s.marks } });
    const events: SchedEvent[] = [];
    let stillRunning = false;
    sched.registerSchedFunc(async (schedIn, schedOut, schedEvents) => {
      void collectEvents(schedEvents, events);
      const gang = await within(30_000, 'the thrower gang RUNNING', sched.spawnTask('thrower', 2, { cpus: 0.1, mem: 32 }, { policy: 'isolate' }));
      await schedOut.send({ taskName: gang.taskIds[0]!, data: 'fail now' });
      await waitFor(() => eventsOf(events, 'GangFailed').length === 1 && eventsOf(events, 'TaskKilled').length === 1, { timeoutMs: 20_000, what: 'GangFailed and the other thrower killed' });
      // The initial gang still talks.
      stillRunning = events.every((e) => e.type !== 'Shutdown');
      void schedIn;
    });
    await sched.run();
    expect(stillRunning).toBe(true);
    expect(eventsOf(events, 'GangFailed')).toMatchObject([{ gang: 1, failedTask: 'thrower-0' }]);
    expect(eventsOf(events, 'TaskFailed').map((e) => e.taskId)).toEqual(['thrower-0']);
    expect(eventsOf(events, 'TaskKilled').map((e) => e.taskId)).toEqual(['thrower-1']);
  }, 120_000);
});
