// MesosExecutorDriver as a real executor process (test/fixtures/driver-executor.ts, bundled with
// bundleScript) under the local cluster, driven by a plain-HTTP scheduler.
import { describe, expect, it } from '@jest/globals';
import type { TaskInfo } from '@mesosgot/common';
import { LocalCluster } from '@mesosgot/local';
import { waitFor } from '@mesosgot/local/testing';
import { executorProcess, fixtureExecutorSuite, isAlive, sandboxEvents, SMALL_RESOURCES, type SandboxEvent } from '../support/fixture-executor-suite.js';
import { HttpScheduler } from '../support/http-scheduler.js';

const suite = fixtureExecutorSuite('driver-executor');

function executorTask(taskId: string, executorId = 'exec-1'): Omit<TaskInfo, 'agent_id'> {
  return { name: taskId, task_id: { value: taskId }, resources: SMALL_RESOURCES, executor: suite.executorInfo(executorId, 'driver executor') };
}

async function setup(checkpoint: boolean) {
  const cluster = suite.track(new LocalCluster({ executorShutdownGracePeriodMs: 3_000 }));
  const masterUrl = await cluster.start();
  const scheduler = suite.track(await HttpScheduler.subscribe(masterUrl, { checkpoint, failover_timeout: 60 }));
  return { cluster, scheduler };
}

function driverEvents(sandbox: string): SandboxEvent[] {
  return sandboxEvents(sandbox, 'driver-events.jsonl');
}

describe('MesosExecutorDriver under LocalCluster', () => {
  it('registers, sends updates that reach the scheduler in order, exchanges messages and kills', async () => {
    const { cluster, scheduler } = await setup(false);
    const offer = await scheduler.launch([executorTask('t1')]);
    const agentId = offer.agent_id.value;
    const running = await scheduler.waitForState('t1', 'TASK_RUNNING');
    expect(running).toMatchObject({ source: 'SOURCE_EXECUTOR', executor_id: { value: 'exec-1' }, agent_id: { value: agentId } });
    const { sandbox } = await executorProcess(cluster, 'exec-1');

    await scheduler.message(agentId, 'exec-1', 'hello');
    await scheduler.waitForMessage('echo:hello');

    await scheduler.launch([executorTask('t2')]);
    await scheduler.waitForState('t2', 'TASK_RUNNING');
    await scheduler.message(agentId, 'exec-1', 'finish:t2');
    await scheduler.waitForState('t2', 'TASK_FINISHED');
    expect(scheduler.statesOf('t2')).toEqual(['TASK_RUNNING', 'TASK_FINISHED']);

    await scheduler.kill('t1', agentId);
    const killed = await scheduler.waitForState('t1', 'TASK_KILLED');
    expect(killed.message).toBe('killed by request');
    expect(scheduler.statesOf('t1')).toEqual(['TASK_RUNNING', 'TASK_KILLED']);

    const kinds = driverEvents(sandbox).map((e) => e.kind);
    expect(kinds).toEqual(['registered', 'launchTask', 'frameworkMessage', 'launchTask', 'frameworkMessage', 'killTask']);
    expect(driverEvents(sandbox)[0]).toMatchObject({ executorId: 'exec-1', agentId });
  });

  it('on SHUTDOWN kills its tasks (TASK_KILLED reaches the scheduler) and exits with DRIVER_STOPPED', async () => {
    const { cluster, scheduler } = await setup(false);
    const offer = await scheduler.launch([executorTask('t1')]);
    await scheduler.waitForState('t1', 'TASK_RUNNING');
    const { sandbox, pid } = await executorProcess(cluster, 'exec-1');
    await scheduler.call({ type: 'SHUTDOWN', shutdown: { executor_id: { value: 'exec-1' }, agent_id: offer.agent_id } });
    const killed = await scheduler.waitForState('t1', 'TASK_KILLED');
    expect(killed).toMatchObject({ source: 'SOURCE_EXECUTOR', message: 'executor shutdown' });
    await waitFor(() => !isAlive(pid), { what: 'the executor process to exit', timeoutMs: 5_000 });
    const events = driverEvents(sandbox);
    expect(events.map((e) => e.kind)).toEqual(['registered', 'launchTask', 'shutdown', 'exit']);
    expect(events.at(-1)).toMatchObject({ status: 'DRIVER_STOPPED' });
  });

  it('with checkpointing survives an agent restart and resends the update it sent while disconnected', async () => {
    const { cluster, scheduler } = await setup(true);
    const offer = await scheduler.launch([executorTask('t1')]);
    const agentId = offer.agent_id.value;
    await scheduler.waitForState('t1', 'TASK_RUNNING');
    const { sandbox, pid } = await executorProcess(cluster, 'exec-1');

    await cluster.stopAgent(0);
    await waitFor(() => driverEvents(sandbox).some((e) => e.kind === 'update-while-disconnected'), { what: 'an update sent while disconnected' });
    expect(driverEvents(sandbox).find((e) => e.kind === 'update-while-disconnected')).toMatchObject({ outcome: 'fulfilled' });
    await cluster.restartAgent(0);

    await scheduler.waitForMessage(`reregistered:${agentId}`);
    const resent = await waitFor(() => scheduler.updates.find((u) => u.message === 'sent while disconnected'), {
      what: 'the update sent while disconnected',
      timeoutMs: 10_000,
    });
    expect(resent).toMatchObject({ task_id: { value: 't1' }, state: 'TASK_RUNNING', source: 'SOURCE_EXECUTOR' });
    expect(isAlive(pid)).toBe(true);

    await scheduler.message(agentId, 'exec-1', 'finish:t1');
    await scheduler.waitForState('t1', 'TASK_FINISHED');
    expect(driverEvents(sandbox).map((e) => e.kind)).toEqual([
      'registered',
      'launchTask',
      'disconnected',
      'update-while-disconnected',
      'reregistered',
      'frameworkMessage',
    ]);
  });

  it('without checkpointing does not survive an agent restart', async () => {
    const { cluster, scheduler } = await setup(false);
    await scheduler.launch([executorTask('t1')]);
    await scheduler.waitForState('t1', 'TASK_RUNNING');
    const { sandbox, pid } = await executorProcess(cluster, 'exec-1');

    await cluster.stopAgent(0);
    await scheduler.waitForState('t1', 'TASK_LOST');
    await waitFor(() => !isAlive(pid), { what: 'the executor process to be gone', timeoutMs: 5_000 });
    await cluster.restartAgent(0);
    expect(cluster.agents[0]!.executors()).toEqual([]);
    expect(driverEvents(sandbox).map((e) => e.kind)).not.toContain('reregistered');
  });
});
