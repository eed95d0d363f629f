import { afterEach, describe, expect, it } from '@jest/globals';
import { request } from 'undici';
import { HttpScheduler, post } from '../../support/http-scheduler.js';
import { FRAMEWORK, startMaster, type MasterFixture } from '../../support/master-fixture.js';

async function get(url: string): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  const res = await request(url, { method: 'GET' });
  return { status: res.statusCode, body: await res.body.text(), headers: res.headers };
}

describe('LocalMaster operator endpoints', () => {
  let fx: MasterFixture | undefined;
  afterEach(async () => {
    await fx?.stop();
    fx = undefined;
  });

  it('serves /health, a 307 /master/redirect to itself, and 404 elsewhere', async () => {
    fx = await startMaster();
    expect((await get(`${fx.url}/health`)).status).toBe(200);
    const redirect = await get(`${fx.url}/master/redirect`);
    expect(redirect.status).toBe(307);
    expect(redirect.headers.location).toBe(`//127.0.0.1:${new URL(fx.url).port}`);
    expect((await get(`${fx.url}/redirect`)).status).toBe(307);
    expect((await get(`${fx.url}/nope`)).status).toBe(404);
  });

  it('lists frameworks, their tasks with states, and agents in /master/state', async () => {
    fx = await startMaster();
    const s = await fx.subscribe();
    const offer = (await s.next('OFFERS')).offers.offers![0]!;
    const task = { name: 't', task_id: { value: 't' }, agent_id: offer.agent_id, resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 } }], command: { value: 'true' } };
    await s.call({ type: 'ACCEPT', accept: { offer_ids: [offer.id], operations: [{ type: 'LAUNCH', launch: { task_infos: [task] } }] } });
    fx.agents[0]!.update(s.frameworkId, 't', 'TASK_RUNNING');
    await s.next('UPDATE');
    const state = JSON.parse((await get(`${fx.url}/master/state`)).body) as {
      id: string;
      frameworks: { id: string; name: string; active: boolean; tasks: { id: string; state: string; slave_id: string }[] }[];
      slaves: { id: string; resources: Record<string, unknown>; used_resources: Record<string, unknown> }[];
    };
    expect(state.id).toBe(fx.master.masterId);
    expect(state.frameworks).toEqual([expect.objectContaining({ id: s.frameworkId, name: FRAMEWORK.name, active: true })]);
    expect(state.frameworks[0]!.tasks).toEqual([expect.objectContaining({ id: 't', state: 'TASK_RUNNING', slave_id: offer.agent_id.value })]);
    expect(state.slaves).toEqual([expect.objectContaining({ id: offer.agent_id.value })]);
    expect(state.slaves[0]!.resources).toMatchObject({ cpus: 4, mem: 4096, ports: '[31000-31099]' });
    expect(state.slaves[0]!.used_resources).toMatchObject({ cpus: 1 });
  });
});

describe('LocalMaster HTTP Basic authentication', () => {
  let fx: MasterFixture | undefined;
  afterEach(async () => {
    await fx?.stop();
    fx = undefined;
  });

  const basic = (principal: string, secret: string) => `Basic ${Buffer.from(`${principal}:${secret}`).toString('base64')}`;

  it('refuses missing or wrong credentials with 401 and the scheduler realm, without echoing secrets', async () => {
    fx = await startMaster({ credentials: [{ principal: 'p1', secret: 's3cret' }] });
    const subscribe = { type: 'SUBSCRIBE', subscribe: { framework_info: FRAMEWORK } };
    for (const auth of [undefined, basic('p1', 'wrong'), basic('nobody', 's3cret'), 'Bearer x']) {
      const answer = await post(fx.url, subscribe, { 'Content-Type': 'application/json', ...(auth ? { Authorization: auth } : {}) });
      expect(answer.status).toBe(401);
      expect(answer.headers['www-authenticate']).toBe('Basic realm="mesos-master-scheduler"');
      expect(answer.body).not.toContain('s3cret');
    }
  });

  it('accepts the right credentials and fills in framework_info.principal', async () => {
    fx = await startMaster({ credentials: [{ principal: 'p1', secret: 's3cret' }] });
    const s = await fx.subscribe({}, { Authorization: basic('p1', 's3cret') });
    await s.next('SUBSCRIBED');
    expect(fx.master.state.frameworks.get(s.frameworkId)!.info.principal).toBe('p1');
    expect((await s.call({ type: 'REVIVE' }, { Authorization: basic('p1', 's3cret') })).status).toBe(202);
    expect((await s.call({ type: 'REVIVE' })).status).toBe(401);
    const mismatch = await HttpScheduler.subscribe(fx.url, { ...FRAMEWORK, principal: 'other' }, { Authorization: basic('p1', 's3cret') });
    fx.schedulers.push(mismatch);
    expect(mismatch.status).toBe(400);
  });
});
