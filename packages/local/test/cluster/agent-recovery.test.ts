// crash() and restart() (docs/protocol.md, "Agent restarts"): checkpointed executors outlive the agent, re-subscribe with
// their unacknowledged lists and the agent replays them de-duplicated by uuid; executors of
// frameworks without checkpointing die with the agent; executors that do not come back are
// destroyed after the re-registration timeout.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { waitFor } from '@mesosgot/local/testing';
import { AGENT_ID, FRAMEWORK_ID, executorTask, framework, isAlive, startAgent, type Harness } from '../support/agent-harness.js';

const REREGISTRATION_MS = 1_000;

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.cleanup();
  harness = undefined;
});

function events(sandbox: string): { kind: string; event?: { type: string; acknowledged?: { uuid: string } } }[] {
  return readFileSync(join(sandbox, 'events.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { kind: string });
}

describe('LocalAgent crash and restart', () => {
  it('recovers a checkpointing executor: same port, re-SUBSCRIBE, replayed update de-duplicated, stream continues', async () => {
    harness = await startAgent({ executorReregistrationTimeoutMs: REREGISTRATION_MS });
    const { agent, master } = harness;
    agent.launchTasks(framework({ checkpoint: true }), [
      executorTask('task-1', { behaviour: { keepUnacked: true, onResubscribe: ['TASK_FINISHED'] } }),
    ]);
    const running = await waitFor(() => master.find('task-1', 'TASK_RUNNING'), { what: 'TASK_RUNNING' });
    const { pid, sandbox } = agent.executors()[0]!;
    harness.pids.add(pid!);
    const port = agent.info.port;

    await agent.crash();
    expect(master.lost).toEqual([AGENT_ID]);
    expect(isAlive(pid!)).toBe(true);
    await waitFor(() => events(sandbox).some((e) => e.kind === 'stream-failed' || e.kind === 'stream-ended'), {
      what: 'executor saw the agent die',
    });

    await agent.restart();
    expect(agent.info.port).toBe(port);
    expect(master.registered).toHaveLength(2);
    await waitFor(() => events(sandbox).filter((e) => e.event?.type === 'SUBSCRIBED').length === 2, { what: 're-SUBSCRIBED' });
    // The replayed TASK_RUNNING (same uuid) was acknowledged to the executor again but not queued twice.
    await waitFor(
      () => events(sandbox).filter((e) => e.event?.type === 'ACKNOWLEDGED' && e.event.acknowledged?.uuid === running.uuid).length === 2,
      { what: 'second ACKNOWLEDGED for the replayed update' },
    );
    await waitFor(() => agent.pendingUpdates(FRAMEWORK_ID, 'task-1').length === 2, { what: 'TASK_FINISHED queued' });
    expect(agent.pendingUpdates(FRAMEWORK_ID, 'task-1').map((s) => [s.state, s.uuid])).toEqual([
      ['TASK_RUNNING', running.uuid],
      ['TASK_FINISHED', expect.any(String)],
    ]);
    // The restarted agent re-forwarded the checkpointed head to the master.
    expect(master.updates.filter((u) => u.status.uuid === running.uuid).length).toBeGreaterThanOrEqual(2);
    master.acknowledge(FRAMEWORK_ID, running);
    await waitFor(() => master.find('task-1', 'TASK_FINISHED'));
    expect(master.statesOf('task-1')).toEqual(['TASK_RUNNING', 'TASK_FINISHED']);
    // Re-subscribed in time: not destroyed when the re-registration window closes.
    await expect(waitFor(() => master.exits.length > 0, { timeoutMs: REREGISTRATION_MS + 300 })).rejects.toThrow(/waitFor/);
    expect(agent.executors()[0]).toMatchObject({ state: 'subscribed', pid });
  });

  it('destroys a checkpointed executor that does not re-subscribe: TASK_LOST, REASON_EXECUTOR_REREGISTRATION_TIMEOUT', async () => {
    harness = await startAgent({ executorReregistrationTimeoutMs: 300 });
    const { agent, master } = harness;
    master.autoAcknowledge = true;
    agent.launchTasks(framework({ checkpoint: true }), [executorTask('task-1', { env: { TEST_NO_RESUBSCRIBE: '1' } })]);
    await waitFor(() => master.find('task-1', 'TASK_RUNNING'));
    const { pid } = agent.executors()[0]!;
    harness.pids.add(pid!);
    await agent.crash();
    await agent.restart();
    const lost = await waitFor(() => master.find('task-1', 'TASK_LOST'), { what: 'TASK_LOST' });
    expect(lost).toMatchObject({
      source: 'SOURCE_AGENT',
      reason: 'REASON_EXECUTOR_REREGISTRATION_TIMEOUT',
      message: 'Executor did not reregister within 300ms',
      executor_id: { value: 'exec-1' },
    });
    expect(master.exits).toEqual([{ frameworkId: FRAMEWORK_ID, executorId: 'exec-1', waitStatus: 9 }]);
    expect(isAlive(pid!)).toBe(false);
  });

  it('kills the executors of a framework without checkpointing when the agent crashes, and reports nothing', async () => {
    harness = await startAgent();
    const { agent, master } = harness;
    master.autoAcknowledge = true;
    agent.launchTasks(framework({ checkpoint: false }), [executorTask('task-1')]);
    await waitFor(() => master.find('task-1', 'TASK_RUNNING'));
    const { pid } = agent.executors()[0]!;
    harness.pids.add(pid!);
    const updatesBefore = master.updates.length;
    await agent.crash();
    await waitFor(() => !isAlive(pid!), { what: 'executor killed' });
    await agent.restart();
    expect(agent.executors()).toEqual([]);
    expect(master.exits).toEqual([]);
    expect(master.updates.length).toBe(updatesBefore);
  });

  it('stop() after a crash kills the executors that were left running', async () => {
    harness = await startAgent();
    const { agent, master } = harness;
    master.autoAcknowledge = true;
    agent.launchTasks(framework({ checkpoint: true }), [executorTask('task-1')]);
    await waitFor(() => master.find('task-1', 'TASK_RUNNING'));
    const { pid } = agent.executors()[0]!;
    harness.pids.add(pid!);
    await agent.crash();
    expect(isAlive(pid!)).toBe(true);
    await agent.stop();
    expect(isAlive(pid!)).toBe(false);
    expect(master.lost).toEqual([AGENT_ID]);
  });
});
