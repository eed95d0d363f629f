import { afterEach, describe, expect, it } from '@jest/globals';
import { waitFor } from '@mesosgot/local/testing';
import { HttpScheduler } from '../../support/http-scheduler.js';
import { FRAMEWORK, startMaster, type MasterFixture } from '../../support/master-fixture.js';

const launch = (offerId: { value: string }, agentId: string, taskId: string) => ({
  type: 'ACCEPT',
  accept: {
    offer_ids: [offerId],
    operations: [{ type: 'LAUNCH', launch: { task_infos: [{ name: taskId, task_id: { value: taskId }, agent_id: { value: agentId }, resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 } }], command: { value: 'sleep 100' } }] } }],
  },
});

describe('LocalMaster framework failover (docs/protocol.md, "Subscribing", "Failover timeout")', () => {
  let fx: MasterFixture | undefined;
  afterEach(async () => {
    await fx?.stop();
    fx = undefined;
  });

  it('re-subscribing while the old stream is open sends it ERROR "Framework failed over" and closes it', async () => {
    fx = await startMaster();
    const first = await fx.subscribe();
    await first.next('OFFERS');
    const second = await fx.subscribe({ id: { value: first.frameworkId } });
    await second.next('SUBSCRIBED');
    const error = await first.next('ERROR');
    expect(error.error).toEqual({ message: 'Framework failed over' });
    await waitFor(() => first.ended);
    expect(first.events.at(-1)).toBe(error);
    expect(second.frameworkId).toBe(first.frameworkId);
    expect(fx.agents[0]!.of('resend')).toEqual([{ kind: 'resend', frameworkId: first.frameworkId }]);
    // Offers are made again to the new stream, and the old stream id is refused.
    await second.next('OFFERS');
    expect(await first.call({ type: 'REVIVE' })).toMatchObject({
      status: 400,
      body: `The stream ID '${first.streamId}' included in this request didn't match the stream ID currently associated with framework ID ${first.frameworkId}`,
    });
  });

  it('keeps tasks during failover_timeout and removes the framework after it', async () => {
    fx = await startMaster();
    const s = await fx.subscribe({ failover_timeout: 0.3 });
    const offer = (await s.next('OFFERS')).offers.offers![0]!;
    await s.call(launch(offer.id, offer.agent_id.value, 'sleeper'));
    fx.master.dropSubscription(s.frameworkId);
    await waitFor(() => s.ended);
    expect(await s.call({ type: 'REVIVE' })).toMatchObject({ status: 403, body: 'Framework is not subscribed' });
    expect(fx.master.state.tasks.get(s.frameworkId, 'sleeper')).toBeDefined();
    expect(fx.agents[0]!.of('shutdownFramework')).toEqual([]);
    await waitFor(() => fx!.agents[0]!.of('shutdownFramework').length === 1, { timeoutMs: 3_000, what: 'failover timeout' });
    expect(await s.call({ type: 'REVIVE' })).toMatchObject({ status: 400, body: 'Framework cannot be found' });
    const late = await HttpScheduler.subscribe(fx.url, { ...FRAMEWORK, id: { value: s.frameworkId } });
    fx.schedulers.push(late);
    expect(late.status).toBe(200);
    await waitFor(() => late.ended);
    expect(late.events).toEqual([{ type: 'ERROR', error: { message: 'Framework has been removed' } }]);
  });

  it('answers an invalid FrameworkInfo with a single ERROR record in a 200 stream', async () => {
    fx = await startMaster();
    const s = await HttpScheduler.subscribe(fx.url, { user: 'u', name: 'n', roles: ['a'] });
    fx.schedulers.push(s);
    await waitFor(() => s.ended);
    expect(s.status).toBe(200);
    expect(s.events).toEqual([
      { type: 'ERROR', error: { message: "'FrameworkInfo.roles' must not be set when the framework is not MULTI_ROLE capable" } },
    ]);
  });
});

