// Issue 6 acceptance, kill: GoTaskScheduler.killTask stops one task while the others go on —
// its input closes, its function returns, the app sees TaskKilled for it (and nothing else
// stops: kill is not a failure, whatever the policy).
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { InvalidArgumentError } from '@mesosgot/common';
import { waitFor } from '@mesosgot/local/testing';
import { GoTaskScheduler, parseSchedulerConfig, type SchedEvent } from '@mesosgot/scheduler';
import { bundleExecutor, ClusterProbe, collectEvents, eventsOf, scratch, text, within } from '../support/gotask-acceptance.js';

let dir: string;
let bundle: string;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gotask-acceptance-kill-'));
  bundle = await bundleExecutor(dir);
}, 60_000);
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('GoTaskScheduler.killTask', () => {
  it('kills one task: its input closes, TaskKilled reaches the app, the other tasks keep running', async () => {
    const s = await scratch('gotask-acceptance-kill');
    cleanups.push(s.remove);
    const probe = new ClusterProbe({ workDir: s.work });
    cleanups.push(() => probe.cleanup());
    const sched = new GoTaskScheduler(parseSchedulerConfig(['--executor', bundle, '--local-agents', '1'], {}), { localCluster: probe.starter });
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
