// GoTaskExecutor as a real executor process (test/fixtures/gotask-executor.ts, bundled with
// bundleScript) under the local cluster, driven by a plain-HTTP scheduler speaking link frames.
import { describe, expect, it } from '@jest/globals';
import { type TaskInfo } from '@mesosgot/common';
import { encodeTaskSpec } from '@mesosgot/common/internal';
import { LocalCluster } from '@mesosgot/local';
import { waitFor } from '@mesosgot/local/testing';
import { executorProcess, fixtureExecutorSuite, isAlive, sandboxEvents, SMALL_RESOURCES, type SandboxEvent } from '../support/fixture-executor-suite.js';
import { HttpScheduler } from '../support/http-scheduler.js';
import { LinkScheduler } from '../support/link-scheduler.js';

const EXECUTOR_ID = 'gotask-exec';

const suite = fixtureExecutorSuite('gotask-executor');

function task(taskId: string, extra: Partial<TaskInfo> = {}): Omit<TaskInfo, 'agent_id'> {
  return { name: taskId, task_id: { value: taskId }, resources: SMALL_RESOURCES, executor: suite.executorInfo(EXECUTOR_ID, 'gotask executor'), ...extra };
}

/** A cluster, a scheduler, and the first launch (the executor starts with it); then the link. */
async function setup(first: Omit<TaskInfo, 'agent_id'>[]) {
  const cluster = suite.track(new LocalCluster({ executorShutdownGracePeriodMs: 3_000 }));
  const masterUrl = await cluster.start();
  const scheduler = suite.track(await HttpScheduler.subscribe(masterUrl, { name: 'gotask-executor-test' }));
  const offer = await scheduler.launch(first);
  const agentId = offer.agent_id.value;
  const link = suite.track(new LinkScheduler(scheduler, agentId, EXECUTOR_ID));
  return { cluster, scheduler, link, agentId };
}

function events(sandbox: string): SandboxEvent[] {
  return sandboxEvents(sandbox, 'gotask-events.jsonl');
}