describe('LocalMaster offers (docs/protocol.md, "Offer lifetime", "Filters and declines")', () => {
  let fx: MasterFixture | undefined;
  afterEach(async () => {
    await fx?.stop();
    fx = undefined;
  });

  it('filters declined resources for refuse_seconds, and REVIVE clears the filter at once', async () => {
    fx = await startMaster();
    const s = await fx.subscribe();
    const o1 = (await s.next('OFFERS')).offers.offers![0]!;
    // Timed from before the call: the filter starts when the master handles the DECLINE, which
    // on a loaded machine can be well before its answer arrives here.
    const t0 = Date.now();
    await s.call({ type: 'DECLINE', decline: { offer_ids: [o1.id], filters: { refuse_seconds: 0.25 } } });
    const o2 = (await s.next('OFFERS', (e) => e.offers.offers![0]!.id.value !== o1.id.value)).offers.offers![0]!;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(240);
    await s.call({ type: 'DECLINE', decline: { offer_ids: [o2.id], filters: { refuse_seconds: 60 } } });
    const from = s.events.length;
    await s.call({ type: 'REVIVE' });
    await s.next('OFFERS', () => true, { from, timeoutMs: 1_000 });
  });

  it('makes no offers while SUPPRESSed, and offers again after REVIVE', async () => {
    fx = await startMaster();
    const s = await fx.subscribe();
    const o1 = (await s.next('OFFERS')).offers.offers![0]!;
    await s.call({ type: 'SUPPRESS', suppress: { roles: ['*'] } });
    await s.call({ type: 'DECLINE', decline: { offer_ids: [o1.id], filters: { refuse_seconds: 0 } } });
    const from = s.events.length;
    // Ten allocation rounds (20 ms each) pass without an offer.
    const deadline = Date.now() + 200;
    await waitFor(() => Date.now() >= deadline, { timeoutMs: 1_000 });
    expect(s.events.slice(from).some((e) => e.type === 'OFFERS')).toBe(false);
    await s.call({ type: 'REVIVE', revive: { roles: ['*'] } });
    await s.next('OFFERS', () => true, { from });
  });

  it('RESCINDs outstanding offers of a lost agent, then sends FAILURE {agent_id}', async () => {
    fx = await startMaster();
    const s = await fx.subscribe();
    const offer = (await s.next('OFFERS')).offers.offers![0]!;
    fx.master.link.agentLost(offer.agent_id);
    const rescind = await s.next('RESCIND');
    expect(rescind.rescind).toEqual({ offer_id: offer.id });
    const failure = await s.next('FAILURE');
    expect(failure.failure).toEqual({ agent_id: offer.agent_id });
    expect(s.events.indexOf(failure)).toBeGreaterThan(s.events.indexOf(rescind));
    expect(await s.call({ type: 'DECLINE', decline: { offer_ids: [offer.id] } })).toMatchObject({ status: 202 });
  });

  it('offers to several frameworks at once', async () => {
    fx = await startMaster({}, 2);
    const a = await fx.subscribe({ name: 'a' });
    const offered = await a.next('OFFERS', (e) => e.offers.offers!.length === 2);
    const b = await fx.subscribe({ name: 'b' });
    await b.next('SUBSCRIBED');
    // Offered resources belong to `a` until it declines them; then `b` gets them.
    await a.call({ type: 'DECLINE', decline: { offer_ids: offered.offers.offers!.map((o) => o.id), filters: { refuse_seconds: 60 } } });
    const toB = await b.next('OFFERS', (e) => e.offers.offers!.length === 2);
    expect(toB.offers.offers!.map((o) => o.framework_id.value)).toEqual([b.frameworkId, b.frameworkId]);
    expect(a.frameworkId).toBe(`${fx.master.masterId}-0000`);
    expect(b.frameworkId).toBe(`${fx.master.masterId}-0001`);
  });

  it('tells the framework FAILURE {agent_id, executor_id, status} when an executor exits', async () => {
    fx = await startMaster();
    const s = await fx.subscribe();
    await s.next('SUBSCRIBED');
    fx.master.link.executorExited(fx.agents[0]!.info.id, { value: s.frameworkId }, { value: 'e1' }, 1280);
    const failure = await s.next('FAILURE');
    expect(failure.failure).toEqual({ agent_id: fx.agents[0]!.info.id, executor_id: { value: 'e1' }, status: 1280 });
  });
});
