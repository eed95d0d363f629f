// Regression (found by the scheduler's faults-scheduler-failover chaos test): the local master
// ignored SUBSCRIBE's `suppressed_roles` and kept a framework's suppression across
// re-subscriptions, so a scheduler failing over to a framework whose previous scheduler had
// suppressed offers never got an offer again. Mesos sets the suppressed roles from each
// SUBSCRIBE (the allocator's updateFramework): absent means none.
import { afterEach, describe, expect, it } from '@jest/globals';
import { startMaster, type MasterFixture } from '../support/master-fixture.js';

let fx: MasterFixture | undefined;
afterEach(async () => {
  await fx?.stop();
  fx = undefined;
});

describe('LocalMaster SUBSCRIBE suppressed_roles', () => {
  it('offers again to a framework re-subscribing without suppressed roles after its old connection suppressed', async () => {
    fx = await startMaster();
    const first = await fx.subscribe();
    await first.next('OFFERS');
    expect((await first.call({ type: 'SUPPRESS', suppress: { roles: ['*'] } })).status).toBe(202);
    const id = first.frameworkId;
    const second = await fx.subscribe({ id: { value: id } });
    await second.next('SUBSCRIBED');
    const offers = await second.next('OFFERS');
    expect(offers.offers.offers![0]!.framework_id.value).toBe(id);
  });

});
