// GoTask acceptance, kill: GoTaskScheduler.killTask stops one task while the others go on —
// its input closes, its function returns, the app sees TaskKilled for it (and nothing else
// stops: kill is not a failure, whatever the policy).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { InvalidArgumentError } from '@mesosgot/common';
import { waitFor } from '@mesosgot/local/testing';
import { GoTaskScheduler, parseSchedulerConfig, type SchedEvent } from '@mesosgot/scheduler';
import { acceptanceSuite, collectEvents, eventsOf, text, within } from '../support/gotask-acceptance.js';

const suite = acceptanceSuite('gotask-acceptance-kill');

describe('GoTaskScheduler.killTask', () => {
  it('kills one task: its input closes, TaskKilled reaches the app, the other tasks keep running', async () => {
    const s = await suite.scratch('gotask-acceptance-kill');
    const probe = suite.probe({ workDir: s.work });
    const sched = new GoTaskScheduler(parseSchedulerConfig(['--executor', suite.bundle, '--local-agents', '1'], {}), { localCluster: probe.starter });
    sched.spawnTask('waiter', 3, { cpus: 0.1, mem: 32 }, { env: { MARK_DIR: s.marks } });
    await expect(sched.killTask('waiter-0')).rejects.toThrow(InvalidArgumentError);
    const events: SchedEvent[] = [];
    let killedWhileOthersRan = false;
    sched.registerSchedFunc(async (schedIn, _schedOut, schedEvents) => {
      void collectEvents(schedEvents, events);
      const hello = new Set<string>();
      await within(20_000, 'a hello from every waiter', (async () => {
        for await (const m of schedIn) {
          if (text(m).startsWith('hello:')) hello.add(m.taskName);
          if (hello.size === 3) return;
        }
      })());
      await expect(sched.killTask('nobody-7')).rejects.toThrow(/no such task/);
      await sched.killTask('waiter-1');
      await waitFor(() => eventsOf(events, 'TaskKilled').length === 1, { timeoutMs: 15_000, what: 'TaskKilled for waiter-1' });
      killedWhileOthersRan = !existsSync(join(s.marks, 'waiter-0.closed')) && !existsSync(join(s.marks, 'waiter-2.closed'));
      await sched.killTask('waiter-1'); // already ended: resolves at once
    });
    await sched.run();
    expect(eventsOf(events, 'TaskKilled').map((e) => e.taskId)).toEqual(['waiter-1']);
    expect(existsSync(join(s.marks, 'waiter-1.closed'))).toBe(true);
    expect(killedWhileOthersRan).toBe(true);
    expect(eventsOf(events, 'TaskFailed')).toEqual([]);
    expect(eventsOf(events, 'Shutdown').length).toBeLessThanOrEqual(1);
  }, 60_000);
});
