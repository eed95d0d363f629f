// Executor ends the agent must handle (docs/protocol.md, "Executor rules", rule 1, "Executor termination"): exit codes, signals, SHUTDOWN with its
// grace period, registration timeout, kill before delivery, a failed fetch.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { waitFor } from '@mesosgot/local/testing';
import { AGENT_ID, FRAMEWORK_ID, executorTask, framework, isAlive, startAgent, type Harness } from '../support/agent-harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.cleanup();
  harness = undefined;
});

async function executorPid(h: Harness, executorId = 'exec-1'): Promise<number> {
  const pid = await waitFor(() => h.agent.executors().find((e) => e.executorId === executorId)?.pid, { what: 'executor pid' });
  h.pids.add(pid);
  return pid;
}

describe('LocalAgent executor termination', () => {
  it('reports exit code 5 as wait status 1280 and fails the running task with REASON_EXECUTOR_TERMINATED (recorded)', async () => {
    harness = await startAgent();
    harness.master.autoAcknowledge = true;
    harness.agent.launchTasks(framework(), [executorTask('crashy-0', { behaviour: { exitCode: 5 } })]);
    await executorPid(harness);
    const failed = await waitFor(() => harness!.master.find('crashy-0', 'TASK_FAILED'), { what: 'TASK_FAILED' });
    expect(harness.master.exits).toEqual([{ frameworkId: FRAMEWORK_ID, executorId: 'exec-1', waitStatus: 1280 }]);
    expect(harness.master.statesOf('crashy-0')).toEqual(['TASK_RUNNING', 'TASK_FAILED']);
    // Same shape (and field order) as the recorded agent's update in faults-scheduler.jsonl.
    expect(Object.keys(failed)).toEqual(['task_id', 'state', 'message', 'source', 'reason', 'agent_id', 'executor_id', 'timestamp', 'uuid']);
    expect(failed).toMatchObject({
      message: 'Executor terminated',
      source: 'SOURCE_AGENT',
      reason: 'REASON_EXECUTOR_TERMINATED',
      agent_id: { value: AGENT_ID },
      executor_id: { value: 'exec-1' },
    });
    expect(harness.agent.executors()).toEqual([]);
  });

  it('reports a SIGKILLed executor as wait status 9', async () => {
    harness = await startAgent();
    harness.master.autoAcknowledge = true;
    harness.agent.launchTasks(framework(), [executorTask('task-1')]);
    const pid = await executorPid(harness);
    await waitFor(() => harness!.master.find('task-1', 'TASK_RUNNING'));
    harness.agent.killExecutor(FRAMEWORK_ID, 'exec-1');
    await waitFor(() => harness!.master.exits.length === 1);
    expect(harness.master.exits[0]!.waitStatus).toBe(9);
    expect(isAlive(pid)).toBe(false);
    await waitFor(() => harness!.master.find('task-1', 'TASK_FAILED'));
  });

  it('shutdownExecutor: SHUTDOWN, then after the grace period SIGKILL of the whole process group', async () => {
    harness = await startAgent({ executorShutdownGracePeriodMs: 300 });
    harness.master.autoAcknowledge = true;
    harness.agent.launchTasks(framework(), [
      executorTask('task-1', { env: { TEST_IGNORE_SHUTDOWN: '1', TEST_SPAWN_CHILD: '1' } }),
    ]);
    const pid = await executorPid(harness);
    const sandbox = harness.agent.executors()[0]!.sandbox;
    await waitFor(() => harness!.master.find('task-1', 'TASK_RUNNING'));
    const childPid = Number(await waitFor(() => existsSync(join(sandbox, 'child.pid')) && readFileSync(join(sandbox, 'child.pid'), 'utf8')));
    harness.pids.add(childPid);
    expect(isAlive(childPid)).toBe(true);
    const started = Date.now();
    harness.agent.shutdownExecutor({ value: FRAMEWORK_ID }, { value: 'exec-1' });
    await waitFor(() => harness!.master.exits.length === 1, { what: 'executor exit' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(harness.master.exits[0]!.waitStatus).toBe(9);
    const events = readFileSync(join(sandbox, 'events.jsonl'), 'utf8');
    expect(events).toContain('"type":"SHUTDOWN"');
    await waitFor(() => !isAlive(pid) && !isAlive(childPid), { what: 'executor and its child gone' });
    expect(harness.master.find('task-1', 'TASK_FAILED')).toMatchObject({ reason: 'REASON_EXECUTOR_TERMINATED' });
  });

  it('shutdownExecutor of a cooperative executor: its TASK_KILLED, exit status 0, no agent-generated failure', async () => {
    // A grace a loaded machine cannot outrun: the executor exits of its own accord, never killed.
    harness = await startAgent({ executorShutdownGracePeriodMs: 15_000 });
    harness.master.autoAcknowledge = true;
    harness.agent.launchTasks(framework(), [executorTask('task-1')]);
    await executorPid(harness);
    await waitFor(() => harness!.master.find('task-1', 'TASK_RUNNING'));
    harness.agent.shutdownExecutor({ value: FRAMEWORK_ID }, { value: 'exec-1' });
    await waitFor(() => harness!.master.exits.length === 1);
    expect(harness.master.exits[0]!.waitStatus).toBe(0);
    await waitFor(() => harness!.master.find('task-1', 'TASK_KILLED'));
    expect(harness.master.statesOf('task-1')).toEqual(['TASK_RUNNING', 'TASK_KILLED']);
  });

  it('kills an executor that does not subscribe in time: TASK_FAILED, REASON_EXECUTOR_REGISTRATION_TIMEOUT', async () => {
    harness = await startAgent({ executorRegistrationTimeoutMs: 400 });
    harness.master.autoAcknowledge = true;
    harness.agent.launchTasks(framework(), [executorTask('task-1', { env: { TEST_NO_SUBSCRIBE: '1' } })]);
    const pid = await executorPid(harness);
    const failed = await waitFor(() => harness!.master.find('task-1', 'TASK_FAILED'), { what: 'TASK_FAILED' });
    expect(failed).toMatchObject({
      source: 'SOURCE_AGENT',
      reason: 'REASON_EXECUTOR_REGISTRATION_TIMEOUT',
      message: 'Executor did not register within 400ms',
    });
    expect(isAlive(pid)).toBe(false);
    expect(harness.master.exits[0]!.waitStatus).toBe(9);
  });

  it('kills a task not yet delivered with TASK_KILLED, REASON_TASK_KILLED_DURING_LAUNCH, and shuts the idle executor down', async () => {
    harness = await startAgent();
    harness.master.autoAcknowledge = true;
    harness.agent.launchTasks(framework(), [executorTask('task-1', { env: { TEST_NO_SUBSCRIBE: '1' } })]);
    await executorPid(harness);
    harness.agent.killTask({ value: FRAMEWORK_ID }, { value: 'task-1' });
    const killed = await waitFor(() => harness!.master.find('task-1', 'TASK_KILLED'));
    expect(killed).toMatchObject({ source: 'SOURCE_AGENT', reason: 'REASON_TASK_KILLED_DURING_LAUNCH', executor_id: { value: 'exec-1' } });
    await waitFor(() => harness!.master.exits.length === 1, { what: 'executor shut down' });
    expect(harness.master.statesOf('task-1')).toEqual(['TASK_KILLED']);
  });

  it('a URI that cannot be fetched fails the task with REASON_CONTAINER_LAUNCH_FAILED naming the URI', async () => {
    harness = await startAgent();
    const task = executorTask('task-1');
    task.executor!.command!.uris = [{ value: 'file:///nonexistent/executor.mjs' }];
    harness.agent.launchTasks(framework(), [task]);
    const failed = await waitFor(() => harness!.master.find('task-1', 'TASK_FAILED'));
    expect(failed).toMatchObject({ source: 'SOURCE_AGENT', reason: 'REASON_CONTAINER_LAUNCH_FAILED' });
    expect(failed.message).toContain("Failed to fetch 'file:///nonexistent/executor.mjs'");
    expect(harness.master.exits).toEqual([{ frameworkId: FRAMEWORK_ID, executorId: 'exec-1', waitStatus: -1 }]);
  });

  it('killTask for a task this agent never ran answers TASK_LOST', async () => {
    harness = await startAgent();
    harness.agent.launchTasks(framework(), [executorTask('task-1')]);
    await executorPid(harness);
    harness.agent.killTask({ value: FRAMEWORK_ID }, { value: 'ghost' });
    expect(harness.master.find('ghost', 'TASK_LOST')).toMatchObject({ reason: 'REASON_EXECUTOR_TERMINATED', message: 'Cannot find executor' });
  });

  it('shutdownFramework stops its executors and sends no agent-generated updates for their tasks', async () => {
    harness = await startAgent();
    harness.master.autoAcknowledge = true;
    harness.agent.launchTasks(framework(), [executorTask('task-1', { env: { TEST_IGNORE_SHUTDOWN: '1' } })]);
    const pid = await executorPid(harness);
    await waitFor(() => harness!.master.find('task-1', 'TASK_RUNNING'));
    harness.agent.shutdownFramework({ value: FRAMEWORK_ID });
    await waitFor(() => harness!.master.exits.length === 1, { timeoutMs: 5_000 });
    await waitFor(() => !isAlive(pid));
    expect(harness.master.statesOf('task-1')).toEqual(['TASK_RUNNING']);
    expect(harness.agent.executors()).toEqual([]);
  });
});
