// Chaos: the agent crashes and restarts while thousands of channel messages flow, with
// checkpointing on (`--checkpoint`). The executor outlives the agent, re-subscribes within the
// recovery timeout and resends its unacknowledged updates; the tasks keep running (no TaskLost,
// no relaunch), their channels carry on — every message before, during and after the restart
// arrives exactly once and in order, both ways — and each task's TASK_RUNNING and
// TASK_FINISHED reach the scheduler function exactly once.
import { describe, expect, it } from '@jest/globals';
import { waitFor } from '@mesosgot/local/testing';
import { GoTaskScheduler, parseSchedulerConfig } from '../../src/index.js';
import { ClusterHandle, EventLog, SeqChecker, chatTraffic, faultsSuite, isAlive, survivors } from '../support/faults-harness.js';

const suite = faultsSuite();

const TASKS = ['chat-0', 'chat-1'];
const M = 2_000;
const N = 2_000;

describe('faults: the agent restarts with checkpointing', () => {
  it('the executor re-subscribes, tasks keep running, channels carry on exactly once and in order', async () => {
    // A loaded CI machine can starve the executor's reconnect past Mesos' 2 s default.
    const h = suite.track(new ClusterHandle({ executorReregistrationTimeoutMs: 15_000 }));
    // The relay: messages must cross the agent that restarts (a direct connection would bypass it).
    const config = parseSchedulerConfig(['--executor', suite.bundle, '--local-agents', '1', '--checkpoint', '--failover-timeout', '30', '--data-plane', 'relay'], {});
    const sched = new GoTaskScheduler(config, { localCluster: h.starter, driverOptions: { backoff: { initialMs: 20, maxMs: 200 } } });
    sched.spawnTask('chat', TASKS.length, { cpus: 0.3, mem: 64 }, { args: [String(N)] });
    const log = new EventLog();
    const seq = new SeqChecker();
    let executorPid = 0;
    let echoesAtCrash = 0;
    sched.registerSchedFunc(async (schedIn, schedOut, schedEvents) => {
      const sending = chatTraffic({ schedIn, schedOut, schedEvents }, log, seq, TASKS, M);
      await waitFor(() => seq.count('chat-0', 'e') >= M / 4 || seq.problems.length > 0, { timeoutMs: 15_000, what: 'messages flowing' });
      const agent = h.started.agents[0]!;
      executorPid = agent.executors()[0]!.pid!;
      echoesAtCrash = seq.count('chat-0', 'e');
      await h.started.stopAgent(0);
      // The checkpointing framework's executor outlives the agent.
      expect(isAlive(executorPid)).toBe(true);
      await h.started.restartAgent(0);
      await waitFor(() => agent.executors()[0]?.state === 'subscribed', { timeoutMs: 20_000, what: 'executor re-subscribed' });
      await waitFor(() => seq.problems.length > 0 || TASKS.every((t) => seq.count(t, 'e') === M && seq.count(t, 'n') === N), {
        timeoutMs: 20_000,
        what: 'every message both ways',
      });
      await sending;
      for (const t of TASKS) await schedOut.send({ taskName: t, data: 'finish' });
      await waitFor(() => TASKS.every((t) => log.has('TaskFinished', t)) || log.has('TaskLost'), { timeoutMs: 10_000, what: 'every task finished' });
    });
    await sched.run();
    expect(echoesAtCrash).toBeLessThan(M);
    expect(seq.problems).toEqual([]);
    expect(log.ofType('TaskLost')).toEqual([]);
    expect(log.count('TaskLaunched')).toBe(TASKS.length);
    for (const t of TASKS) {
      expect(seq.ready.get(t)).toBe(1);
      expect(seq.count(t, 'e')).toBe(M);
      expect(seq.count(t, 'n')).toBe(N);
      expect(log.count('TaskRunning', t)).toBe(1);
      expect(log.count('TaskFinished', t)).toBe(1);
    }
    expect(log.duplicates).toEqual([]);
    // The same executor process served before and after the restart.
    expect([...h.pids]).toEqual([executorPid]);
    expect(await survivors(h.pids)).toEqual([]);
  }, 40_000);
});
