// GoTask acceptance, failures under the default policy (`stop`), on the embedded cluster with
// real executor processes through the public API: an unknown task kind and a throwing task each
// become a TaskFailed that says what went wrong, and one failing task stops everything — the
// scheduler function sees TaskFailed then Shutdown, schedIn ends, run() rejects with TaskError
// after the teardown, and no executor process is left.
import { describe, expect, it } from '@jest/globals';
import { TaskError } from '@mesosgot/common';
import { waitFor } from '@mesosgot/local/testing';
import { GoTaskScheduler, parseSchedulerConfig, type SchedEvent } from '@mesosgot/scheduler';
import { acceptanceSuite, ClusterProbe, collectEvents, eventsOf, isAlive, readSandboxes, text, within } from '../support/gotask-acceptance.js';

const suite = acceptanceSuite('gotask-acceptance-failures');

/** What one run of a scheduler function saw, and how run() ended. */
interface Outcome {
  events: SchedEvent[];
  /** Messages from tasks, in arrival order. */
  messages: { taskName: string; text: string }[];
  /** Event types seen by the time schedIn ended, and whether it ended at all. */
  eventsWhenInputEnded: string[] | undefined;
  error: unknown;
  probe: ClusterProbe;
  work: string;
}

/** Runs until the stop policy ends it; once `goAfter` tasks said hello, sends each of them "go". */
async function runUntilStopped(spawn: (sched: GoTaskScheduler, marks: string) => void, goAfter = Infinity): Promise<Outcome> {
  const s = await suite.scratch('gotask-acceptance-fail');
  const probe = suite.probe({ workDir: s.work });
  const config = parseSchedulerConfig(['--executor', suite.bundle, '--local-agents', '2', '--local-agent-resources', 'cpus:1;mem:1024'], {});
  const sched = new GoTaskScheduler(config, { localCluster: probe.starter });
  spawn(sched, s.marks);
  const out: Outcome = { events: [], messages: [], eventsWhenInputEnded: undefined, error: undefined, probe, work: s.work };
  sched.registerSchedFunc(async (schedIn, schedOut, schedEvents) => {
    void collectEvents(schedEvents, out.events);
    const hello = new Set<string>();
    // The scheduler function never returns by itself: only the stop policy can end this loop.
    // Generous: on a loaded 2-core machine executors have been seen to take 18 s to subscribe.
    await within(60_000, 'schedIn to end (the stop policy)', (async () => {
      for await (const m of schedIn) {
        out.messages.push({ taskName: m.taskName, text: text(m) });
        if (text(m).startsWith('hello:')) hello.add(m.taskName);
        if (hello.size === goAfter) for (const taskName of hello) await schedOut.send({ taskName, data: 'go' });
      }
    })());
    // Events are delivered in order; wait until the channel caught up with the close of schedIn.
    await waitFor(() => out.events.some((e) => e.type === 'Shutdown'), { timeoutMs: 5_000, what: 'Shutdown event' });
    out.eventsWhenInputEnded = out.events.map((e) => e.type);
  });
  out.error = await sched.run().then(
    () => undefined,
    (error: unknown) => error,
  );
  return out;
}

describe('GoTask acceptance: failures under the stop policy', () => {
  it('a task of an unknown kind fails naming the kind, and stops the framework', async () => {
    const out = await runUntilStopped((sched, marks) => {
      sched.spawnTask('waiter', 2, { cpus: 0.2, mem: 64 }, { env: { MARK_DIR: marks } });
      sched.spawnTask('nosuchkind', 1, { cpus: 0.2, mem: 64 });
    });
    const failed = eventsOf(out.events, 'TaskFailed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ taskId: 'nosuchkind-0', state: 'TASK_FAILED', willRestart: false });
    expect(failed[0]!.message).toContain('nosuchkind');
    // It also names what the executor does know (the registered kinds).
    expect(failed[0]!.message).toContain('waiter');
    expect(out.error).toBeInstanceOf(TaskError);
    expect((out.error as TaskError).message).toContain('nosuchkind');
    expect(out.probe.stopped).toBe(true);
    for (const box of await readSandboxes(out.work)) expect(isAlive(box.pid)).toBe(false);
  }, 90_000);

  it('a throwing task: TaskFailed with its message, then Shutdown, schedIn ends, run() rejects with TaskError, everything torn down', async () => {
    const out = await runUntilStopped((sched, marks) => {
      // Waiters on both agents keep running until the failure stops the framework.
      sched.spawnTask('waiter', 3, { cpus: 0.3, mem: 64 }, { env: { MARK_DIR: marks } });
      sched.spawnTask('thrower', 1, { cpus: 0.3, mem: 64 });
    }, 4);
    const failed = eventsOf(out.events, 'TaskFailed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ taskId: 'thrower-0', state: 'TASK_FAILED', willRestart: false });
    expect(failed[0]!.message).toContain('deliberate failure of thrower-0');
    // The thrower's last message arrived before its failure.
    expect(out.messages.filter((m) => m.taskName === 'thrower-0').map((m) => m.text)).toEqual([expect.stringMatching(/^hello:\d+$/)]);

    // The scheduler function saw TaskFailed, then Shutdown, and its schedIn ended.
    expect(out.eventsWhenInputEnded).toBeDefined();
    const types = out.eventsWhenInputEnded!;
    const failedAt = types.indexOf('TaskFailed');
    const shutdownAt = types.indexOf('Shutdown');
    expect(failedAt).toBeGreaterThan(-1);
    expect(shutdownAt).toBeGreaterThan(failedAt);
    const shutdown = eventsOf(out.events, 'Shutdown');
    expect(shutdown[0]!.reason).toContain('thrower-0');
    expect(shutdown[0]!.reason).toContain('deliberate failure of thrower-0');

    // run() rejected with TaskError naming the task, after the teardown.
    expect(out.error).toBeInstanceOf(TaskError);
    expect((out.error as TaskError).message).toContain('thrower-0');
    expect(out.probe.stopped).toBe(true);
    // Everything torn down: the waiters were killed, and no executor process is left.
    const sandboxes = await readSandboxes(out.work);
    expect(sandboxes).toHaveLength(2);
    const states = new Map<string, string>();
    for (const box of sandboxes) {
      for (const u of box.updates) if (u.taskId !== undefined) states.set(u.taskId, u.state!);
      expect(isAlive(box.pid)).toBe(false);
    }
    expect(Object.fromEntries(states)).toEqual({ 'waiter-0': 'TASK_KILLED', 'waiter-1': 'TASK_KILLED', 'waiter-2': 'TASK_KILLED', 'thrower-0': 'TASK_FAILED' });
    expect(out.probe.executorCount()).toBe(0);
  }, 90_000);
});
