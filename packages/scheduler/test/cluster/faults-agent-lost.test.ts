// Chaos: an agent dies mid-run (LocalCluster.stopAgent = abrupt crash). Its tasks become
// TASK_LOST, the scheduler function hears the first TaskLost, then Shutdown, the last event
// schedEvents carries (later TaskLost and SlaveLost events reach onEvent only); the default policy stops the
// whole framework (run() rejects with TaskError after teardown, no executor process left), the
// restart policy relaunches the lost tasks on the surviving agent and the app completes.
import { describe, expect, it } from '@jest/globals';
import { TaskError } from '@mesosgot/common';
import { waitFor } from '@mesosgot/local/testing';
import { GoTaskScheduler, parseSchedulerConfig, type SchedEvent } from '../../src/index.js';
import { ClusterHandle, EventLog, SeqChecker, faultsSuite, survivors } from '../support/faults-harness.js';

const suite = faultsSuite();

const TASKS = ['chat-0', 'chat-1', 'chat-2'];

function configFor(policy: 'stop' | 'restart'): ReturnType<typeof parseSchedulerConfig> {
  // Two agents of cpus:1; each task takes 0.3, so one agent holds the executor (0.1) and all
  // three tasks: whatever the allocator chose, the survivor can take the lost agent's tasks.
  return parseSchedulerConfig(
    ['--executor', suite.bundle, '--local-agents', '2', '--local-agent-resources', 'cpus:1;mem:1024', '--task-failure-policy', policy, '--refuse-seconds', '1'],
    {},
  );
}

/** Index (in cluster.agents) of the agent that runs `taskId`, from its TaskLaunched event. */
function agentIndexOf(h: ClusterHandle, log: EventLog, taskId: string): number {
  const launched = log.ofType('TaskLaunched').filter((e) => e.taskId === taskId).at(-1)!;
  return h.started.agents.findIndex((a) => a.info.id.value === launched.agentId);
}

