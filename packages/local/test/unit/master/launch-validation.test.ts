import { afterEach, describe, expect, it } from '@jest/globals';
import type { Offer, TaskStatus } from '@mesosgot/common';
import { startMaster, type MasterFixture } from '../../support/master-fixture.js';
import type { HttpScheduler } from '../../support/http-scheduler.js';

const cpusMem = (cpus: number, mem: number) => [
  { name: 'cpus', type: 'SCALAR', scalar: { value: cpus } },
  { name: 'mem', type: 'SCALAR', scalar: { value: mem } },
];
const executor = (id = 'exec-1', extra: Record<string, unknown> = {}) => ({
  executor_id: { value: id },
  command: { value: 'node executor.js' },
  resources: cpusMem(0.1, 32),
  ...extra,
});
const task = (id: string, agentId: string, extra: Record<string, unknown> = {}) => ({
  name: id,
  task_id: { value: id },
  agent_id: { value: agentId },
  resources: cpusMem(0.5, 64),
  executor: executor(),
  ...extra,
});
const accept = (offers: Offer[], tasks: unknown[], filters?: unknown) => ({
  type: 'ACCEPT',
  accept: { offer_ids: offers.map((o) => o.id), operations: [{ type: 'LAUNCH', launch: { task_infos: tasks } }], ...(filters ? { filters } : {}) },
});

/** Sends an ACCEPT and returns the master's UPDATE for each named task (in `ids` order). */
async function outcomes(s: HttpScheduler, call: unknown, ids: string[]): Promise<TaskStatus[]> {
  const from = s.events.length;
  expect((await s.call(call as Record<string, unknown>)).status).toBe(202);
  return Promise.all(ids.map(async (id) => (await s.next('UPDATE', (e) => e.update.status.task_id.value === id, { from })).update.status));
}

describe('LocalMaster LAUNCH validation (docs/protocol.md, "Launch validation")', () => {
  let fx: MasterFixture | undefined;
  afterEach(async () => {
    await fx?.stop();
    fx = undefined;
  });

  it('answers tasks on a used offer with TASK_LOST REASON_INVALID_OFFERS from SOURCE_MASTER without uuid', async () => {
    fx = await startMaster();
    const s = await fx.subscribe();
    const offer = (await s.next('OFFERS')).offers.offers![0]!;
    await s.call(accept([offer], [task('echo-0', offer.agent_id.value)]));
    const [lost] = await outcomes(s, accept([offer], [task('echo-9', offer.agent_id.value)]), ['echo-9']);
    expect(lost).toEqual({
      task_id: { value: 'echo-9' },
      state: 'TASK_LOST',
      message: `Task launched with invalid offers: Offer ${offer.id.value} is no longer valid`,
      source: 'SOURCE_MASTER',
      reason: 'REASON_INVALID_OFFERS',
      agent_id: offer.agent_id,
      timestamp: expect.any(Number),
    });
    expect(fx.agents[0]!.of('launch').flatMap((l) => l.tasks.map((t) => t.task_id.value))).toEqual(['echo-0']);
  });

  it('rejects each invalid task with TASK_ERROR REASON_TASK_INVALID and launches the valid ones', async () => {
    fx = await startMaster();
    const s = await fx.subscribe();
    const offer = (await s.next('OFFERS')).offers.offers![0]!;
    const agentId = offer.agent_id.value;
    await s.call(accept([offer], [task('echo-0', agentId)], { refuse_seconds: 0 }));
    const offer2 = (await s.next('OFFERS', (e) => e.offers.offers![0]!.id.value !== offer.id.value)).offers.offers![0]!;
    expect(offer2.executor_ids).toEqual([{ value: 'exec-1' }]);
    const statuses = await outcomes(
      s,
      accept(
        [offer2],
        [
          task('big-0', agentId, { resources: cpusMem(1000, 32) }),
          task('echo-0', agentId),
          task('both-0', agentId, { command: { value: 'true' } }),
          task('neither-0', agentId, { executor: undefined }),
          task('wrong-agent', 'some-other-agent'),
          task('incompatible', agentId, { executor: executor('exec-1', { name: 'changed' }) }),
          task('good-1', agentId),
        ],
      ),
      ['big-0', 'echo-0', 'both-0', 'neither-0', 'wrong-agent', 'incompatible'],
    );
    const messages = statuses.map((st) => {
      expect(st).toMatchObject({ state: 'TASK_ERROR', reason: 'REASON_TASK_INVALID', source: 'SOURCE_MASTER' });
      expect(st.uuid).toBeUndefined();
      return st.message;
    });
    // big-0: the executor runs already, so only the task's own resources count.
    expect(messages[0]).toBe(
      'Total resources cpus(allocated: *):1000; mem(allocated: *):32 required by task and its executor is more than available ' +
        'ports(allocated: *):[31000-31099]; cpus(allocated: *):3.4; mem(allocated: *):4000; disk(allocated: *):4096',
    );
    expect(messages.slice(1)).toEqual([
      'Task has duplicate ID: echo-0',
      'Task should have at least one (but not both) of CommandInfo or ExecutorInfo present',
      'Task should have at least one (but not both) of CommandInfo or ExecutorInfo present',
      `Task uses invalid agent some-other-agent while agent ${agentId} is expected`,
      'ExecutorInfo is not compatible with existing ExecutorInfo with same ExecutorID.',
    ]);
    const launchedIds = fx.agents[0]!.of('launch').flatMap((l) => l.tasks.map((t) => t.task_id.value));
    expect(launchedIds).toEqual(['echo-0', 'good-1']);
  });

  it('charges an executor once per agent and re-offers the exact remainder after the refuse filter', async () => {
    fx = await startMaster();
    const s = await fx.subscribe();
    const offer = (await s.next('OFFERS')).offers.offers![0]!;
    const agentId = offer.agent_id.value;
    await s.call(accept([offer], [task('t1', agentId), task('t2', agentId)], { refuse_seconds: 0.2 }));
    const started = Date.now();
    const next = (await s.next('OFFERS', (e) => e.offers.offers![0]!.id.value !== offer.id.value)).offers.offers![0]!;
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    const scalar = (name: string) => next.resources!.find((r) => r.name === name)!.scalar!.value;
    expect(scalar('cpus')).toBe(2.9); // 4 - 0.5 - 0.5 - 0.1 (executor once)
    expect(scalar('mem')).toBe(3936); // 4096 - 64 - 64 - 32
  });

  it('treats an empty offer list and offers of two agents as invalid offers', async () => {
    fx = await startMaster({}, 2);
    const s = await fx.subscribe();
    const ev = await s.next('OFFERS', (e) => e.offers.offers!.length === 2);
    const [a, b] = ev.offers.offers!;
    const [none] = await outcomes(s, accept([], [task('x', a!.agent_id.value)]), ['x']);
    expect(none!.message).toBe('Task launched with invalid offers: No offers specified');
    const [mixed] = await outcomes(s, accept([a!, b!], [task('y', a!.agent_id.value)]), ['y']);
    expect(mixed!.message).toMatch(/^Task launched with invalid offers: Aggregated offers must belong to one single agent/);
  });
});
