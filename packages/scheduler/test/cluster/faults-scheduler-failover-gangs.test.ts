// Chaos: a scheduler that spawned a gang during run() goes away and a new one takes over the
// framework. The successor declares only the tasks before run() (gang 0); it must find the
// runtime gang on the master (the labels of its tasks' TaskInfos, listed by GET_TASKS), adopt
// both gangs without relaunching anything, and carry on: the tasks stream numbered messages the
// whole time, and the successor's stream of each picks up where the first one's ended (no
// gap, no reorder), and its next spawn continues the gang and task numbering.
import { describe, expect, it } from '@jest/globals';
import type { TaskMsg } from '@mesosgot/common';
import { LocalCluster } from '@mesosgot/local';
import { waitFor } from '@mesosgot/local/testing';
import { GoTaskScheduler, parseSchedulerConfig } from '../../src/index.js';
import { EventLog, SeqChecker, faultsSuite, text } from '../support/faults-harness.js';

const suite = faultsSuite();

/** Numbers each producing task would send: more than any run of this test takes, so they stream throughout. */
const ENDLESS = '100000000';
/** Numbers the successor must see past the first scheduler's last one, per task. */
const AFTER = 300;
const RESOURCES = { cpus: 0.3, mem: 64 };

/** The `n:<k>` numbers per task, as they arrive (duplicates and gaps kept, for the assertions). */
class Numbers {
  readonly byTask = new Map<string, number[]>();
  ready = new Set<string>();
  accept(m: TaskMsg): void {
    const data = text(m);
    if (data === 'ready') this.ready.add(m.taskName);
    const match = /^n:(\d+)$/.exec(data);
    if (match === null) return;
    let list = this.byTask.get(m.taskName);
    if (list === undefined) this.byTask.set(m.taskName, (list = []));
    list.push(Number(match[1]));
  }
  last(task: string): number {
    return this.byTask.get(task)?.at(-1) ?? -1;
  }
}

describe('faults: failover adopts gangs spawned during run()', () => {
  it('a successor adopts the declared gang and a runtime gang while their tasks stream, with no loss or reorder, and numbering continues', async () => {
    const cluster = suite.track(new LocalCluster({ agents: 1, executorShutdownGracePeriodMs: 2_000 }));
    const masterUrl = await cluster.start();
    const flags = ['--executor', suite.bundle, '--master', masterUrl, '--failover-timeout', '30'];
    const streaming = ['chat-0', 'chat-1', 'chat-2'];

    // The first scheduler: chat-0 declared before run() (gang 0), chat-1/chat-2 spawned mid-run
    // (gang 1); all three produce numbers until killed. It "dies" once each has sent a few.
    const first = new GoTaskScheduler(parseSchedulerConfig(flags, {}), { nodeCommand: process.execPath, failoverOnStop: true });
    first.spawnTask('chat', 1, RESOURCES, { args: [ENDLESS] });
    const log1 = new EventLog();
    const seq1 = new SeqChecker();
    let isFirstDrained = false;
    let spawned: Awaited<ReturnType<GoTaskScheduler['spawnTask']>> | undefined;
    first.registerSchedFunc(async (schedIn, _schedOut, schedEvents) => {
      void log1.drain(schedEvents);
      void (async () => {
        for await (const m of schedIn) seq1.accept(m);
        isFirstDrained = true;
      })();
      spawned = await first.spawnTask('chat', 2, RESOURCES, { args: [ENDLESS] });
      await waitFor(() => streaming.every((t) => seq1.count(t, 'n') >= 20), { timeoutMs: 20_000, what: 'first: every task streaming' });
    });
    await first.run();
    await waitFor(() => isFirstDrained, { timeoutMs: 5_000, what: "first: schedIn drained" });
    expect(spawned).toEqual({ gang: 1, taskIds: ['chat-1', 'chat-2'] });
    expect(seq1.problems).toEqual([]);
    const frameworkId = log1.ofType('Registered')[0]!.frameworkId;
    for (const t of streaming) expect(cluster.master.state.tasks.get(frameworkId, t)?.state).toBe('TASK_RUNNING');
    const firstLast = new Map(streaming.map((t) => [t, seq1.count(t, 'n') - 1]));

    // The successor declares only gang 0, as the application does before run().
    const second = new GoTaskScheduler(parseSchedulerConfig([...flags, '--framework-id', frameworkId], {}), { nodeCommand: process.execPath });
    second.spawnTask('chat', 1, RESOURCES, { args: [ENDLESS] });
    const log2 = new EventLog();
    const numbers = new Numbers();
    let next: Awaited<ReturnType<GoTaskScheduler['spawnTask']>> | undefined;
    second.registerSchedFunc(async (schedIn, _schedOut, schedEvents) => {
      void log2.drain(schedEvents);
      void (async () => {
        for await (const m of schedIn) numbers.accept(m);
      })();
      await waitFor(() => streaming.every((t) => log2.has('TaskRunning', t)), { timeoutMs: 15_000, what: 'second: every task adopted' });
      await waitFor(() => streaming.every((t) => numbers.last(t) >= firstLast.get(t)! + AFTER), { timeoutMs: 30_000, what: 'second: streams going on' });
      next = await second.spawnTask('chat', 1, RESOURCES, { args: ['0'] });
      await waitFor(() => numbers.ready.has('chat-3'), { timeoutMs: 15_000, what: 'second: the new gang ready' });
    });
    await second.run();

    expect(log2.ofType('Reregistered').map((e) => e.frameworkId)).toEqual([frameworkId]);
    expect(log2.ofType('GangAdopted').map((e) => [e.gang, e.taskIds])).toEqual([[1, ['chat-1', 'chat-2']]]);
    // Adopted, not relaunched: the only launch is the new gang's.
    expect(log2.ofType('TaskLaunched').map((e) => e.taskId)).toEqual(['chat-3']);
    for (const t of streaming) {
      expect(log2.ofType('TaskRunning').find((e) => e.taskId === t)?.status?.reason).toBe('REASON_RECONCILIATION');
      expect(log2.count('TaskRunning', t)).toBe(1);
      // Picks up where the first scheduler's stream ended (a number it saw may come again, once,
      // if its acknowledgement died with it), then strictly consecutive: no loss, no reorder.
      const got = numbers.byTask.get(t)!;
      expect(got[0]).toBeLessThanOrEqual(firstLast.get(t)! + 1);
      const gaps = got.slice(1).flatMap((n, i) => (n === got[i]! + 1 ? [] : [`${got[i]} then ${n}`]));
      expect(gaps).toEqual([]);
    }
    // Numbering continues after the highest gang and task index the first scheduler used.
    expect(next).toEqual({ gang: 2, taskIds: ['chat-3'] });
    expect(log2.has('TaskLost')).toBe(false);
    expect(log2.has('TaskFailed')).toBe(false);
    expect(log2.duplicates).toEqual([]);
  }, 90_000);
});
