/**
 * Offers in the format a real Mesos 1.12 master chose for the framework's capabilities
 * (real-mesos/protobuf/subscribe-json-refinement.json; docs/protobuf.md, "Capability-dependent
 * formats"): MULTI_ROLE + RESERVATION_REFINEMENT get `allocation_info` and no `role`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { FrameworkInfo, SchedulerEvent } from '@mesosgot/common';
import { LocalCluster } from '../../src/cluster.js';
import { HttpScheduler } from '../support/http-scheduler.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/real-mesos/protobuf/', import.meta.url));
const recording = JSON.parse(readFileSync(`${FIXTURES}subscribe-json-refinement.json`, 'utf8')) as {
  request: { subscribe: { framework_info: FrameworkInfo } };
  events: SchedulerEvent[];
};
const recordedOffer = recording.events.find((e): e is Extract<SchedulerEvent, { type: 'OFFERS' }> => e.type === 'OFFERS')!.offers
  .offers![0]!;

describe('LocalMaster offer formats by capability', () => {
  let cluster: LocalCluster;
  let url: string;
  const schedulers: HttpScheduler[] = [];

  beforeEach(async () => {
    cluster = new LocalCluster({ agents: 1, allocationIntervalMs: 50 });
    url = await cluster.start();
  });

  afterEach(async () => {
    for (const s of schedulers.splice(0)) await s.close();
    await cluster.stop();
  });

  it.each(['json', 'protobuf'] as const)(
    'offers a MULTI_ROLE + RESERVATION_REFINEMENT framework the recorded resources, without role (%s)',
    async (encoding) => {
      const s = await HttpScheduler.subscribe(url, recording.request.subscribe.framework_info, {}, { encoding });
      schedulers.push(s);
      const offer = (await s.next('OFFERS')).offers.offers![0]!;
      expect(offer.resources).toEqual(recordedOffer.resources);
      expect(offer.allocation_info).toEqual(recordedOffer.allocation_info);
      for (const r of offer.resources ?? []) expect(r).not.toHaveProperty('role');
    },
  );

  it('keeps role "*" and no allocation_info for a framework without capabilities', async () => {
    const s = await HttpScheduler.subscribe(url, { user: 'root', name: 'plain' });
    schedulers.push(s);
    const offer = (await s.next('OFFERS')).offers.offers![0]!;
    expect(offer.resources?.every((r) => r.role === '*' && r.allocation_info === undefined)).toBe(true);
    expect(offer.allocation_info).toBeUndefined();
  });
});
