/**
 * RESERVE, UNRESERVE, CREATE and DESTROY on the local master (docs/protobuf.md, "Offer
 * operations"): what a valid operation converts comes back in the next offers, in the format of
 * the framework's capabilities; an invalid one is answered with OPERATION_ERROR and changes
 * nothing.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { FrameworkInfo, Offer, Resource, SchedulerEvent } from '@mesosgot/common';
import { request } from 'undici';
import { MASTER_CALL_CODEC, type OperatorMessage } from '@mesosgot/common/protobuf';
import { waitFor } from '@mesosgot/local/testing';
import { clusterWithSchedulers } from '../support/cluster-with-schedulers.js';
import { HttpScheduler } from '../support/http-scheduler.js';

type Offers = Extract<SchedulerEvent, { type: 'OFFERS' }>;

const REFINED: FrameworkInfo = {
  user: 'root',
  name: 'ops-refined',
  roles: ['lab'],
  principal: 'ops',
  capabilities: [{ type: 'MULTI_ROLE' }, { type: 'RESERVATION_REFINEMENT' }],
};
const PLAIN: FrameworkInfo = { user: 'root', name: 'ops-plain', role: 'lab', principal: 'ops' };
const LAB = { type: 'DYNAMIC', role: 'lab', principal: 'ops' } as const;
const ALLOCATED = { allocation_info: { role: 'lab' } };

const scalar = (name: string, value: number, extra: Partial<Resource> = {}): Resource => ({ name, type: 'SCALAR', scalar: { value }, ...extra });
const volume = (id: string, size: number): Resource =>
  scalar('disk', size, { reservations: [LAB], disk: { persistence: { id, principal: 'ops' }, volume: { mode: 'RW', container_path: 'data' } }, ...ALLOCATED });
const scalars = (offer: Offer, name: string): Resource[] => (offer.resources ?? []).filter((r) => r.name === name);

describe('LocalMaster offer operations', () => {
  const fixture = clusterWithSchedulers();

  async function subscribe(info: FrameworkInfo, encoding: 'json' | 'protobuf' = 'json'): Promise<HttpScheduler> {
    return fixture.track(await HttpScheduler.subscribe(fixture.url, info, {}, { encoding }));
  }

  /** Accepts `offer` with `operations` (no filter on the leftover) and returns the next offer. */
  async function accept(s: HttpScheduler, offer: Offer, operations: unknown[]): Promise<Offer> {
    const from = s.events.length;
    const answer = await s.call({ type: 'ACCEPT', accept: { offer_ids: [offer.id], operations, filters: { refuse_seconds: 0 } } });
    expect(answer.status).toBe(202);
    return (await s.next('OFFERS', () => true, { from })).offers.offers![0]!;
  }

  async function firstOffer(s: HttpScheduler): Promise<Offer> {
    return ((await s.next('OFFERS')) as Offers).offers.offers![0]!;
  }

  it.each(['json', 'protobuf'] as const)('reserves 1 cpu for a RESERVATION_REFINEMENT framework, offers it in `reservations`, and unreserves it (%s)', async (encoding) => {
    const s = await subscribe(REFINED, encoding);
    const offer = await firstOffer(s);
    const reserved = scalar('cpus', 1, { reservations: [LAB], ...ALLOCATED });
    const next = await accept(s, offer, [{ type: 'RESERVE', id: { value: 'r-1' }, reserve: { resources: [reserved] } }]);
    const finished = (await s.next('UPDATE_OPERATION_STATUS')).update_operation_status.status;
    expect(finished).toMatchObject({ operation_id: { value: 'r-1' }, state: 'OPERATION_FINISHED', agent_id: offer.agent_id, converted_resources: [reserved] });
    expect(finished.uuid?.value).toHaveLength(24);
    expect(scalars(next, 'cpus')).toEqual(expect.arrayContaining([reserved, scalar('cpus', 3, ALLOCATED)]));
    for (const r of next.resources ?? []) expect(r).not.toHaveProperty('role');

    const after = await accept(s, next, [{ type: 'UNRESERVE', unreserve: { resources: [reserved] } }]);
    expect(scalars(after, 'cpus')).toEqual([scalar('cpus', 4, ALLOCATED)]);

  });

  it('reserves in the pre-refinement format for a framework without RESERVATION_REFINEMENT', async () => {
    const s = await subscribe(PLAIN);
    const offer = await firstOffer(s);
    expect(scalars(offer, 'cpus')).toEqual([scalar('cpus', 4, { role: '*' })]);
    const next = await accept(s, offer, [{ type: 'RESERVE', reserve: { resources: [scalar('cpus', 1.5, { role: 'lab', reservation: { principal: 'ops' } })] } }]);
    expect(scalars(next, 'cpus')).toEqual(
      expect.arrayContaining([scalar('cpus', 1.5, { role: 'lab', reservation: { principal: 'ops' } }), scalar('cpus', 2.5, { role: '*' })]),
    );
    const after = await accept(s, next, [{ type: 'UNRESERVE', unreserve: { resources: [scalar('cpus', 1.5, { role: 'lab', reservation: { principal: 'ops' } })] } }]);
    expect(scalars(after, 'cpus')).toEqual([scalar('cpus', 4, { role: '*' })]);
  });

  it('offers a reservation only to frameworks of its role', async () => {
    const s = await subscribe(REFINED);
    const offer = await firstOffer(s);
    await accept(s, offer, [{ type: 'RESERVE', reserve: { resources: [scalar('cpus', 1, { reservations: [LAB], ...ALLOCATED })] } }]);
    await s.call({ type: 'TEARDOWN' });
    const other = await subscribe({ user: 'root', name: 'other', roles: ['*'], capabilities: [{ type: 'MULTI_ROLE' }, { type: 'RESERVATION_REFINEMENT' }] });
    const seen = await firstOffer(other);
    expect(scalars(seen, 'cpus')).toEqual([scalar('cpus', 3, { allocation_info: { role: '*' } })]);
  });

  it.each(['json', 'protobuf'] as const)('keeps a persistent volume across tasks, offers it back, and destroys it (%s)', async (encoding) => {
    const s = await subscribe(REFINED, encoding);
    const offer = await firstOffer(s);
    const disk = scalar('disk', 64, { reservations: [LAB], ...ALLOCATED });
    const vol = volume('vol-1', 64);
    const task = (id: string, shell: string) => ({
      name: id,
      task_id: { value: id },
      agent_id: offer.agent_id,
      resources: [scalar('cpus', 0.1, ALLOCATED), scalar('mem', 32, ALLOCATED), vol],
      command: { value: shell },
    });
    /** Offers accepted so far: the others are outstanding and hold what they offer. */
    const used = new Set<string>();
    const acceptAll = async (offers: Offer[], operations: unknown[]) => {
      for (const o of offers) used.add(o.id.value);
      const answer = await s.call({ type: 'ACCEPT', accept: { offer_ids: offers.map((o) => o.id), operations, filters: { refuse_seconds: 0 } } });
      expect(answer.status).toBe(202);
    };
    /** The outstanding offers once, together, they hold all 4 cpus and the volume (resources come back in several offers). */
    const everythingOffered = () =>
      waitFor(
        () => {
          const offers = s.events.flatMap((e) => (e.type === 'OFFERS' ? (e.offers.offers ?? []) : [])).filter((o) => !used.has(o.id.value));
          const all = offers.flatMap((o) => o.resources ?? []);
          const cpus = all.filter((r) => r.name === 'cpus').reduce((sum, r) => sum + (r.scalar?.value ?? 0), 0);
          return Math.abs(cpus - 4) < 1e-9 && all.some((r) => r.disk?.persistence?.id === 'vol-1') ? offers : undefined;
        },
        { timeoutMs: 20_000, what: 'offers of every resource and the volume' },
      );
    /** Acknowledges each update of task `id` (the agent sends the next only then) until a terminal one. */
    const finished = async (id: string) => {
      for (let seen = 0; ; seen++) {
        const updates = await waitFor(() => (s.updates(id).length > seen ? s.updates(id) : undefined), { timeoutMs: 20_000, what: `update ${seen} of ${id}` });
        const { status } = updates[seen]!.update;
        if (status.uuid !== undefined) await s.call({ type: 'ACKNOWLEDGE', acknowledge: { agent_id: status.agent_id, task_id: status.task_id, uuid: status.uuid } });
        if (['TASK_FINISHED', 'TASK_FAILED', 'TASK_ERROR', 'TASK_LOST'].includes(status.state)) return status;
      }
    };

    await acceptAll([offer], [
      { type: 'RESERVE', reserve: { resources: [disk] } },
      { type: 'CREATE', id: { value: 'c-1' }, create: { volumes: [vol] } },
      { type: 'LAUNCH', launch: { task_infos: [task('writer', 'echo kept > data/file')] } },
    ]);
    expect((await s.next('UPDATE_OPERATION_STATUS')).update_operation_status.status).toMatchObject({ state: 'OPERATION_FINISHED', converted_resources: [vol] });
    expect(await finished('writer')).toMatchObject({ state: 'TASK_FINISHED' });

    // A second task finds what the first one wrote.
    await acceptAll(await everythingOffered(), [{ type: 'LAUNCH', launch: { task_infos: [task('reader', 'test "$(cat data/file)" = kept')] } }]);
    expect(await finished('reader')).toMatchObject({ state: 'TASK_FINISHED' });
    const again = await everythingOffered();
    expect(again.flatMap((o) => scalars(o, 'disk'))).toEqual(expect.arrayContaining([vol, scalar('disk', 4096 - 64, ALLOCATED)]));
    const volumeDir = join(fixture.cluster.workDir!, 'volumes', 'roles', 'lab', 'vol-1');
    expect(existsSync(join(volumeDir, 'file'))).toBe(true);

    let from = s.events.length;
    await acceptAll(again, [{ type: 'DESTROY', destroy: { volumes: [vol] } }]);
    const destroyed = (await s.next('OFFERS', () => true, { from })).offers.offers![0]!;
    expect(scalars(destroyed, 'disk')).toEqual(expect.arrayContaining([disk, scalar('disk', 4096 - 64, ALLOCATED)]));
    expect(scalars(destroyed, 'disk').some((r) => r.disk !== undefined)).toBe(false);
    await waitFor(() => !existsSync(volumeDir), { timeoutMs: 5_000, what: 'the destroyed volume directory to go' });

    from = s.events.length;
    await acceptAll([destroyed], [{ type: 'DESTROY', id: { value: 'd-2' }, destroy: { volumes: [vol] } }]);
    expect((await s.next('UPDATE_OPERATION_STATUS', (e) => e.update_operation_status.status.operation_id?.value === 'd-2')).update_operation_status.status).toEqual({
      operation_id: { value: 'd-2' },
      state: 'OPERATION_ERROR',
      message: 'Persistent volumes not found',
    });
    expect(scalars((await s.next('OFFERS', () => true, { from })).offers.offers![0]!, 'disk')).toEqual(scalars(destroyed, 'disk'));
  });

  it('reserves and unreserves through the operator API (JSON and protobuf calls), rescinding the offer that held the resources', async () => {
    const s = await subscribe(REFINED);
    const offer = await firstOffer(s);
    const operator = (call: Record<string, unknown>, encoding: 'json' | 'protobuf' = 'json') =>
      request(`${fixture.url}/api/v1`, {
        method: 'POST',
        headers: { 'Content-Type': encoding === 'json' ? 'application/json' : 'application/x-protobuf' },
        body: encoding === 'json' ? JSON.stringify(call) : Buffer.from(MASTER_CALL_CODEC.toBinary(call as OperatorMessage)),
      }).then(async (r) => [r.statusCode, await r.body.text()] as const);
    const reserved = scalar('cpus', 1, { reservations: [LAB] });
    const reserve = (resources: Resource[], agentId = offer.agent_id) => ({ type: 'RESERVE_RESOURCES', reserve_resources: { agent_id: agentId, resources } });

    expect(await operator(reserve([reserved]), 'protobuf')).toEqual([202, '']);
    expect((await s.next('RESCIND')).rescind.offer_id).toEqual(offer.id);
    const next = (await s.next('OFFERS', (e) => e.offers.offers![0]!.id.value !== offer.id.value)).offers.offers![0]!;
    expect(scalars(next, 'cpus')).toEqual(expect.arrayContaining([{ ...reserved, ...ALLOCATED }, scalar('cpus', 3, ALLOCATED)]));

    expect(await operator(reserve([reserved], { value: 'no-such-agent' }))).toEqual([400, 'No agent found with specified ID']);
    const [allocatedStatus, allocatedText] = await operator(reserve([{ ...reserved, ...ALLOCATED }]));
    expect([allocatedStatus, allocatedText]).toEqual([400, expect.stringContaining('the operator API only allows reservations to be made to unallocated resources')]);
    expect((await operator(reserve([scalar('cpus', 10, { reservations: [LAB] })])))[0]).toBe(409);

    const from = s.events.length;
    expect(await operator({ type: 'UNRESERVE_RESOURCES', unreserve_resources: { agent_id: offer.agent_id, resources: [reserved] } })).toEqual([202, '']);
    const after = (await s.next('OFFERS', (e) => scalars(e.offers.offers![0]!, 'cpus').length === 1, { from })).offers.offers![0]!;
    expect(scalars(after, 'cpus')).toEqual([scalar('cpus', 4, ALLOCATED)]);

    // A volume made and destroyed by the operator.
    const { allocation_info: _unallocated, ...vol } = volume('op-vol', 16);
    expect(await operator(reserve([scalar('disk', 16, { reservations: [LAB] })]))).toEqual([202, '']);
    expect(await operator({ type: 'CREATE_VOLUMES', create_volumes: { agent_id: offer.agent_id, volumes: [vol] } })).toEqual([202, '']);
    const withVolume = (await s.next('OFFERS', (e) => scalars(e.offers.offers![0]!, 'disk').some((r) => r.disk?.persistence?.id === 'op-vol'))).offers.offers![0]!;
    expect(scalars(withVolume, 'disk')).toEqual(expect.arrayContaining([{ ...vol, ...ALLOCATED }]));
    expect(await operator({ type: 'DESTROY_VOLUMES', destroy_volumes: { agent_id: offer.agent_id, volumes: [vol] } }, 'protobuf')).toEqual([202, '']);
    const destroyed = (await s.next('OFFERS', (e) => scalars(e.offers.offers![0]!, 'disk').length === 2 && !scalars(e.offers.offers![0]!, 'disk').some((r) => r.disk))).offers.offers![0]!;
    expect(scalars(destroyed, 'disk')).toEqual(expect.arrayContaining([scalar('disk', 16, { reservations: [LAB], ...ALLOCATED })]));
  });

  const INVALID: [string, (offer: Offer) => unknown, RegExp][] = [
    ['a reservation for role "*"', () => ({ type: 'RESERVE', reserve: { resources: [scalar('cpus', 1, { reservations: [{ type: 'DYNAMIC', role: '*' }], ...ALLOCATED })] } }), /^Invalid resources: Invalid reservation/],
    ['a STATIC reservation', () => ({ type: 'RESERVE', reserve: { resources: [scalar('cpus', 1, { reservations: [{ type: 'STATIC', role: 'lab' }], ...ALLOCATED })] } }), /is not dynamically reserved$/],
    ['a reservation for a role the framework lacks', () => ({ type: 'RESERVE', reserve: { resources: [scalar('cpus', 1, { reservations: [{ type: 'DYNAMIC', role: 'prod' }], ...ALLOCATED })] } }), /with role 'prod', but the resource was allocated to role 'lab'$/],
    ['more than offered', () => ({ type: 'RESERVE', reserve: { resources: [scalar('cpus', 5, { reservations: [LAB], ...ALLOCATED })] } }), /^Invalid RESERVE Operation: .* does not contain cpus\(allocated: lab\):5$/],
    ['unreserving unreserved cpus', () => ({ type: 'UNRESERVE', unreserve: { resources: [scalar('cpus', 1, ALLOCATED)] } }), /is not dynamically reserved$/],
    ['a volume on unreserved disk', () => ({ type: 'CREATE', create: { volumes: [scalar('disk', 8, { disk: { persistence: { id: 'v' }, volume: { mode: 'RW', container_path: 'v' } }, ...ALLOCATED })] } }), /^Invalid resources: Persistent volumes cannot be created from unreserved resources/],
    ['a volume without a container path', () => ({ type: 'CREATE', create: { volumes: [scalar('disk', 8, { reservations: [LAB], disk: { persistence: { id: 'v' } }, ...ALLOCATED })] } }), /^Not a persistent volume: 'volume' is not set in DiskInfo$/],
    ['a volume of disk not reserved first', () => ({ type: 'CREATE', create: { volumes: [volume('v', 8)] } }), /^Invalid CREATE Operation: /],
    ['destroying an unknown volume', () => ({ type: 'DESTROY', destroy: { volumes: [volume('nope', 8)] } }), /^Persistent volumes not found$/],
    ['GROW_VOLUME', () => ({ type: 'GROW_VOLUME', grow_volume: { volume: volume('v', 8), addition: scalar('disk', 8, ALLOCATED) } }), /does not perform GROW_VOLUME/],
  ];

  it.each(INVALID)('refuses %s with OPERATION_ERROR and changes nothing', async (_what, operation, message) => {
    const s = await subscribe(REFINED);
    const offer = await firstOffer(s);
    const next = await accept(s, offer, [{ ...(operation(offer) as object), id: { value: 'bad' } }]);
    const status = (await s.next('UPDATE_OPERATION_STATUS')).update_operation_status.status;
    expect(status).toMatchObject({ operation_id: { value: 'bad' }, state: 'OPERATION_ERROR' });
    expect(status.message).toMatch(message);
    expect(status.agent_id).toBeUndefined();
    expect(next.resources).toEqual(offer.resources);
  });
});
