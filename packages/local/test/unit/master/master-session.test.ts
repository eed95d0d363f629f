import { afterEach, describe, expect, it } from '@jest/globals';
import { isValidStatusUuid, type Offer } from '@mesosgot/common';
import { waitFor } from '@mesosgot/local/testing';
import { startMaster, type MasterFixture } from '../../support/master-fixture.js';

const execInfo = {
  executor_id: { value: 'exec-1' },
  name: 'test executor',
  command: { value: 'node executor.js', shell: true },
  resources: [
    { name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } },
    { name: 'mem', type: 'SCALAR', scalar: { value: 32 } },
  ],
};

function task(id: string, agentId: string, extra: Record<string, unknown> = {}) {
  return {
    name: id,
    task_id: { value: id },
    agent_id: { value: agentId },
    resources: [
      { name: 'cpus', type: 'SCALAR', scalar: { value: 0.5 } },
      { name: 'mem', type: 'SCALAR', scalar: { value: 64 } },
    ],
    executor: execInfo,
    data: 'aGVsbG8=',
    ...extra,
  };
}

function launch(offer: Offer, tasks: unknown[], filters?: unknown) {
  return {
    type: 'ACCEPT',
    accept: { offer_ids: [offer.id], operations: [{ type: 'LAUNCH', launch: { task_infos: tasks } }], ...(filters ? { filters } : {}) },
  };
}