describe('faults: an agent dies mid-run', () => {
  it('default policy: TaskLost reaches the scheduler function, Shutdown is its last event, SlaveLost reaches onEvent, run() rejects with TaskError after teardown, no process left', async () => {
    const h = suite.track(new ClusterHandle());
    const observed: SchedEvent[] = [];
    const sched = new GoTaskScheduler(configFor('stop'), { localCluster: h.starter, onEvent: (e) => observed.push(e) });
    sched.spawnTask('chat', 3, { cpus: 0.3, mem: 64 });
    const log = new EventLog();
    const seq = new SeqChecker();
    let lostAgentId = '';
    let lostTasks: string[] = [];
    sched.registerSchedFunc(async (schedIn, schedOut, schedEvents) => {
      const events = log.drain(schedEvents);
      const reading = (async () => {
        for await (const m of schedIn) seq.accept(m);
      })();
      await waitFor(() => TASKS.every((t) => seq.ready.get(t) === 1), { timeoutMs: 15_000, what: 'every task ready' });
      for (let k = 0; k < 50; k++) for (const t of TASKS) await schedOut.send({ taskName: t, data: `m:${k}` });
      await waitFor(() => TASKS.every((t) => seq.count(t, 'e') === 50), { timeoutMs: 10_000, what: 'echoes before the crash' });
      const victim = agentIndexOf(h, log, 'chat-0');
      lostAgentId = h.started.agents[victim]!.info.id.value;
      lostTasks = log.ofType('TaskLaunched').filter((e) => e.agentId === lostAgentId).map((e) => e.taskId);
      h.sample();
      await h.started.stopAgent(victim);
      // The stop policy closes schedIn: the framework is going down.
      await reading;
      void events;
    });
    const failure = await sched.run().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(TaskError);
    expect((failure as TaskError).message).toMatch(/TASK_LOST/);
    // SlaveLost may come after Shutdown (then only onEvent sees it), never twice.
    expect(observed.flatMap((e) => (e.type === 'SlaveLost' ? [e.agentId] : []))).toEqual([lostAgentId]);
    expect(log.ofType('SlaveLost').length).toBeLessThanOrEqual(1);
    // The first TaskLost stops the system: the scheduler function sees it before Shutdown; the
    // other lost tasks' events may come after Shutdown, so onEvent is where all of them show.
    expect(log.ofType('TaskLost').length).toBeGreaterThanOrEqual(1);
    expect(log.ofType('TaskLost').every((e) => lostTasks.includes(e.taskId))).toBe(true);
    const lost = observed.flatMap((e) => (e.type === 'TaskLost' ? [e] : []));
    expect(lost.map((e) => e.taskId).sort()).toEqual([...lostTasks].sort());
    for (const e of lost) {
      expect(e.state).toBe('TASK_LOST');
      expect(e.reason).toBe('REASON_AGENT_DISCONNECTED');
      expect(e.willRestart).toBe(false);
    }
    // Acknowledged updates: each task's TASK_RUNNING exactly once, nothing twice.
    for (const t of TASKS) expect(log.count('TaskRunning', t)).toBe(1);
    expect(log.duplicates).toEqual([]);
    expect(seq.problems).toEqual([]);
    // Shutdown is the scheduler function's last event, exactly once; onEvent saw it too.
    expect(log.events.at(-1)).toEqual({ type: 'Shutdown', reason: expect.stringMatching(/TASK_LOST/) });
    expect(log.count('Shutdown')).toBe(1);
    expect(observed.filter((e) => e.type === 'Shutdown')).toHaveLength(1);
    // run() stopped the cluster: no executor, on either agent, outlived it.
    expect(h.pids.size).toBeGreaterThanOrEqual(1);
    expect(await survivors(h.pids)).toEqual([]);
  }, 30_000);

  it('restart policy: the lost tasks are relaunched on the surviving agent with fresh offers and the app completes', async () => {
    const h = suite.track(new ClusterHandle());
    const sched = new GoTaskScheduler(configFor('restart'), { localCluster: h.starter });
    sched.spawnTask('chat', 3, { cpus: 0.3, mem: 64 });
    const log = new EventLog();
    const seq = new SeqChecker();
    let lostAgentId = '';
    let lostTasks: string[] = [];
    let echoesChecked = 0;
    sched.registerSchedFunc(async (schedIn, schedOut, schedEvents) => {
      const events = log.drain(schedEvents);
      const reading = (async () => {
        for await (const m of schedIn) seq.accept(m);
      })();
      await waitFor(() => TASKS.every((t) => seq.ready.get(t) === 1), { timeoutMs: 15_000, what: 'every task ready' });
      const victim = agentIndexOf(h, log, 'chat-0');
      lostAgentId = h.started.agents[victim]!.info.id.value;
      lostTasks = log.ofType('TaskLaunched').filter((e) => e.agentId === lostAgentId).map((e) => e.taskId);
      h.sample();
      await h.started.stopAgent(victim);
      await waitFor(() => lostTasks.every((t) => log.has('TaskLost', t)), { timeoutMs: 5_000, what: 'TaskLost for every lost task' });
      for (const t of lostTasks) seq.restart(t);
      // Relaunched: each lost task says ready a second time, from the other agent.
      await waitFor(() => lostTasks.every((t) => seq.ready.get(t) === 2), { timeoutMs: 15_000, what: 'lost tasks relaunched' });
      for (let k = 0; k < 100; k++) for (const t of TASKS) await schedOut.send({ taskName: t, data: `m:${k}` });
      await waitFor(() => TASKS.every((t) => seq.count(t, 'e') === 100), { timeoutMs: 10_000, what: 'echoes after the relaunch' });
      echoesChecked = TASKS.length * 100;
      for (const t of TASKS) await schedOut.send({ taskName: t, data: 'finish' });
      await waitFor(() => TASKS.every((t) => log.has('TaskFinished', t)), { timeoutMs: 10_000, what: 'every task finished' });
      void reading;
      void events;
    });
    await sched.run();
    expect(lostTasks.length).toBeGreaterThanOrEqual(1);
    expect(echoesChecked).toBe(300);
    expect(log.ofType('SlaveLost').map((e) => e.agentId)).toEqual([lostAgentId]);
    for (const e of log.ofType('TaskLost')) {
      expect(lostTasks).toContain(e.taskId);
      expect(e.willRestart).toBe(true);
    }
    for (const t of lostTasks) {
      const launches = log.ofType('TaskLaunched').filter((e) => e.taskId === t);
      expect(launches).toHaveLength(2);
      expect(launches[1]!.agentId).not.toBe(lostAgentId);
    }
    // One TaskRunning per launch, one TaskFinished per task; no update delivered twice.
    for (const t of TASKS) {
      expect(log.count('TaskRunning', t)).toBe(lostTasks.includes(t) ? 2 : 1);
      expect(log.count('TaskFinished', t)).toBe(1);
    }
    expect(log.duplicates).toEqual([]);
    expect(seq.problems).toEqual([]);
    expect(await survivors(h.pids)).toEqual([]);
  }, 30_000);
});
