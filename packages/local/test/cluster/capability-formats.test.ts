/**
 * Offers in the format a real Mesos 1.12 master chose for the framework's capabilities
 * (real-mesos/protobuf/subscribe-json-refinement.json; docs/protobuf.md, "Capability-dependent
 * formats"): MULTI_ROLE + RESERVATION_REFINEMENT get `allocation_info` and no `role`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import type { FrameworkInfo, SchedulerEvent } from '@mesosgot/common';
import { clusterWithSchedulers } from '../support/cluster-with-schedulers.js';
import { HttpScheduler } from '../support/http-scheduler.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/real-mesos/protobuf/', import.meta.url));
const recording = JSON.parse(readFileSync(`${FIXTURES}subscribe-json-refinement.json`, 'utf8')) as {
  request: { subscribe: { framework_info: FrameworkInfo } };
  events: SchedulerEvent[];
};
const recordedOffer = recording.events.find((e): e is Extract<SchedulerEvent, { type: 'OFFERS' }> => e.type === 'OFFERS')!.offers
  .offers![0]!;

describe('LocalMaster offer formats by capability', () => {
  const fixture = clusterWithSchedulers();

  it.each(['json', 'protobuf'] as const)(
    'offers a MULTI_ROLE + RESERVATION_REFINEMENT framework the recorded resources, without role (%s)',
    async (encoding) => {
      const s = await HttpScheduler.subscribe(fixture.url, recording.request.subscribe.framework_info, {}, { encoding });
      fixture.track(s);
      const offer = (await s.next('OFFERS')).offers.offers![0]!;
      expect(offer.resources).toEqual(recordedOffer.resources);
      expect(offer.allocation_info).toEqual(recordedOffer.allocation_info);
      for (const r of offer.resources ?? []) expect(r).not.toHaveProperty('role');
    },
  );

  it.each(['json', 'protobuf'] as const)('refuses a RESERVE for a role the framework lacks with OPERATION_ERROR, and the resources come back (%s)', async (encoding) => {
    const s = await HttpScheduler.subscribe(fixture.url, recording.request.subscribe.framework_info, {}, { encoding });
    fixture.track(s);
    const offer = (await s.next('OFFERS')).offers.offers![0]!;
    const cpus = offer.resources!.find((r) => r.name === 'cpus')!;
    const reserve = {
      type: 'RESERVE',
      id: { value: 'reserve-1' },
      reserve: { resources: [{ ...cpus, scalar: { value: 1 }, reservations: [{ type: 'DYNAMIC', role: 'lab' }] }] },
    };
    const answer = await s.call({ type: 'ACCEPT', accept: { offer_ids: [offer.id], operations: [reserve], filters: { refuse_seconds: 0 } } });
    expect(answer.status).toBe(202);
    const update = await s.next('UPDATE_OPERATION_STATUS');
    expect(update.update_operation_status.status).toMatchObject({
      operation_id: { value: 'reserve-1' },
      state: 'OPERATION_ERROR',
      message: "A reserve operation was attempted for a resource with role 'lab', but the resource was allocated to role '*'",
    });
    // Nothing was reserved: the next offer has the same unreserved cpus.
    const next = await s.next('OFFERS', (e) => e.offers.offers![0]!.id.value !== offer.id.value);
    expect(next.offers.offers![0]!.resources).toEqual(offer.resources);
  });

  it('keeps role "*" and no allocation_info for a framework without capabilities', async () => {
    const s = await HttpScheduler.subscribe(fixture.url, { user: 'root', name: 'plain' });
    fixture.track(s);
    const offer = (await s.next('OFFERS')).offers.offers![0]!;
    expect(offer.resources?.every((r) => r.role === '*' && r.allocation_info === undefined)).toBe(true);
    expect(offer.allocation_info).toBeUndefined();
  });
});
