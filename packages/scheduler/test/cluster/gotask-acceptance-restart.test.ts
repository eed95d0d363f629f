// GoTask acceptance, the restart policy (`--task-failure-policy restart --max-restarts 2`) on
// the embedded cluster with real executor processes, through the public API: a task that fails
// once is relaunched and then finishes; a task that always fails stops the framework after the
// limit. One agent of cpus:1 and tasks of cpus 0.85: a task and one executor (0.1) fit, a second
// executor does not, so each relaunch (which goes to a new executor) must wait until the retired
// executor is shut down and its resources are back.
import { describe, expect, it } from '@jest/globals';
import { TaskError } from '@mesosgot/common';
import { waitFor } from '@mesosgot/local/testing';
import { GoTaskScheduler, parseSchedulerConfig, type SchedEvent } from '@mesosgot/scheduler';
import { acceptanceSuite, ClusterProbe, collectEvents, eventsOf, isAlive, readSandboxes, text } from '../support/gotask-acceptance.js';

const suite = acceptanceSuite('gotask-acceptance-restart');

async function restartScheduler(): Promise<{ sched: GoTaskScheduler; probe: ClusterProbe; marks: string; work: string }> {
  const s = await suite.scratch('gotask-acceptance-restart');
  const probe = suite.probe({ workDir: s.work });
  const config = parseSchedulerConfig(
    ['--executor', suite.bundle, '--local-agents', '1', '--local-agent-resources', 'cpus:1;mem:1024', '--task-failure-policy', 'restart', '--max-restarts', '2', '--refuse-seconds', '0.2'],
    {},
  );
  return { sched: new GoTaskScheduler(config, { localCluster: probe.starter }), probe, marks: s.marks, work: s.work };
}

function taskTrail(events: readonly SchedEvent[], id: string): string[] {
  return events.filter((e) => 'taskId' in e && e.taskId === id).map((e) => (e.type === 'TaskFailed' ? `TaskFailed(willRestart=${e.willRestart})` : e.type));
}

describe('GoTask acceptance: the restart policy', () => {
  it('relaunches a task that fails once; the second attempt finishes and run() resolves', async () => {
    const { sched, probe, marks, work } = await restartScheduler();
    // 0.1 executor + 0.85: the relaunch fits only once the failed attempt's executor let go.
    sched.spawnTask('failonce', 1, { cpus: 0.85, mem: 64 }, { env: { MARK_DIR: marks } });
    const events: SchedEvent[] = [];
    const messages: string[] = [];
    sched.registerSchedFunc(async (schedIn, _schedOut, schedEvents) => {
      void collectEvents(schedEvents, events);
      void (async () => {
        for await (const m of schedIn) messages.push(`${m.taskName}: ${text(m)}`);
      })();
      // Deadlines everywhere: a relaunch that never fits must fail the test, not hang it.
      await waitFor(() => messages.length > 0, { timeoutMs: 15_000, what: 'the second attempt\'s message' });
      await waitFor(() => eventsOf(events, 'TaskFinished').length === 1, { timeoutMs: 15_000, what: 'TaskFinished of the second attempt' });
      // Mesos reports the retired executor's end (FAILURE with executor_id) as ExecutorLost.
      await waitFor(() => eventsOf(events, 'ExecutorLost').length === 1, { timeoutMs: 10_000, what: 'ExecutorLost of the retired executor' });
    });
    await sched.run();

    expect(messages).toEqual(['failonce-0: second attempt ok']);
    expect(taskTrail(events, 'failonce-0')).toEqual(['TaskLaunched', 'TaskRunning', 'TaskFailed(willRestart=true)', 'TaskLaunched', 'TaskRunning', 'TaskFinished']);
    const failed = eventsOf(events, 'TaskFailed')[0]!;
    expect(failed.message).toContain('first attempt of failonce-0 fails');
    // The relaunch went to a new executor (the old one closed the task's link stream).
    const launched = eventsOf(events, 'TaskLaunched');
    expect(launched[0]!.executorId).not.toBe(launched[1]!.executorId);
    expect(eventsOf(events, 'Shutdown')).toEqual([{ type: 'Shutdown', reason: 'the scheduler function returned' }]);
    // The retired executor was shut down cleanly, and it is the only one that ended before teardown.
    expect(eventsOf(events, 'Error')).toEqual([]);
    expect(eventsOf(events, 'ExecutorLost').map((e) => e.executorId)).toEqual([launched[0]!.executorId]);
    expect(probe.stopped).toBe(true);
    for (const box of await readSandboxes(work)) expect(isAlive(box.pid)).toBe(false);
  }, 30_000);

  it('a task that always fails is relaunched twice, then the third failure stops the framework: Shutdown, run() rejects with TaskError', async () => {
    const { sched, probe, work } = await restartScheduler();
    sched.spawnTask('alwaysfail', 1, { cpus: 0.85, mem: 64 });
    const events: SchedEvent[] = [];
    let inputEnded = false;
    sched.registerSchedFunc(async (schedIn, _schedOut, schedEvents) => {
      void collectEvents(schedEvents, events);
      void (async () => {
        for await (const _ of schedIn) {
          // alwaysfail sends nothing.
        }
        inputEnded = true;
      })();
      // Only the stop policy ends schedIn; if it never does, fail at a deadline instead of hanging.
      await waitFor(() => inputEnded, { timeoutMs: 20_000, what: 'schedIn to end (stop after the restart limit)' });
    });
    const error = await sched.run().then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(inputEnded).toBe(true);
    expect(taskTrail(events, 'alwaysfail-0')).toEqual([
      'TaskLaunched', 'TaskRunning', 'TaskFailed(willRestart=true)',
      'TaskLaunched', 'TaskRunning', 'TaskFailed(willRestart=true)',
      'TaskLaunched', 'TaskRunning', 'TaskFailed(willRestart=false)',
    ]);
    for (const failed of eventsOf(events, 'TaskFailed')) expect(failed.message).toContain('always fails');
    const shutdowns = eventsOf(events, 'Shutdown');
    expect(shutdowns[0]!.reason).toContain('alwaysfail-0');
    expect(error).toBeInstanceOf(TaskError);
    expect((error as TaskError).message).toContain('alwaysfail-0');
    expect(probe.stopped).toBe(true);
    const sandboxes = await readSandboxes(work);
    expect(sandboxes).toHaveLength(3);
    for (const box of sandboxes) expect(isAlive(box.pid)).toBe(false);
  }, 30_000);
});
