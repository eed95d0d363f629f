// GoTask acceptance, gang allocation on the embedded cluster with real agents, through the
// public API: nothing is launched until every task fits. Two agents of cpus:1 hold three tasks
// of cpus 0.6 (+ 0.1 per executor) in sum but not when packed: no TaskLaunched, no TaskRunning,
// no executor process, and an AllocationPending that names what is missing. The positive case:
// three tasks of cpus 0.4 fit only across both agents, and are launched across them at once.
import { describe, expect, it } from '@jest/globals';
import { waitFor } from '@mesosgot/local/testing';
import { GoTaskScheduler, parseSchedulerConfig, type SchedEvent } from '@mesosgot/scheduler';
import { acceptanceSuite, ClusterProbe, collectEvents, eventsOf, readSandboxes, sandboxDirs, text, within } from '../support/gotask-acceptance.js';

const AGENTS = ['--local-agents', '2', '--local-agent-resources', 'cpus:1;mem:1024'];

const suite = acceptanceSuite('gotask-acceptance-gang');

async function probed(): Promise<{ probe: ClusterProbe; work: string }> {
  const s = await suite.scratch('gotask-acceptance-gang');
  const probe = suite.probe({ workDir: s.work });
  return { probe, work: s.work };
}

describe('GoTask acceptance: gang allocation', () => {
  it('launches nothing while the gang fits the agents in sum but not packed, and says what is missing', async () => {
    const { probe, work } = await probed();
    const sched = new GoTaskScheduler(parseSchedulerConfig(['--executor', suite.bundle, ...AGENTS], {}), { localCluster: probe.starter });
    sched.spawnTask('wide', 3, { cpus: 0.6, mem: 64 });
    const events: SchedEvent[] = [];
    let executorsSeen = 0;
    sched.registerSchedFunc(async (_schedIn, _schedOut, schedEvents) => {
      void collectEvents(schedEvents, events);
      const sampler = setInterval(() => (executorsSeen = Math.max(executorsSeen, probe.executorCount())), 10);
      try {
        // Once both agents' offers are held, the verdict is final (the plan depends on the held
        // offers only): one task cannot be placed, and nothing was launched.
        await waitFor(() => eventsOf(events, 'AllocationPending').some((e) => e.shortfall.offersHeld === 2), { timeoutMs: 10_000, what: 'AllocationPending over both agents' });
      } finally {
        clearInterval(sampler);
      }
    });
    await sched.run();

    expect(eventsOf(events, 'TaskLaunched')).toEqual([]);
    expect(eventsOf(events, 'TaskRunning')).toEqual([]);
    const pending = eventsOf(events, 'AllocationPending').find((e) => e.shortfall.offersHeld === 2)!;
    expect(pending.shortfall.unplaced).toEqual([{ name: 'wide', count: 1 }]);
    // The sum fits: nothing is missing overall, it is fragmentation.
    expect(pending.shortfall.missing).toEqual({});
    // No executor was ever started: no process, no sandbox.
    expect(executorsSeen).toBe(0);
    expect(await sandboxDirs(work)).toEqual([]);
    expect(events.at(-1)!.type).toBe('Shutdown');
  }, 30_000);

  it('a gang that fits only across both agents is launched across them at once, and runs to the end', async () => {
    const { probe, work } = await probed();
    const sched = new GoTaskScheduler(parseSchedulerConfig(['--executor', suite.bundle, ...AGENTS], {}), { localCluster: probe.starter });
    // 0.1 + 2 × 0.4 on one agent, 0.1 + 0.4 on the other.
    sched.spawnTask('quick', 3, { cpus: 0.4, mem: 64 });
    const events: SchedEvent[] = [];
    const messages: string[] = [];
    sched.registerSchedFunc(async (schedIn, _schedOut, schedEvents) => {
      void collectEvents(schedEvents, events);
      await within(15_000, 'three messages', (async () => {
        for await (const m of schedIn) {
          messages.push(`${m.taskName}: ${text(m)}`);
          if (messages.length === 3) break;
        }
      })());
      await waitFor(() => eventsOf(events, 'TaskFinished').length === 3, { timeoutMs: 10_000, what: 'three TaskFinished' });
    });
    await sched.run();

    expect(messages.sort()).toEqual([0, 1, 2].map((i) => `quick-${i}: hi from quick-${i}`));
    const launched = eventsOf(events, 'TaskLaunched');
    expect(launched.map((e) => e.taskId).sort()).toEqual(['quick-0', 'quick-1', 'quick-2']);
    const perAgent = new Map<string, number>();
    for (const e of launched) perAgent.set(e.agentId, (perAgent.get(e.agentId) ?? 0) + 1);
    expect([...perAgent.values()].sort()).toEqual([1, 2]);
    // All at once: every launch before the first task runs.
    expect(events.findLastIndex((e) => e.type === 'TaskLaunched')).toBeLessThan(events.findIndex((e) => e.type === 'TaskRunning'));
    expect(eventsOf(events, 'TaskFinished')).toHaveLength(3);
    // One executor per agent.
    expect(await readSandboxes(work)).toHaveLength(2);
  }, 30_000);
});
