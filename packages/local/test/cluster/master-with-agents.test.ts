/**
 * The master with real LocalAgents and a real custom executor process
 * (test/fixtures/executors/test-executor.mjs), driven over plain HTTP like the protocol
 * reference (docs/protocol.md, "A session on the wire") and the fault recording (faults-scheduler.jsonl).
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import type { Offer, TaskInfo } from '@mesosgot/common';
import { waitFor } from '@mesosgot/local/testing';
import { LocalCluster, type LocalClusterOptions } from '../../src/cluster.js';
import { TEST_EXECUTOR } from '../support/agent-harness.js';
import { HttpScheduler } from '../support/http-scheduler.js';

const FRAMEWORK = { user: 'tester', name: 'cluster-test', failover_timeout: 30, roles: ['*'], capabilities: [{ type: 'MULTI_ROLE' as const }] };

function executorTask(taskId: string, offer: Offer, behaviour: Record<string, unknown> = {}, executorId = `exec-${taskId}`): TaskInfo {
  return {
    name: taskId,
    task_id: { value: taskId },
    agent_id: offer.agent_id,
    resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } }, { name: 'mem', type: 'SCALAR', scalar: { value: 32 } }],
    executor: {
      executor_id: { value: executorId },
      command: { value: 'node test-executor.mjs', shell: true, uris: [{ value: `file://${TEST_EXECUTOR}`, extract: false }] },
      resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } }, { name: 'mem', type: 'SCALAR', scalar: { value: 32 } }],
    },
    data: Buffer.from(JSON.stringify(behaviour)).toString('base64'),
  };
}

const accept = (offer: Offer, tasks: TaskInfo[]) => ({
  type: 'ACCEPT',
  accept: { offer_ids: [offer.id], operations: [{ type: 'LAUNCH', launch: { task_infos: tasks } }], filters: { refuse_seconds: 0.2 } },
});
const ack = (s: HttpScheduler, status: { agent_id?: { value: string }; task_id: { value: string }; uuid?: string }) =>
  s.call({ type: 'ACKNOWLEDGE', acknowledge: { agent_id: status.agent_id, task_id: status.task_id, uuid: status.uuid } });

describe('LocalCluster master with real agents', () => {
  let cluster: LocalCluster | undefined;
  let schedulers: HttpScheduler[] = [];
  afterEach(async () => {
    await Promise.all(schedulers.map((s) => s.close()));
    schedulers = [];
    await cluster?.stop();
    cluster = undefined;
  });

  async function start(options: LocalClusterOptions = {}, info: Record<string, unknown> = {}) {
    cluster = new LocalCluster({ allocationIntervalMs: 20, executorShutdownGracePeriodMs: 1_000, ...options });
    const url = await cluster.start();
    const s = await HttpScheduler.subscribe(url, { ...FRAMEWORK, ...info });
    schedulers.push(s);
    const offer = (await s.next('OFFERS')).offers.offers![0]!;
    return { s, offer };
  }

  it('runs a custom executor task: UPDATE → ACKNOWLEDGE → MESSAGE both ways → KILL → TEARDOWN', async () => {
    const { s, offer } = await start();
    expect((await s.call(accept(offer, [executorTask('echo-0', offer, { updates: ['TASK_RUNNING'] })]))).status).toBe(202);
    const running = await s.next('UPDATE', (e) => e.update.status.state === 'TASK_RUNNING', { timeoutMs: 10_000 });
    expect(running.update.status).toMatchObject({ source: 'SOURCE_EXECUTOR', agent_id: offer.agent_id, uuid: expect.any(String) });
    expect((await ack(s, running.update.status)).status).toBe(202);

    const ping = { type: 'MESSAGE', message: { agent_id: offer.agent_id, executor_id: { value: 'exec-echo-0' }, data: Buffer.from('ping').toString('base64') } };
    expect((await s.call(ping)).status).toBe(202);
    const echo = await s.next('MESSAGE', (e) => Buffer.from(e.message.data, 'base64').toString() === 'echo:ping');
    expect(echo.message).toMatchObject({ agent_id: offer.agent_id, executor_id: { value: 'exec-echo-0' } });

    await s.call({ type: 'KILL', kill: { task_id: { value: 'echo-0' }, agent_id: offer.agent_id } });
    const killed = await s.next('UPDATE', (e) => e.update.status.state === 'TASK_KILLED');
    await ack(s, killed.update.status);
    await waitFor(() => cluster!.master.state.tasks.get(s.frameworkId, 'echo-0') === undefined, { what: 'task forgotten after terminal ack' });

    expect((await s.call({ type: 'TEARDOWN' })).status).toBe(202);
    await waitFor(() => s.ended, { what: 'stream closed' });
    await waitFor(() => cluster!.agents[0]!.executors().length === 0, { timeoutMs: 5_000, what: 'executor gone after TEARDOWN' });
  });

  it('reports an executor exiting with code 5 as FAILURE {status: 1280} and TASK_FAILED REASON_EXECUTOR_TERMINATED', async () => {
    const { s, offer } = await start();
    await s.call(accept(offer, [executorTask('crashy-0', offer, { updates: ['TASK_RUNNING'], exitCode: 5 })]));
    const running = await s.next('UPDATE', (e) => e.update.status.state === 'TASK_RUNNING', { timeoutMs: 10_000 });
    await ack(s, running.update.status);
    const failure = await s.next('FAILURE', () => true, { timeoutMs: 10_000 });
    expect(failure.failure).toEqual({ agent_id: offer.agent_id, executor_id: { value: 'exec-crashy-0' }, status: 1280 });
    const failed = await s.next('UPDATE', (e) => e.update.status.state === 'TASK_FAILED', { timeoutMs: 10_000 });
    expect(failed.update.status).toMatchObject({ source: 'SOURCE_AGENT', reason: 'REASON_EXECUTOR_TERMINATED', message: 'Executor terminated' });
    await ack(s, failed.update.status);
    // All resources are free again: the next offer is the whole agent.
    const full = await s.next('OFFERS', (e) => e.offers.offers!.some((o) => o.resources!.some((r) => r.name === 'cpus' && r.scalar!.value === 4)), { timeoutMs: 5_000 });
    expect(full).toBeDefined();
  });

  it('on agent loss sends TASK_LOST REASON_AGENT_DISCONNECTED from SOURCE_MASTER, then FAILURE {agent_id} only', async () => {
    const { s, offer } = await start({ agents: 1 });
    await s.call(accept(offer, [executorTask('steady-0', offer, { updates: ['TASK_RUNNING'] })]));
    const running = await s.next('UPDATE', (e) => e.update.status.state === 'TASK_RUNNING', { timeoutMs: 10_000 });
    await ack(s, running.update.status);
    await cluster!.stopAgent(0);
    const lost = await s.next('UPDATE', (e) => e.update.status.state === 'TASK_LOST');
    expect(lost.update.status).toEqual({
      task_id: { value: 'steady-0' },
      state: 'TASK_LOST',
      message: 'Agent 127.0.0.1 disconnected',
      source: 'SOURCE_MASTER',
      reason: 'REASON_AGENT_DISCONNECTED',
      agent_id: offer.agent_id,
      executor_id: { value: 'exec-steady-0' },
      timestamp: expect.any(Number),
    });
    const failure = await s.next('FAILURE');
    expect(failure.failure).toEqual({ agent_id: offer.agent_id });
    expect(s.events.indexOf(failure)).toBeGreaterThan(s.events.indexOf(lost));
  });

  it('fails over within failover_timeout: tasks keep running and unacknowledged updates are re-sent', async () => {
    const { s, offer } = await start({}, { failover_timeout: 30 });
    await s.call(accept(offer, [executorTask('keep-0', offer, { updates: ['TASK_RUNNING'] })]));
    const running = await s.next('UPDATE', (e) => e.update.status.state === 'TASK_RUNNING', { timeoutMs: 10_000 });
    // Not acknowledged: the agent keeps it pending, and re-sends it to the new subscription.
    expect(cluster!.dropSubscription(s.frameworkId)).toBe(true);
    await waitFor(() => s.ended);
    expect(await s.call({ type: 'REVIVE' })).toMatchObject({ status: 403, body: 'Framework is not subscribed' });
    const again = await HttpScheduler.subscribe(cluster!.masterUrl, { ...FRAMEWORK, id: { value: s.frameworkId } });
    schedulers.push(again);
    expect(again.streamId).not.toBe(s.streamId);
    const resent = await again.next('UPDATE', (e) => e.update.status.task_id.value === 'keep-0');
    expect(resent.update.status.uuid).toBe(running.update.status.uuid);
    await again.next('OFFERS');
    expect(cluster!.agents[0]!.executors().map((e) => e.executorId)).toEqual(['exec-keep-0']);
  });
});
