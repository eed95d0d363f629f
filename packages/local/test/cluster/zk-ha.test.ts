/**
 * Several LocalMasters electing a leader through a real ZooKeeper (docs/protocol.md, "Master detection"),
 * compared with the recording of three real masters (fixtures/real-mesos/zk-ha-layout.json):
 * node layout and MasterInfo JSON, the non-leader's 307, 503 without a leader, and leader
 * failover under a plain-HTTP framework with a real executor process.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { request } from 'undici';
import { MasterDetectionError, type MasterInfo, type Offer, type TaskInfo } from '@mesosgot/common';
import { ZkSession, parseZkUrl } from '@mesosgot/common/zookeeper';
import { ZooKeeperServer, waitFor } from '@mesosgot/local/testing';
import { LocalCluster, type LocalClusterOptions } from '../../src/cluster.js';
import { LocalMaster } from '../../src/master/master.js';
import { isAlive, TEST_EXECUTOR } from '../support/agent-harness.js';
import { HttpScheduler, post } from '../support/http-scheduler.js';

const layout = JSON.parse(readFileSync(new URL('../fixtures/real-mesos/zk-ha-layout.json', import.meta.url), 'utf8')) as {
  json_info_nodes: Record<string, Record<string, unknown>>;
  observed_leader_port: number;
  non_leader_subscribe_response: { status: number; location: string; content_length: number };
};
const recordedInfo = Object.values(layout.json_info_nodes)[0]!;
const recorded307 = layout.non_leader_subscribe_response;

const FRAMEWORK = { user: 'tester', name: 'zk-ha-test', failover_timeout: 60, roles: ['*'], capabilities: [{ type: 'MULTI_ROLE' as const }] };
const SUBSCRIBE = { type: 'SUBSCRIBE', subscribe: { framework_info: FRAMEWORK } };

function executorTask(taskId: string, offer: Offer, behaviour: Record<string, unknown> = {}): TaskInfo {
  const cpus = [{ name: 'cpus', type: 'SCALAR' as const, scalar: { value: 0.1 } }];
  return {
    name: taskId,
    task_id: { value: taskId },
    agent_id: offer.agent_id,
    resources: cpus,
    executor: {
      executor_id: { value: `exec-${taskId}` },
      command: { value: 'node test-executor.mjs', shell: true, uris: [{ value: `file://${TEST_EXECUTOR}`, extract: false }] },
      resources: cpus,
    },
    data: Buffer.from(JSON.stringify(behaviour)).toString('base64'),
  };
}

const cpusOf = (offer: Offer): number => (offer.resources ?? []).find((r) => r.name === 'cpus')?.scalar?.value ?? 0;
const portOf = (url: string): number => Number(new URL(url).port);

async function get(url: string): Promise<{ status: number; location: string | undefined; body: string }> {
  const res = await request(url, { method: 'GET' });
  const location = res.headers.location;
  return { status: res.statusCode, location: typeof location === 'string' ? location : undefined, body: await res.body.text() };
}

describe('LocalCluster with ZooKeeper leader election', () => {
  const zk = new ZooKeeperServer();
  let counter = 0;
  let cluster: LocalCluster | undefined;
  const cleanups: (() => Promise<unknown> | unknown)[] = [];

  beforeAll(async () => {
    await zk.start();
  }, 40_000);
  afterAll(async () => {
    await zk.destroy();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await cluster?.stop();
    cluster = undefined;
    // A test that stopped ZooKeeper must not leave it down for the next one.
    await zk.start();
  });

  /** A fresh znode path per test, so no test sees another's masters. */
  function zkUrl(): string {
    return `zk://${zk.connectString}/mesos-ha-${process.pid}-${counter++}`;
  }

  async function startCluster(options: LocalClusterOptions): Promise<LocalCluster> {
    cluster = new LocalCluster({ allocationIntervalMs: 20, executorShutdownGracePeriodMs: 1_000, agents: 0, ...options });
    await cluster.start();
    return cluster;
  }

  async function zkSession(url: string): Promise<ZkSession> {
    const session = await ZkSession.connect(parseZkUrl(url));
    cleanups.push(() => session.close());
    return session;
  }

  async function subscribe(url: string, info: Record<string, unknown> = {}): Promise<HttpScheduler> {
    const s = await HttpScheduler.subscribe(url, { ...FRAMEWORK, ...info });
    cleanups.push(() => s.close());
    return s;
  }

  it('three masters register json.info_ nodes holding compact MasterInfo JSON; the lowest sequence leads', async () => {
    const url = zkUrl();
    const c = await startCluster({ masters: 3, zk: url });
    const session = await zkSession(url);
    const path = parseZkUrl(url).path;
    const children = (await session.children(path)).sort();
    expect(children).toHaveLength(3);
    for (const child of children) expect(child).toMatch(/^json\.info_\d{10}$/);

    const byPort = new Map<number, { node: string; info: MasterInfo }>();
    for (const child of children) {
      const text = (await session.data(`${path}/${child}`)).toString('utf8');
      const info = JSON.parse(text) as MasterInfo;
      expect(text).toBe(JSON.stringify(info)); // compact, as a real master writes it
      expect(Object.keys(info).sort()).toEqual(Object.keys(recordedInfo).sort());
      expect(info).toMatchObject({
        address: { hostname: '127.0.0.1', ip: '127.0.0.1', port: info.port },
        hostname: '127.0.0.1',
        ip: recordedInfo.ip,
        pid: `master@127.0.0.1:${info.port}`,
        version: recordedInfo.version,
        capabilities: recordedInfo.capabilities,
      });
      byPort.set(info.port, { node: child, info });
    }
    // Masters started in index order, so master 0 holds the lowest sequence and leads.
    const ports = c.masterUrls.map(portOf);
    expect(byPort.get(ports[0]!)?.node).toBe(children[0]);
    expect(c.leader).toBe(c.masters[0]);
    expect(c.masterUrl).toBe(c.masterUrls[0]);
    expect(c.masters[0]!.zkNode).toBe(`${path}/${children[0]}`);
    for (const follower of [c.masters[1]!, c.masters[2]!]) {
      expect(follower.leadership).toEqual({ state: 'following', leader: byPort.get(ports[0]!)!.info });
    }
  });

  it('a non-leader answers SUBSCRIBE with 307, an empty body and Location //127.0.0.1:<leader>/master/api/v1/scheduler, as recorded', async () => {
    const c = await startCluster({ masters: 3, zk: zkUrl() });
    const leaderPort = portOf(c.masterUrls[0]!);
    const expected = recorded307.location.replace(String(layout.observed_leader_port), String(leaderPort));
    for (const follower of c.masterUrls.slice(1)) {
      const answer = await post(follower, SUBSCRIBE);
      expect(answer.status).toBe(recorded307.status);
      expect(answer.headers.location).toBe(expected);
      expect(answer.headers['content-length']).toBe(String(recorded307.content_length));
      expect(answer.body).toBe('');
      // The /master-prefixed path redirects to itself on the leader; operator endpoints follow too.
      const prefixed = await post(`${follower}/master`, SUBSCRIBE);
      expect([prefixed.status, prefixed.headers.location]).toEqual([307, expected]);
      expect(await get(`${follower}/master/state`)).toMatchObject({ status: 307, location: `//127.0.0.1:${leaderPort}/master/state` });
    }
    // The leader serves the redirected path.
    const s = await subscribe(`http:${expected.replace('/api/v1/scheduler', '')}`);
    expect(s.status).toBe(200);
    await s.next('SUBSCRIBED');
  });

  it('/master/redirect and /redirect on every master point at the leader', async () => {
    const c = await startCluster({ masters: 3, zk: zkUrl() });
    const leaderPort = portOf(c.masterUrls[0]!);
    for (const url of c.masterUrls) {
      for (const path of ['/master/redirect', '/redirect']) {
        expect(await get(`${url}${path}`)).toEqual({ status: 307, location: `//127.0.0.1:${leaderPort}`, body: '' });
      }
    }
  });

  it('with no master in ZooKeeper every master answers 503 No leader elected; once ZooKeeper is back the first to join leads', async () => {
    await zk.stop();
    const url = zkUrl();
    const masters = [new LocalMaster({ zk: url, allocationIntervalMs: 20 }), new LocalMaster({ zk: url, allocationIntervalMs: 20 })];
    cleanups.push(() => Promise.all(masters.map((m) => m.stop())));
    const urls = await Promise.all(masters.map((m) => m.start()));
    for (const masterUrl of urls) {
      const answer = await post(masterUrl, SUBSCRIBE);
      expect([answer.status, answer.body]).toEqual([503, 'No leader elected']);
      expect(await get(`${masterUrl}/master/redirect`)).toMatchObject({ status: 503, body: 'No leader elected' });
    }
    await zk.start();
    const nodes = await Promise.all(masters.map((m) => m.joined({ signal: AbortSignal.timeout(15_000) })));
    const leaderIndex = nodes[0]! < nodes[1]! ? 0 : 1;
    await waitFor(() => masters[leaderIndex]!.isLeading && masters[1 - leaderIndex]!.leadership.state === 'following', {
      timeoutMs: 10_000,
      what: 'the lower sequence to lead',
    });
    const answer = await post(urls[1 - leaderIndex]!, SUBSCRIBE);
    expect([answer.status, answer.headers.location]).toEqual([307, `//127.0.0.1:${portOf(urls[leaderIndex]!)}/master/api/v1/scheduler`]);
  }, 40_000);

  it('kill the leader: the framework re-subscribes to the new leader with its id, its task still runs, pending and new updates and messages flow', async () => {
    const c = await startCluster({ masters: 3, zk: zkUrl(), agents: 1 });
    const s1 = await subscribe(c.masterUrl);
    const offer = (await s1.next('OFFERS')).offers.offers![0]!;
    expect(cpusOf(offer)).toBe(4);
    await s1.call({
      type: 'ACCEPT',
      accept: { offer_ids: [offer.id], operations: [{ type: 'LAUNCH', launch: { task_infos: [executorTask('t1', offer)] } }], filters: { refuse_seconds: 0.05 } },
    });
    // TASK_RUNNING stays unacknowledged across the failover: the agent must re-send it.
    const running = await s1.next('UPDATE', (e) => e.update.status.state === 'TASK_RUNNING', { timeoutMs: 10_000 });
    const agent = c.agents[0]!;
    const [executor] = agent.executors();
    expect(executor?.pid).toBeDefined();
    const frameworkId = s1.frameworkId;

    const killed = await c.killLeader();
    expect(killed).toBe(0);
    await waitFor(() => s1.ended, { what: 'the old leader to end the stream' });
    const leader = await c.waitForLeader({ timeoutMs: 10_000 });
    expect(leader).toBe(c.masters[1]);
    // The framework finds the leader as a driver would: any surviving master redirects to it.
    const location = await waitFor(
      async () => {
        const answer = await get(`${c.masterUrls[2]!}/master/redirect`);
        return answer.status === 307 && answer.location !== `//127.0.0.1:${portOf(c.masterUrls[0]!)}` ? answer.location : undefined;
      },
      { timeoutMs: 10_000, what: 'a redirect to the new leader' },
    );
    expect(`http:${location}`).toBe(c.masterUrls[1]);
    const s2 = await subscribe(`http:${location}`, { id: { value: frameworkId } });
    expect((await s2.next('SUBSCRIBED')).subscribed).toMatchObject({ framework_id: { value: frameworkId }, master_info: { port: portOf(c.masterUrls[1]!) } });

    // The pending update arrives again (same uuid) and its acknowledgement reaches the agent.
    const resent = await s2.next('UPDATE', (e) => e.update.status.task_id.value === 't1', { timeoutMs: 10_000 });
    expect(resent.update.status).toMatchObject({ state: 'TASK_RUNNING', uuid: running.update.status.uuid });
    expect((await s2.call({ type: 'ACKNOWLEDGE', acknowledge: { agent_id: offer.agent_id, task_id: { value: 't1' }, uuid: resent.update.status.uuid } })).status).toBe(202);
    await waitFor(() => agent.pendingUpdates(frameworkId, 't1').length === 0, { what: 'the ack to reach the agent' });

    // The executor was never touched; the new leader knows the task and charges its resources.
    expect(agent.executors()).toEqual([executor]);
    expect(isAlive(executor!.pid!)).toBe(true);
    expect(leader.state.tasks.get(frameworkId, 't1')).toMatchObject({ state: 'TASK_RUNNING', agentId: offer.agent_id.value });
    const next = (await s2.next('OFFERS')).offers.offers![0]!;
    expect(cpusOf(next)).toBeCloseTo(3.8, 5);

    const ping = { type: 'MESSAGE', message: { agent_id: offer.agent_id, executor_id: { value: 'exec-t1' }, data: Buffer.from('ping').toString('base64') } };
    expect((await s2.call(ping)).status).toBe(202);
    const echo = await s2.next('MESSAGE', (e) => Buffer.from(e.message.data, 'base64').toString() === 'echo:ping');
    expect(echo.message.executor_id).toEqual({ value: 'exec-t1' });

    // A status update produced after the failover reaches the framework through the new leader.
    await s2.call({ type: 'KILL', kill: { task_id: { value: 't1' }, agent_id: offer.agent_id } });
    const killedUpdate = await s2.next('UPDATE', (e) => e.update.status.state === 'TASK_KILLED');
    expect(killedUpdate.update.status).toMatchObject({ task_id: { value: 't1' }, source: 'SOURCE_EXECUTOR' });
  }, 40_000);

  it('a master whose ZooKeeper node is deleted aborts like a real master; the next one leads and the agents follow', async () => {
    const url = zkUrl();
    const c = await startCluster({ masters: 2, zk: url, agents: 1 });
    const first = c.masters[0]!;
    const s = await subscribe(c.masterUrl);
    await s.next('SUBSCRIBED');
    const session = await zkSession(url);
    await session.remove(first.zkNode!);
    const reason = await first.closed();
    expect(reason).toBeInstanceOf(MasterDetectionError);
    expect(c.masters[0]).toBeUndefined();
    await waitFor(() => s.ended, { what: 'the aborted master to end the stream' });
    const leader = await c.waitForLeader({ timeoutMs: 10_000 });
    expect(leader).toBe(c.masters[1]);
    await waitFor(() => leader.state.agents.all().length === 1, { what: 'the agent to re-register' });

    await c.restartMaster(0);
    expect(c.masters[0]!.leadership).toMatchObject({ state: 'following' });
    expect(c.masterUrl).toBe(c.masterUrls[1]);
  });

  it('survives a ZooKeeper restart: the leader keeps leading and its stream, its node outlives the outage', async () => {
    const c = await startCluster({ masters: 3, zk: zkUrl(), agents: 1 });
    const s = await subscribe(c.masterUrl);
    await s.next('OFFERS');
    await c.stopMaster(2);
    await zk.stop();
    // ZooKeeper down: the masters keep what they knew (Mesos leads on until the session expires).
    expect(c.leader).toBe(c.masters[0]);
    expect((await s.call({ type: 'REVIVE' })).status).toBe(202);
    expect((await post(c.masterUrls[1]!, SUBSCRIBE)).status).toBe(307);
    await zk.start();
    expect(s.ended).toBe(false);
    expect((await s.call({ type: 'REVIVE' })).status).toBe(202);
    // A master joining after the restart finds the leader's node still there (its session survived).
    await c.restartMaster(2);
    expect(c.masters[2]!.leadership).toEqual({ state: 'following', leader: c.masters[0]!.state.masterInfo() });
    expect(c.leader).toBe(c.masters[0]);
    expect(s.events.some((e) => e.type === 'ERROR')).toBe(false);
  }, 40_000);

  it('an agent restart charges its recovered executor again (no offer of resources in use)', async () => {
    const c = await startCluster({ agents: 1 });
    const s = await subscribe(c.masterUrl, { checkpoint: true });
    const offer = (await s.next('OFFERS')).offers.offers![0]!;
    await s.call({
      type: 'ACCEPT',
      accept: { offer_ids: [offer.id], operations: [{ type: 'LAUNCH', launch: { task_infos: [executorTask('t1', offer)] } }], filters: { refuse_seconds: 0.05 } },
    });
    const running = await s.next('UPDATE', (e) => e.update.status.state === 'TASK_RUNNING', { timeoutMs: 10_000 });
    await s.call({ type: 'ACKNOWLEDGE', acknowledge: { agent_id: offer.agent_id, task_id: { value: 't1' }, uuid: running.update.status.uuid } });
    await c.stopAgent(0);
    await c.restartAgent(0);
    const from = s.events.length;
    const after = await s.next('OFFERS', () => true, { from, timeoutMs: 10_000 });
    expect(cpusOf(after.offers.offers![0]!)).toBeCloseTo(3.8, 5);
    expect(c.master.state.tasks.get(s.frameworkId, 't1')?.state).toBe('TASK_RUNNING');
  });

  it('refuses several masters without zk', () => {
    expect(() => new LocalCluster({ masters: 2 })).toThrow(/ZooKeeper/);
  });
});