describe('GoTaskExecutor under LocalCluster', () => {
  it('runs a task: args and env from the spec, hello/echo through the link stamped with the task id', async () => {
    const { scheduler, link } = await setup([task('echo-0', { data: encodeTaskSpec({ args: ['x', 'y'], env: { E: 'env-value' } }) })]);
    await scheduler.waitForState('echo-0', 'TASK_RUNNING');
    await waitFor(() => link.textsFrom('echo-0').length === 1, { what: 'the started message' });
    expect(link.textsFrom('echo-0')).toEqual(['started:["echo-0","x","y"]:env-value']);
    await link.send('echo-0', 'hello');
    await link.send('echo-0', 'again');
    await waitFor(() => link.textsFrom('echo-0').length === 3, { what: 'two echoes' });
    expect(link.textsFrom('echo-0').slice(1)).toEqual(['echo:hello', 'echo:again']);
    // The task wrote taskName "ignored-name": the executor stamps the sender's id.
    expect(link.received.map((m) => m.taskName)).toEqual(['echo-0', 'echo-0', 'echo-0']);
  });

  it('fails an unknown kind naming the registered kinds, and a throwing task with its message', async () => {
    const { scheduler } = await setup([task('lift-0'), task('fail-0')]);
    const unknown = await scheduler.waitForState('lift-0', 'TASK_FAILED');
    expect(unknown.message).toBe('task lift-0: no task function registered for kind "lift" (registered: "echo", "fail", "stubborn", "burst")');
    expect(unknown.source).toBe('SOURCE_EXECUTOR');
    expect(scheduler.statesOf('lift-0')).toEqual(['TASK_FAILED']);
    const failed = await scheduler.waitForState('fail-0', 'TASK_FAILED');
    expect(failed.message).toBe('task fail-0: deliberate failure');
    expect(scheduler.statesOf('fail-0')).toEqual(['TASK_RUNNING', 'TASK_FAILED']);
  });

  it('delivers a finishing task\'s last messages before its TASK_FINISHED', async () => {
    const { scheduler, link } = await setup([task('burst-0', { data: encodeTaskSpec({ args: ['300'], env: {} }) })]);
    await scheduler.waitForState('burst-0', 'TASK_FINISHED');
    expect(link.messageEventIndex('n:299')).toBeGreaterThanOrEqual(0);
    expect(link.messageEventIndex('n:299')).toBeLessThan(link.updateEventIndex('burst-0', 'TASK_FINISHED'));
    await waitFor(() => link.textsFrom('burst-0').length === 300, { what: '300 messages' });
    expect(link.textsFrom('burst-0')).toEqual(Array.from({ length: 300 }, (_, i) => `n:${i}`));
  });

  it('on kill closes input: the task says bye (delivered first) and TASK_KILLED follows', async () => {
    const { cluster, scheduler, link, agentId } = await setup([task('echo-1')]);
    await scheduler.waitForState('echo-1', 'TASK_RUNNING');
    const { sandbox } = await executorProcess(cluster, EXECUTOR_ID);
    await scheduler.kill('echo-1', agentId);
    const killed = await scheduler.waitForState('echo-1', 'TASK_KILLED');
    expect(killed.message).toBe('killed by request');
    expect(scheduler.statesOf('echo-1')).toEqual(['TASK_RUNNING', 'TASK_KILLED']);
    expect(events(sandbox).filter((e) => e.kind === 'input-closed')).toMatchObject([{ taskId: 'echo-1' }]);
    expect(link.messageEventIndex('bye:echo-1')).toBeGreaterThanOrEqual(0);
    expect(link.messageEventIndex('bye:echo-1')).toBeLessThan(link.updateEventIndex('echo-1', 'TASK_KILLED'));
  });

  it('abandons a task that ignores kill after its kill_policy grace and reports TASK_KILLED', async () => {
    const grace = { grace_period: { nanoseconds: 400_000_000 } };
    const { scheduler, agentId } = await setup([task('stubborn-0', { kill_policy: grace }), task('echo-2', { data: encodeTaskSpec({ args: [], env: {}, inline: true }) })]);
    await scheduler.waitForState('stubborn-0', 'TASK_RUNNING');
    await scheduler.waitForState('echo-2', 'TASK_RUNNING');
    const killedAt = Date.now();
    await scheduler.kill('stubborn-0', agentId);
    const killed = await scheduler.waitForState('stubborn-0', 'TASK_KILLED');
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(400);
    expect(killed.message).toBe('killed by request; the task function did not return within 400 ms and its thread was terminated');
    // The other task is unaffected.
    expect(scheduler.statesOf('echo-2')).toEqual(['TASK_RUNNING']);
  });

  it('on SHUTDOWN closes every input, reports TASK_KILLED for each task, and the process ends by itself', async () => {
    // One task on a thread, one inline: shutdown ends both the same way.
    const { cluster, scheduler, link, agentId } = await setup([task('echo-3'), task('echo-4', { data: encodeTaskSpec({ args: [], env: {}, inline: true }) })]);
    await scheduler.waitForState('echo-3', 'TASK_RUNNING');
    await scheduler.waitForState('echo-4', 'TASK_RUNNING');
    const { sandbox, pid } = await executorProcess(cluster, EXECUTOR_ID);
    await waitFor(() => link.received.length === 2, { what: 'both started messages' });
    await scheduler.call({ type: 'SHUTDOWN', shutdown: { executor_id: { value: EXECUTOR_ID }, agent_id: { value: agentId } } });
    for (const id of ['echo-3', 'echo-4']) {
      const killed = await scheduler.waitForState(id, 'TASK_KILLED');
      expect(killed.message).toBe('killed by executor shutdown');
      expect(scheduler.statesOf(id)).toEqual(['TASK_RUNNING', 'TASK_KILLED']);
    }
    await waitFor(() => !isAlive(pid), { what: 'the executor process to exit', timeoutMs: 5_000 });
    const log = events(sandbox);
    expect(log.filter((e) => e.kind === 'input-closed').map((e) => e.taskId).sort()).toEqual(['echo-3', 'echo-4']);
    expect(log.at(-1)).toMatchObject({ kind: 'exit', status: 'DRIVER_STOPPED' });
    // The executor exited on its own well before the agent's SIGKILL at the end of the 3 s grace.
    const exitedAfter = (log.at(-1)!.at as number) - (log.find((e) => e.kind === 'input-closed')!.at as number);
    expect(exitedAfter).toBeLessThan(2_500);
    await waitFor(() => link.textsFrom('echo-3').includes('bye:echo-3') && link.textsFrom('echo-4').includes('bye:echo-4'), { what: 'both byes' });
  });

  it('after TEARDOWN exits by itself at once, though its last output and update are never acknowledged', async () => {
    // The end of every GoTask run: the scheduler tears down while a finished task still waits
    // for the scheduler's acknowledgement of its last messages. Here no link end acknowledges
    // them, and the agent drops the updates of the framework being torn down without
    // ACKNOWLEDGED (as a real one does). A long grace period: an executor that waited for either
    // would still be alive at the deadline below.
    const cluster = suite.track(new LocalCluster({ executorShutdownGracePeriodMs: 20_000 }));
    const scheduler = suite.track(await HttpScheduler.subscribe(await cluster.start(), { name: 'gotask-executor-teardown-test' }));
    await scheduler.launch([task('burst-1', { data: encodeTaskSpec({ args: ['3'], env: {} }) })]);
    await scheduler.waitForState('burst-1', 'TASK_RUNNING');
    const { sandbox, pid } = await executorProcess(cluster, EXECUTOR_ID);
    await waitFor(() => scheduler.messages.length > 0, { what: 'the task\'s messages' });
    // Its function returned; its TASK_FINISHED waits for the acknowledgement of its messages.
    expect(scheduler.statesOf('burst-1')).toEqual(['TASK_RUNNING']);
    await scheduler.call({ type: 'TEARDOWN' });
    await waitFor(() => !isAlive(pid), { what: 'the executor process to exit by itself', timeoutMs: 8_000 });
    const log = events(sandbox);
    expect(log.at(-1)).toMatchObject({ kind: 'exit', status: 'DRIVER_STOPPED' });
    // The task's flush did not run into its deadline: at SHUTDOWN it stopped waiting for acks.
    expect(log.filter((e) => e.kind === 'error')).toEqual([]);
  });
});
