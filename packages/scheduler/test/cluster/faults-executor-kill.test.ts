// Chaos: an executor process is SIGKILLed mid-run. ExecutorLost and TaskFailed reach the
// scheduler function; the killed process is reaped at once (no zombie) and, once run() is
// done, no process any agent reported is left (no orphan). Under the restart policy the
// tasks come back in a new executor and their channels work again.
import { describe, expect, it } from '@jest/globals';
import { TaskError } from '@mesosgot/common';
import { waitFor } from '@mesosgot/local/testing';
import { GoTaskScheduler, parseSchedulerConfig } from '../../src/index.js';
import { ClusterHandle, EventLog, SeqChecker, faultsSuite, isAlive, survivors } from '../support/faults-harness.js';

const suite = faultsSuite();

const TASKS = ['chat-0', 'chat-1'];

function configFor(policy: 'stop' | 'restart'): ReturnType<typeof parseSchedulerConfig> {
  return parseSchedulerConfig(['--executor', suite.bundle, '--local-agents', '1', '--local-agent-resources', 'cpus:2;mem:1024', '--task-failure-policy', policy], {});
}

describe('faults: an executor is SIGKILLed', () => {
  it('restart policy: ExecutorLost and TaskFailed reach the scheduler function, the process is reaped, the tasks come back and finish', async () => {
    const h = suite.track(new ClusterHandle());
    const sched = new GoTaskScheduler(configFor('restart'), { localCluster: h.starter });
    sched.spawnTask('chat', 2, { cpus: 0.3, mem: 64 }, { args: ['200'] });
    const log = new EventLog();
    const seq = new SeqChecker();
    let killedPid = 0;
    let killedExecutor = '';
    let messages = 0;
    sched.registerSchedFunc(async (schedIn, schedOut, schedEvents) => {
      void log.drain(schedEvents);
      void (async () => {
        for await (const m of schedIn) seq.accept(m);
      })();
      await waitFor(() => TASKS.every((t) => seq.ready.get(t) === 1 && seq.count(t, 'n') === 200), { timeoutMs: 15_000, what: 'every task ready and produced' });
      const frameworkId = log.ofType('Registered')[0]!.frameworkId;
      const [snapshot] = h.started.agents[0]!.executors();
      killedPid = snapshot!.pid!;
      killedExecutor = snapshot!.executorId;
      expect(h.started.killExecutor(frameworkId, killedExecutor, 'SIGKILL')).toBe(true);
      await waitFor(() => log.has('ExecutorLost') && TASKS.every((t) => log.has('TaskFailed', t)), { timeoutMs: 10_000, what: 'ExecutorLost and TaskFailed' });
      // The agent reaped it: not even a zombie is left (kill(pid, 0) → ESRCH).
      await waitFor(() => !isAlive(killedPid), { timeoutMs: 3_000, what: 'killed executor reaped' });
      for (const t of TASKS) seq.restart(t);
      await waitFor(() => TASKS.every((t) => seq.ready.get(t) === 2 && seq.count(t, 'n') === 200), { timeoutMs: 15_000, what: 'tasks relaunched in a new executor' });
      for (let k = 0; k < 100; k++) for (const t of TASKS) await schedOut.send({ taskName: t, data: `m:${k}` });
      await waitFor(() => TASKS.every((t) => seq.count(t, 'e') === 100), { timeoutMs: 10_000, what: 'echoes from the new executor' });
      for (const t of TASKS) await schedOut.send({ taskName: t, data: 'finish' });
      await waitFor(() => TASKS.every((t) => log.has('TaskFinished', t)), { timeoutMs: 10_000, what: 'every task finished' });
      messages = seq.total;
    });
    await sched.run();
    expect(messages).toBeGreaterThanOrEqual(2 * (2 + 400 + 100));
    const lost = log.ofType('ExecutorLost');
    expect(lost.map((e) => e.executorId)).toEqual([killedExecutor]);
    // SIGKILL: a wait status that is not a clean exit.
    expect(lost[0]!.status).not.toBe(0);
    for (const e of log.ofType('TaskFailed')) {
      expect(e.state).toBe('TASK_FAILED');
      expect(e.willRestart).toBe(true);
    }
    const relaunched = log.ofType('TaskLaunched').slice(TASKS.length);
    expect(relaunched.map((e) => e.taskId).sort()).toEqual(TASKS);
    for (const e of relaunched) expect(e.executorId).not.toBe(killedExecutor);
    for (const t of TASKS) {
      expect(log.count('TaskRunning', t)).toBe(2);
      expect(log.count('TaskFinished', t)).toBe(1);
    }
    expect(log.duplicates).toEqual([]);
    expect(seq.problems).toEqual([]);
    expect(h.pids.size).toBe(2);
    expect(await survivors(h.pids)).toEqual([]);
  }, 30_000);

  it('default policy: the TaskFailed stops the framework; run() rejects with TaskError and no process is left', async () => {
    const h = suite.track(new ClusterHandle());
    const sched = new GoTaskScheduler(configFor('stop'), { localCluster: h.starter });
    sched.spawnTask('chat', 2, { cpus: 0.3, mem: 64 });
    const log = new EventLog();
    const seq = new SeqChecker();
    sched.registerSchedFunc(async (schedIn, _schedOut, schedEvents) => {
      void log.drain(schedEvents);
      const reading = (async () => {
        for await (const m of schedIn) seq.accept(m);
      })();
      await waitFor(() => TASKS.every((t) => seq.ready.get(t) === 1), { timeoutMs: 15_000, what: 'every task ready' });
      const frameworkId = log.ofType('Registered')[0]!.frameworkId;
      const [snapshot] = h.started.agents[0]!.executors();
      h.started.killExecutor(frameworkId, snapshot!.executorId, 'SIGKILL');
      await reading;
    });
    const failure = await sched.run().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(TaskError);
    expect((failure as TaskError).message).toMatch(/TASK_FAILED/);
    expect(log.has('ExecutorLost')).toBe(true);
    expect(log.duplicates).toEqual([]);
    expect(await survivors(h.pids)).toEqual([]);
  }, 30_000);
});
