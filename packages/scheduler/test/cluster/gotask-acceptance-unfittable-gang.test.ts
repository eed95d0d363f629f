// Elastic gangs that cannot fit. A gang spawned during run() that no state of the cluster could
// hold — one task larger than every agent, or more tasks than all agents together hold even
// when empty — rejects its promise with UnfittableTaskError at once instead of waiting for
// ever, and the running tasks go on. One that only cannot fit *now* (others hold what it needs)
// waits, named by AllocationPending, and runs once they free it. Against a LocalCluster given
// by URL, as a real cluster would be: the scheduler learns the agents' sizes from their offers.
import { describe, expect, it } from '@jest/globals';
import { UnfittableTaskError } from '@mesosgot/common';
import { LocalCluster } from '@mesosgot/local';
import { waitFor } from '@mesosgot/local/testing';
import { GoTaskScheduler, parseSchedulerConfig, type GangInfo } from '../../src/index.js';
import { EventLog, SeqChecker, faultsSuite } from '../support/faults-harness.js';

const suite = faultsSuite();

/** Settles to what happened to `p` without waiting for it. */
async function outcome(p: Promise<unknown>): Promise<'pending' | 'resolved' | 'rejected'> {
  const marker = Symbol('pending');
  return Promise.race([p.then(() => 'resolved' as const, () => 'rejected' as const), Promise.resolve(marker)]).then((r) => (r === marker ? 'pending' : r));
}

describe('GoTaskScheduler elastic gangs that cannot fit', () => {
  it('rejects a gang that can never fit with UnfittableTaskError; keeps one that cannot fit yet pending until resources free up', async () => {
    // Two agents of 2 cpus; each agent's executor takes 0.1.
    const cluster = suite.track(new LocalCluster({ agents: 2, agentResources: 'cpus:2;mem:1024;disk:1024', executorShutdownGracePeriodMs: 2_000 }));
    const masterUrl = await cluster.start();
    const sched = new GoTaskScheduler(parseSchedulerConfig(['--executor', suite.bundle, '--master', masterUrl, '--hold-timeout', '30', '--log-level', 'warn'], {}), {
      nodeCommand: process.execPath,
    });
    // Gang 0 takes one task per agent (two do not fit one agent), so both agents have offered before any spawn.
    sched.spawnTask('chat', 2, { cpus: 1, mem: 64 });
    const log = new EventLog();
    const seq = new SeqChecker();
    const errors: unknown[] = [];
    let blocker: GangInfo | undefined;
    let later: GangInfo | undefined;
    let pendingWhileBlocked: string | undefined;
    sched.registerSchedFunc(async (schedIn, schedOut, schedEvents) => {
      void log.drain(schedEvents);
      void (async () => {
        for await (const m of schedIn) seq.accept(m);
      })();
      await waitFor(() => seq.ready.get('chat-0') === 1 && seq.ready.get('chat-1') === 1, { timeoutMs: 15_000, what: 'gang 0 ready' });

      // Never: one task larger than any agent; three tasks of which each agent holds only one.
      for (const spawn of [
        () => sched.spawnTask('chat', 1, { cpus: 3, mem: 64 }),
        () => sched.spawnTask('chat', 3, { cpus: 1.5, mem: 64 }),
      ]) {
        await spawn().then(
          () => errors.push('resolved'),
          (error: unknown) => errors.push(error),
        );
      }
      // The running task never noticed.
      await schedOut.send({ taskName: 'chat-0', data: 'm:0' });
      await waitFor(() => seq.count('chat-0', 'e') === 1, { timeoutMs: 10_000, what: 'chat-0 echo' });

      // Not now, but later: the blocker takes what gang 0 left on both agents; the next gang fits only once it is gone.
      blocker = await sched.spawnTask('chat', 2, { cpus: 0.8, mem: 64 });
      const waiting = sched.spawnTask('chat', 2, { cpus: 0.8, mem: 64 });
      await waitFor(() => log.ofType('AllocationPending').some((e) => e.shortfall.gang === 4), { timeoutMs: 15_000, what: 'AllocationPending for gang 4' });
      pendingWhileBlocked = await outcome(waiting);
      await sched.killGang(blocker.gang);
      later = await waiting;
      for (const t of later.taskIds) await waitFor(() => seq.ready.get(t) === 1, { timeoutMs: 15_000, what: `${t} ready` });
    });
    await sched.run();

    expect(errors).toHaveLength(2);
    const [tooBig, tooMany] = errors as UnfittableTaskError[];
    expect(tooBig).toBeInstanceOf(UnfittableTaskError);
    expect(tooBig!.message).toMatch(/^gang 1 can never fit: task "chat" cannot fit on any agent known: .*cpus 3\.1 > 2/);
    expect(tooMany).toBeInstanceOf(UnfittableTaskError);
    expect(tooMany!.message).toMatch(/^gang 2 can never fit: the gang \(3 × chat, .*\) is larger than the 2 agent\(s\) known together \(cpus 4, .*even with every agent empty/);
    // Nothing of theirs launched; each was also told as an Error event.
    expect(log.ofType('Error').map((e) => e.message)).toEqual([tooBig!.message, tooMany!.message]);
    // (Their ids stay used: chat-2 and chat-3…5; numbering goes on after them.)
    expect(log.ofType('TaskLaunched').map((e) => e.taskId).sort()).toEqual(['chat-0', 'chat-1', 'chat-6', 'chat-7', 'chat-8', 'chat-9']);
    // The blocked gang waited (not rejected), then ran once the blocker was killed.
    expect(blocker).toEqual({ gang: 3, taskIds: ['chat-6', 'chat-7'] });
    expect(pendingWhileBlocked).toBe('pending');
    expect(later).toEqual({ gang: 4, taskIds: ['chat-8', 'chat-9'] });
    expect(seq.problems).toEqual([]);
    expect(log.has('TaskFailed')).toBe(false);
  }, 90_000);

  it("on the embedded cluster judges by the agents' totals: a gang larger than both agents together rejects, one that fits them runs", async () => {
    const sched = new GoTaskScheduler(
      parseSchedulerConfig(['--executor', suite.bundle, '--local-agents', '2', '--local-agent-resources', 'cpus:1;mem:512;disk:512', '--hold-timeout', '30', '--log-level', 'warn'], {}),
      { nodeCommand: process.execPath },
    );
    const outcomes: unknown[] = [];
    sched.registerSchedFunc(async () => {
      // Each agent has 0.9 cpus besides its executor: it holds one task of 0.9 or 0.5, two of 0.45.
      for (const [count, cpus] of [[3, 0.9], [4, 0.5]] as const) {
        await sched.spawnTask('chat', count, { cpus, mem: 64 }).then(
          () => outcomes.push('resolved'),
          (error: unknown) => outcomes.push(error),
        );
      }
      const fits = await sched.spawnTask('chat', 3, { cpus: 0.45, mem: 64 });
      outcomes.push(fits);
    });
    await sched.run();
    expect(outcomes).toHaveLength(3);
    expect(outcomes[0]).toBeInstanceOf(UnfittableTaskError);
    expect((outcomes[0] as Error).message).toMatch(/^gang 1 can never fit: the gang \(3 × chat, .*\) is larger than the 2 agent\(s\) known together \(cpus 2, /);
    expect(outcomes[1]).toBeInstanceOf(UnfittableTaskError);
    expect((outcomes[1] as Error).message).toMatch(/^gang 2 can never fit: /);
    expect(outcomes[2]).toEqual({ gang: 3, taskIds: ['chat-7', 'chat-8', 'chat-9'] });
  }, 60_000);
});
