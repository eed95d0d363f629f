// Chaos: the scheduler process goes away and a new one takes over the framework. The first
// GoTaskScheduler ends with `failoverOnStop` (no TEARDOWN: what a dying process leaves behind),
// its tasks keep running; a second one, given `--framework-id` within the failover timeout,
// re-subscribes with that id, reconciles, adopts the two tasks that still run (no relaunch, the
// same executor process), launches the one task the master never heard of, and the app goes on:
// messages flow both ways in order, every task finishes, each TASK_RUNNING/TASK_FINISHED
// reaches each scheduler function exactly once.
import { describe, expect, it } from '@jest/globals';
import { LocalCluster } from '@mesosgot/local';
import { waitFor } from '@mesosgot/local/testing';
import { GoTaskScheduler, parseSchedulerConfig } from '../../src/index.js';
import { EventLog, SeqChecker, faultsSuite, isAlive, survivors } from '../support/faults-harness.js';

const suite = faultsSuite();

const K = 100;

describe('faults: the scheduler fails over to a new process', () => {
  it('a second GoTaskScheduler with --framework-id adopts the running tasks, launches the unknown one, and the app completes', async () => {
    const cluster = suite.track(new LocalCluster({ agents: 1, executorShutdownGracePeriodMs: 2_000 }));
    const masterUrl = await cluster.start();
    const agent = cluster.agents[0]!;
    const pids = new Set<number>();
    const sample = (): void => {
      for (const e of agent.executors()) if (e.pid !== undefined) pids.add(e.pid);
    };
    const flags = ['--executor', suite.bundle, '--master', masterUrl, '--failover-timeout', '30'];

    // The first scheduler: two tasks, K messages each way, then it "dies" (no TEARDOWN).
    const first = new GoTaskScheduler(parseSchedulerConfig(flags, {}), { nodeCommand: process.execPath, failoverOnStop: true });
    first.spawnTask('chat', 2, { cpus: 0.3, mem: 64 });
    const log1 = new EventLog();
    const seq1 = new SeqChecker();
    first.registerSchedFunc(async (schedIn, schedOut, schedEvents) => {
      void log1.drain(schedEvents);
      void (async () => {
        for await (const m of schedIn) seq1.accept(m);
      })();
      await waitFor(() => ['chat-0', 'chat-1'].every((t) => seq1.ready.get(t) === 1), { timeoutMs: 15_000, what: 'first: tasks ready' });
      for (let k = 0; k < K; k++) for (const t of ['chat-0', 'chat-1']) await schedOut.send({ taskName: t, data: `m:${k}` });
      await waitFor(() => ['chat-0', 'chat-1'].every((t) => seq1.count(t, 'e') === K), { timeoutMs: 10_000, what: 'first: echoes' });
      sample();
    });
    await first.run();
    const frameworkId = log1.ofType('Registered')[0]!.frameworkId;
    expect(seq1.problems).toEqual([]);
    // No TEARDOWN: the executor and its tasks outlive the first scheduler.
    const [survivor] = agent.executors();
    expect(survivor?.frameworkId).toBe(frameworkId);
    expect(isAlive(survivor!.pid!)).toBe(true);
    expect(cluster.master.state.tasks.get(frameworkId, 'chat-0')?.state).toBe('TASK_RUNNING');

    // The second scheduler takes over: same tasks plus one the master never saw.
    const second = new GoTaskScheduler(parseSchedulerConfig([...flags, '--framework-id', frameworkId], {}), { nodeCommand: process.execPath });
    second.spawnTask('chat', 3, { cpus: 0.3, mem: 64 });
    const log2 = new EventLog();
    const seq2 = new SeqChecker();
    const all = ['chat-0', 'chat-1', 'chat-2'];
    // The adopted tasks go on counting where the first scheduler left off; the new one is told the same numbers.
    for (const t of all) seq2.next.set(`${t}/e`, K);
    second.registerSchedFunc(async (schedIn, schedOut, schedEvents) => {
      void log2.drain(schedEvents);
      void (async () => {
        for await (const m of schedIn) seq2.accept(m);
      })();
      await waitFor(() => all.every((t) => log2.has('TaskRunning', t)), { timeoutMs: 15_000, what: 'second: every task running' });
      sample();
      for (let k = K; k < 2 * K; k++) for (const t of all) await schedOut.send({ taskName: t, data: `m:${k}` });
      await waitFor(() => all.every((t) => seq2.count(t, 'e') === 2 * K), { timeoutMs: 10_000, what: 'second: echoes' });
      for (const t of all) await schedOut.send({ taskName: t, data: 'finish' });
      await waitFor(() => all.every((t) => log2.has('TaskFinished', t)), { timeoutMs: 10_000, what: 'second: every task finished' });
    });
    await second.run();

    expect(log2.has('Registered')).toBe(false);
    expect(log2.ofType('Reregistered').map((e) => e.frameworkId)).toEqual([frameworkId]);
    expect(seq2.problems).toEqual([]);
    // Adopted, not relaunched: no TaskLaunched for chat-0/1, their TaskRunning is the master's answer.
    expect(log2.ofType('TaskLaunched').map((e) => e.taskId)).toEqual(['chat-2']);
    for (const t of ['chat-0', 'chat-1']) {
      expect(seq2.ready.get(t)).toBeUndefined();
      expect(log2.ofType('TaskRunning').find((e) => e.taskId === t)?.status?.reason).toBe('REASON_RECONCILIATION');
    }
    expect(seq2.ready.get('chat-2')).toBe(1);
    // chat-2 needed a new executor: the adopted one was started with the first scheduler's artifact URL.
    const launched = log2.ofType('TaskLaunched')[0]!;
    expect(launched.executorId).not.toBe(survivor!.executorId);
    for (const t of ['chat-0', 'chat-1']) {
      expect(log1.count('TaskRunning', t)).toBe(1);
      expect(log1.count('TaskFinished', t)).toBe(0);
    }
    for (const t of all) {
      expect(log2.count('TaskRunning', t)).toBe(1);
      expect(log2.count('TaskFinished', t)).toBe(1);
    }
    expect(log2.has('TaskLost')).toBe(false);
    expect(log1.duplicates).toEqual([]);
    expect(log2.duplicates).toEqual([]);
    // The second run tore the framework down: every executor, old and new, is gone.
    await waitFor(() => agent.executors().length === 0, { timeoutMs: 10_000, what: 'executors gone after teardown' });
    expect(pids.size).toBe(2);
    expect(pids.has(survivor!.pid!)).toBe(true);
    expect(await survivors(pids)).toEqual([]);
  }, 45_000);
});
