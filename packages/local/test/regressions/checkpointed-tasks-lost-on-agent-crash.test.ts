// Regression (found by the scheduler's faults-agent-restart chaos test): when an agent crashed,
// the local master at once sent TASK_LOST for every task on it and FAILURE {agent_id}, also for
// frameworks with checkpointing, so an agent restart with checkpointing could never keep a
// task alive. A real master (Master::exited) only loses the tasks of frameworks without
// checkpointing at once; checkpointed tasks stay while the agent may come back, and are lost
// (REASON_AGENT_REMOVED, then FAILURE) only if it does not return before the removal timeout.
import { afterEach, describe, expect, it } from '@jest/globals';
import type { SchedulerEvent } from '@mesosgot/common';
import { startMaster, type MasterFixture } from '../support/master-fixture.js';
import type { HttpScheduler } from '../support/http-scheduler.js';

let fx: MasterFixture | undefined;
afterEach(async () => {
  await fx?.stop();
  fx = undefined;
});

async function launchRunning(s: HttpScheduler, taskId: string): Promise<void> {
  const offer = (await s.next('OFFERS')).offers.offers![0]!;
  const task = {
    name: taskId,
    task_id: { value: taskId },
    agent_id: offer.agent_id,
    resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } }],
    command: { value: 'sleep 1000', shell: true },
  };
  const answer = await s.call({ type: 'ACCEPT', accept: { offer_ids: [offer.id], operations: [{ type: 'LAUNCH', launch: { task_infos: [task] } }] } });
  expect(answer.status).toBe(202);
  fx!.agents[0]!.update(s.frameworkId, taskId, 'TASK_RUNNING');
  await s.next('UPDATE', (e) => e.update.status.state === 'TASK_RUNNING');
}

const types = (events: SchedulerEvent[]): string[] => events.map((e) => (e.type === 'UPDATE' ? `UPDATE ${e.update.status.state}` : e.type));

describe('LocalMaster: an agent crash and checkpointing frameworks', () => {
  it('keeps the tasks of a checkpointing framework while the crashed agent comes back', async () => {
    fx = await startMaster();
    const s = await fx.subscribe({ checkpoint: true });
    await launchRunning(s, 't1');
    const agent = fx.agents[0]!;
    const from = s.events.length;
    fx.master.link.agentLost(agent.info.id, 'crashed');
    fx.master.link.agentRegistered(agent);
    // Events are ordered on the stream: a TASK_LOST or FAILURE sent at the crash precedes this answer.
    await s.call({ type: 'RECONCILE', reconcile: { tasks: [{ task_id: { value: 't1' }, agent_id: agent.info.id }] } });
    const answer = await s.next('UPDATE', (e) => e.update.status.reason === 'REASON_RECONCILIATION', { from });
    expect(answer.update.status.state).toBe('TASK_RUNNING');
    expect(types(s.events.slice(from)).filter((t) => t === 'UPDATE TASK_LOST' || t === 'FAILURE')).toEqual([]);
  });

  it('removes a crashed agent that does not come back: TASK_LOST REASON_AGENT_REMOVED, then FAILURE', async () => {
    fx = await startMaster({ agentRemovalTimeoutMs: 100 });
    const s = await fx.subscribe({ checkpoint: true });
    await launchRunning(s, 't1');
    const from = s.events.length;
    fx.master.link.agentLost(fx.agents[0]!.info.id, 'crashed');
    const lost = await s.next('UPDATE', (e) => e.update.status.state === 'TASK_LOST', { from });
    expect(lost.update.status.reason).toBe('REASON_AGENT_REMOVED');
    const failure = await s.next('FAILURE', () => true, { from });
    expect(s.events.indexOf(failure)).toBeGreaterThan(s.events.indexOf(lost));
  });

  it('still loses the tasks of a framework without checkpointing at once', async () => {
    fx = await startMaster();
    const s = await fx.subscribe({ checkpoint: false });
    await launchRunning(s, 't1');
    const from = s.events.length;
    fx.master.link.agentLost(fx.agents[0]!.info.id, 'crashed');
    const lost = await s.next('UPDATE', (e) => e.update.status.state === 'TASK_LOST', { from });
    expect(lost.update.status.reason).toBe('REASON_AGENT_DISCONNECTED');
    await s.next('FAILURE', () => true, { from });
  });
});
