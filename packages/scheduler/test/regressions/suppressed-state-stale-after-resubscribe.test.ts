// Regression (found with the faults-scheduler-failover and subscription-cut chaos tests): the
// gang launcher remembered that it had suppressed offers across a disconnection. A SUBSCRIBE
// states the suppressed roles afresh (ours: none), so after re-subscribing the master offers
// again; the launcher, believing it had already suppressed, declined each offer and never sent
// SUPPRESS again — an offer/decline cycle every refuse_seconds for the rest of the run.
import { describe, expect, it } from '@jest/globals';
import type { Offer } from '@mesosgot/common';
import { GangLauncher, TaskTable, type SchedulerDriver } from '../../src/internal.js';

function offer(id: string): Offer {
  return {
    id: { value: id },
    framework_id: { value: 'F1' },
    agent_id: { value: 'A1' },
    hostname: '127.0.0.1',
    resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 } }],
  } as Offer;
}

describe('GangLauncher suppression across a re-subscribe', () => {
  it('suppresses again when offers come after a disconnection and nothing is pending', () => {
    const calls: string[] = [];
    const driver = {
      declineOffer: async () => (calls.push('decline'), 'DRIVER_RUNNING'),
      suppressOffers: async () => (calls.push('suppress'), 'DRIVER_RUNNING'),
      reviveOffers: async () => (calls.push('revive'), 'DRIVER_RUNNING'),
    } as unknown as SchedulerDriver;
    const launcher = new GangLauncher({
      table: new TaskTable(),
      frameworkName: 'f',
      executorSource: { kind: 'command', command: 'true' },
      executorResources: { cpus: 0.1 },
      refuseSeconds: 1,
      holdTimeoutMs: 1_000,
      onLaunched: () => undefined,
      onPending: () => undefined,
      onError: (error) => {
        throw error;
      },
    });
    launcher.attach(driver);
    launcher.addOffers([offer('o1')]);
    expect(calls).toEqual(['decline', 'suppress']);
    launcher.forgetOffers();
    launcher.addOffers([offer('o2')]);
    expect(calls).toEqual(['decline', 'suppress', 'decline', 'suppress']);
    launcher.close();
  });
});