describe('LocalMaster scheduler session', () => {
  let fx: MasterFixture | undefined;
  afterEach(async () => {
    await fx?.stop();
    fx = undefined;
  });

  it('answers SUBSCRIBE with a stream id, SUBSCRIBED, an immediate HEARTBEAT, then OFFERS in Mesos formats', async () => {
    fx = await startMaster();
    const s = await fx.subscribe();
    expect(s.status).toBe(200);
    expect(s.streamId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const offers = await s.next('OFFERS');
    const masterId = fx.master.masterId;
    expect(s.events[0]).toEqual({
      type: 'SUBSCRIBED',
      subscribed: {
        framework_id: { value: `${masterId}-0000` },
        heartbeat_interval_seconds: 15,
        master_info: expect.objectContaining({ id: masterId, ip: 16777343, port: Number(new URL(fx.url).port), version: '1.12.0' }),
      },
    });
    expect(s.events[1]).toEqual({ type: 'HEARTBEAT' });
    expect(s.events[2]).toBe(offers);
    const [offer] = offers.offers.offers!;
    expect(offer!.id.value).toBe(`${masterId}-O0`);
    expect(offer!.agent_id.value).toBe(`${masterId}-S0`);
    expect(offer!.framework_id.value).toBe(`${masterId}-0000`);
    expect(offer!.allocation_info).toEqual({ role: '*' });
    const byName = Object.fromEntries(offer!.resources!.map((r) => [r.name, r]));
    expect(byName.cpus).toEqual({ name: 'cpus', type: 'SCALAR', scalar: { value: 4 }, role: '*', allocation_info: { role: '*' } });
    expect(byName.ports!.ranges).toEqual({ range: [{ begin: 31000, end: 31099 }] });
    expect(offer!.executor_ids).toBeUndefined(); // empty repeated fields are omitted (docs/protocol.md, "JSON encoding")
  });

  it('sends a HEARTBEAT every heartbeat_interval_seconds', async () => {
    fx = await startMaster({ heartbeatIntervalSeconds: 0.05 });
    const s = await fx.subscribe();
    await waitFor(() => s.events.filter((e) => e.type === 'HEARTBEAT').length >= 4, { timeoutMs: 3_000 });
    expect((s.events[0] as { subscribed: { heartbeat_interval_seconds: number } }).subscribed.heartbeat_interval_seconds).toBe(0.05);
  });

  it('runs ACCEPT → UPDATE → ACKNOWLEDGE → MESSAGE → KILL → TEARDOWN like the protocol reference', async () => {
    fx = await startMaster();
    const agent = fx.agents[0]!;
    const s = await fx.subscribe();
    const offer = (await s.next('OFFERS')).offers.offers![0]!;
    expect((await s.call(launch(offer, [task('task-1', agent.id)], { refuse_seconds: 5 }))).status).toBe(202);

    const [launched] = agent.of('launch');
    expect(launched!.framework.id).toEqual({ value: s.frameworkId });
    expect(launched!.tasks[0]!.executor!.framework_id).toEqual({ value: s.frameworkId }); // filled by the master

    const running = agent.update(s.frameworkId, 'task-1', 'TASK_RUNNING', { executor_id: { value: 'exec-1' } });
    const update = await s.next('UPDATE');
    expect(update.update.status).toEqual(running);
    expect(isValidStatusUuid(update.update.status.uuid)).toBe(true);

    const ack = { type: 'ACKNOWLEDGE', acknowledge: { agent_id: { value: agent.id }, task_id: { value: 'task-1' }, uuid: running.uuid } };
    expect((await s.call(ack)).status).toBe(202);
    expect(agent.of('ack')).toEqual([{ kind: 'ack', frameworkId: s.frameworkId, taskId: 'task-1', uuid: running.uuid }]);

    const message = { type: 'MESSAGE', message: { agent_id: { value: agent.id }, executor_id: { value: 'exec-1' }, data: 'cGluZw==' } };
    expect((await s.call(message)).status).toBe(202);
    expect(agent.of('message')).toEqual([{ kind: 'message', frameworkId: s.frameworkId, executorId: 'exec-1', data: 'cGluZw==' }]);
    agent.master.executorMessage(agent.info.id, { value: s.frameworkId }, { value: 'exec-1' }, 'cG9uZw==');
    expect((await s.next('MESSAGE')).message).toEqual({ agent_id: { value: agent.id }, executor_id: { value: 'exec-1' }, data: 'cG9uZw==' });

    const kill = { type: 'KILL', kill: { task_id: { value: 'task-1' }, agent_id: { value: agent.id } } };
    expect((await s.call(kill)).status).toBe(202);
    expect(agent.of('kill')).toEqual([{ kind: 'kill', frameworkId: s.frameworkId, taskId: 'task-1' }]);
    const killed = agent.update(s.frameworkId, 'task-1', 'TASK_KILLED');
    await s.next('UPDATE', (e) => e.update.status.state === 'TASK_KILLED');
    await s.call({ ...ack, acknowledge: { ...ack.acknowledge, uuid: killed.uuid } });
    // The terminal ack made the master forget the task: implicit reconciliation is empty.
    const before = s.events.length;
    await s.call({ type: 'RECONCILE', reconcile: { tasks: [] } });
    await s.call({ type: 'RECONCILE', reconcile: { tasks: [{ task_id: { value: 'task-1' } }] } });
    const lost = await s.next('UPDATE', () => true, { from: before });
    expect(lost.update.status).toMatchObject({ task_id: { value: 'task-1' }, state: 'TASK_LOST', message: 'Reconciliation: Task is unknown' });

    const shutdown = { type: 'SHUTDOWN', shutdown: { executor_id: { value: 'exec-1' }, agent_id: { value: agent.id } } };
    expect((await s.call(shutdown)).status).toBe(202);
    expect(agent.of('shutdownExecutor')).toEqual([{ kind: 'shutdownExecutor', frameworkId: s.frameworkId, executorId: 'exec-1' }]);
    expect((await s.call({ type: 'REQUEST', request: { requests: [] } })).status).toBe(202);

    expect((await s.call({ type: 'TEARDOWN' })).status).toBe(202);
    await waitFor(() => s.ended, { what: 'stream closed by TEARDOWN' });
    expect(agent.of('shutdownFramework')).toEqual([{ kind: 'shutdownFramework', frameworkId: s.frameworkId }]);
    expect(s.events.some((e) => e.type === 'FAILURE' || e.type === 'ERROR')).toBe(false);
    expect(await s.call({ type: 'REVIVE' })).toMatchObject({ status: 400, body: 'Framework cannot be found' });
  });

  it('answers ACKNOWLEDGE with a non-UUID with 400 Not a valid UUID and keeps serving', async () => {
    fx = await startMaster();
    const s = await fx.subscribe();
    const bad = { type: 'ACKNOWLEDGE', acknowledge: { agent_id: { value: 'a' }, task_id: { value: 't' }, uuid: Buffer.alloc(16).toString('base64') } };
    expect(await s.call(bad)).toMatchObject({ status: 400, body: 'Failed to validate scheduler::Call: Not a valid UUID' });
    expect((await s.call({ type: 'REVIVE' })).status).toBe(202);
  });

  it('reconciles implicitly and explicitly with REASON_RECONCILIATION from SOURCE_MASTER without uuid', async () => {
    fx = await startMaster();
    const agent = fx.agents[0]!;
    const s = await fx.subscribe();
    const offer = (await s.next('OFFERS')).offers.offers![0]!;
    await s.call(launch(offer, [task('echo-0', agent.id)]));
    agent.update(s.frameworkId, 'echo-0', 'TASK_RUNNING', { container_status: { executor_pid: 42 } });
    await s.next('UPDATE');
    let from = s.events.length;
    await s.call({ type: 'RECONCILE', reconcile: { tasks: [] } });
    const implicit = await s.next('UPDATE', () => true, { from });
    expect(implicit.update.status).toEqual({
      task_id: { value: 'echo-0' },
      state: 'TASK_RUNNING',
      message: 'Reconciliation: Latest task state',
      source: 'SOURCE_MASTER',
      reason: 'REASON_RECONCILIATION',
      agent_id: { value: agent.id },
      executor_id: { value: 'exec-1' },
      timestamp: expect.any(Number),
      container_status: { executor_pid: 42 },
    });
    from = s.events.length;
    await s.call({ type: 'RECONCILE', reconcile: { tasks: [{ task_id: { value: 'echo-0' } }, { task_id: { value: 'ghost-1' } }] } });
    const ghost = await s.next('UPDATE', (e) => e.update.status.task_id.value === 'ghost-1', { from });
    expect(ghost.update.status).toEqual({
      task_id: { value: 'ghost-1' },
      state: 'TASK_LOST',
      message: 'Reconciliation: Task is unknown',
      source: 'SOURCE_MASTER',
      reason: 'REASON_RECONCILIATION',
      timestamp: expect.any(Number),
    });
    expect(s.updates('echo-0').at(-1)!.update.status.message).toBe('Reconciliation: Latest task state');
    // KILL of an unknown task is answered by reconciliation (docs/protocol.md, "Killing tasks").
    from = s.events.length;
    await s.call({ type: 'KILL', kill: { task_id: { value: 'nobody' }, agent_id: { value: agent.id } } });
    const killUnknown = await s.next('UPDATE', () => true, { from });
    expect(killUnknown.update.status).toMatchObject({ state: 'TASK_LOST', reason: 'REASON_RECONCILIATION', message: 'Reconciliation: Task is unknown to the agent' });
    expect(agent.of('kill')).toEqual([]);
  });
});
