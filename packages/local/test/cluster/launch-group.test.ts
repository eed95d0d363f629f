/**
 * LAUNCH_GROUP on the local cluster (docs/protobuf.md, "Offer operations"): a task group runs in
 * one executor of type DEFAULT, its tasks' updates name that executor, a failing task takes the
 * rest of its group down, the executor ends (FAILURE) once all tasks have, and an invalid group
 * is refused whole with TASK_ERROR, REASON_TASK_GROUP_INVALID.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { ExecutorInfo, Offer, Resource, TaskInfo, TaskStatus } from '@mesosgot/common';
import { waitFor } from '@mesosgot/local/testing';
import { LocalCluster } from '../../src/cluster.js';
import { HttpScheduler } from '../support/http-scheduler.js';

const small = (): Resource[] => [
  { name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } },
  { name: 'mem', type: 'SCALAR', scalar: { value: 32 } },
];
const TERMINAL = new Set(['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_ERROR', 'TASK_LOST', 'TASK_DROPPED']);

describe('LocalMaster LAUNCH_GROUP', () => {
  let cluster: LocalCluster;
  let url: string;
  let s: HttpScheduler | undefined;

  beforeEach(async () => {
    cluster = new LocalCluster({ agents: 1, allocationIntervalMs: 50, executorShutdownGracePeriodMs: 1_000 });
    url = await cluster.start();
  });

  afterEach(async () => {
    await s?.close();
    s = undefined;
    await cluster.stop();
  });

  const executor = (id: string, type: ExecutorInfo['type'] = 'DEFAULT'): ExecutorInfo => ({ type, executor_id: { value: id }, resources: small() });
  const task = (offer: Offer, id: string, shell: string): TaskInfo => ({ name: id, task_id: { value: id }, agent_id: offer.agent_id, resources: small(), command: { value: shell } });

  /** Accepts the first offer with one LAUNCH_GROUP; acknowledges updates until each task is terminal. */
  async function launchGroup(encoding: 'json' | 'protobuf', group: (offer: Offer) => { executor: ExecutorInfo; tasks: TaskInfo[] }): Promise<Map<string, TaskStatus>> {
    s = await HttpScheduler.subscribe(url, { user: 'root', name: 'group-lab' }, {}, { encoding });
    const offer = (await s.next('OFFERS')).offers.offers![0]!;
    const { executor: info, tasks } = group(offer);
    const answer = await s.call({ type: 'ACCEPT', accept: { offer_ids: [offer.id], operations: [{ type: 'LAUNCH_GROUP', launch_group: { executor: info, task_group: { tasks } } }] } });
    expect(answer.status).toBe(202);
    const last = new Map<string, TaskStatus>();
    const acked = new Set<string>();
    await waitFor(
      async () => {
        for (const e of s!.events) {
          if (e.type !== 'UPDATE') continue;
          const { status } = e.update;
          last.set(status.task_id.value, status);
          if (status.uuid !== undefined && !acked.has(status.uuid)) {
            acked.add(status.uuid);
            await s!.call({ type: 'ACKNOWLEDGE', acknowledge: { agent_id: status.agent_id, task_id: status.task_id, uuid: status.uuid } });
          }
        }
        return tasks.every((t) => TERMINAL.has(last.get(t.task_id.value)?.state ?? '')) ? true : undefined;
      },
      { timeoutMs: 20_000, what: 'every task of the group to end' },
    );
    return last;
  }

  it.each(['json', 'protobuf'] as const)('runs a task group in one DEFAULT executor and reports the executor gone after its tasks (%s)', async (encoding) => {
    const last = await launchGroup(encoding, (offer) => ({ executor: executor('group-1'), tasks: [task(offer, 'g-a', 'exit 0'), task(offer, 'g-b', 'true')] }));
    for (const id of ['g-a', 'g-b']) expect(last.get(id)).toMatchObject({ state: 'TASK_FINISHED', executor_id: { value: 'group-1' }, source: 'SOURCE_EXECUTOR' });
    const failure = await s!.next('FAILURE');
    expect(failure.failure).toMatchObject({ executor_id: { value: 'group-1' } });
  });

  it('kills the rest of the group when one of its tasks fails', async () => {
    const last = await launchGroup('json', (offer) => ({ executor: executor('group-2'), tasks: [task(offer, 'fails', 'exit 3'), task(offer, 'sleeps', 'sleep 60')] }));
    expect(last.get('fails')).toMatchObject({ state: 'TASK_FAILED' });
    expect(last.get('sleeps')).toMatchObject({ state: 'TASK_KILLED', executor_id: { value: 'group-2' } });
  });

  it.each([
    ['an executor that is not DEFAULT', (offer: Offer) => ({ executor: { ...executor('custom', 'CUSTOM'), command: { value: 'true' } }, tasks: [task(offer, 'c-a', 'true'), task(offer, 'c-b', 'true')] }), "'ExecutorInfo.type' must be 'DEFAULT'"],
    ['a task with an executor of its own', (offer: Offer) => ({ executor: executor('group-3'), tasks: [task(offer, 'o-a', 'true'), { ...task(offer, 'o-b', 'true'), executor: executor('own') }] }), "'TaskInfo.executor' must not be set"],
    ['a task asking for more than offered', (offer: Offer) => ({ executor: executor('group-4'), tasks: [task(offer, 'm-a', 'true'), { ...task(offer, 'm-b', 'true'), resources: [{ name: 'cpus', type: 'SCALAR' as const, scalar: { value: 64 } }] }] }), /^Task m-b is invalid: Total resources/],
  ] as const)('refuses %s for every task of the group', async (_what, group, message) => {
    const last = await launchGroup('json', group);
    expect([...last.values()].map((status) => [status.state, status.reason, status.source])).toEqual([
      ['TASK_ERROR', 'REASON_TASK_GROUP_INVALID', 'SOURCE_MASTER'],
      ['TASK_ERROR', 'REASON_TASK_GROUP_INVALID', 'SOURCE_MASTER'],
    ]);
    for (const status of last.values()) expect(status.message).toMatch(message);
  });
});
