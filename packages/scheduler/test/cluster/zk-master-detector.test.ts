import { describe, it, expect, beforeAll, afterAll, afterEach } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { MasterDetectionError } from '@mesosgot/common';
import { ZkSession, parseZkUrl } from '@mesosgot/common/zookeeper';
import { ZooKeeperServer, waitFor } from '@mesosgot/local/testing';
import { ZooKeeperMasterDetector } from '../../src/driver/zk-master-detector.js';

const layout = JSON.parse(
  readFileSync(new URL('../../../local/test/fixtures/real-mesos/zk-ha-layout.json', import.meta.url), 'utf8'),
) as { json_info_nodes: Record<string, unknown> };
const infos = Object.values(layout.json_info_nodes);

describe('driver/zk-master-detector against a real ZooKeeper', () => {
  const zk = new ZooKeeperServer();
  const cleanups: (() => Promise<void> | void)[] = [];
  let path = '';
  let counter = 0;

  beforeAll(async () => {
    await zk.start();
  }, 40_000);
  afterAll(async () => {
    await zk.destroy();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function registerMasters(count: number): Promise<{ session: ZkSession; nodes: string[] }> {
    path = `/mesos-${process.pid}-${counter++}`;
    const session = await ZkSession.connect(parseZkUrl(`zk://${zk.connectString}${path}`));
    cleanups.push(() => session.close());
    await session.mkdirp(path);
    await session.mkdirp(`${path}/log_replicas`); // a non-sequence child that must be ignored
    const nodes: string[] = [];
    for (let i = 0; i < count; i++) {
      nodes.push(await session.createEphemeralSequential(`${path}/json.info_`, Buffer.from(JSON.stringify(infos[i]))));
    }
    return { session, nodes };
  }

  function detector(options: ConstructorParameters<typeof ZooKeeperMasterDetector>[1] = {}): ZooKeeperMasterDetector {
    const d = new ZooKeeperMasterDetector(`zk://${zk.connectString}${path}`, options);
    cleanups.push(() => d.close());
    return d;
  }

  it('picks the lowest-sequence json.info node as the leader, as Mesos does', async () => {
    await registerMasters(3);
    // The first registered node (lowest sequence) holds the fixture's first MasterInfo (port 5062).
    await expect(detector().nextMaster()).resolves.toBe('http://127.0.0.1:5062');
  });

  it('follows a leader change when the leading master goes away', async () => {
    const { session, nodes } = await registerMasters(2);
    const d = detector();
    const abort = new AbortController();
    cleanups.push(() => abort.abort());
    const seen: string[] = [];
    void (async () => {
      for await (const url of d.leaderChanges({ signal: abort.signal })) seen.push(url);
    })().catch(() => undefined);
    await waitFor(() => seen.length === 1, { timeoutMs: 5_000 });
    await session.remove(nodes[0]!);
    await waitFor(() => seen.length === 2, { timeoutMs: 5_000, what: 'the second leader' });
    expect(seen).toEqual(['http://127.0.0.1:5062', 'http://127.0.0.1:5060']);
  });

  it('reports an empty path with a clear MasterDetectionError after the leader wait', async () => {
    path = `/empty-${process.pid}`;
    const d = detector({ leaderWaitMs: 300 });
    await expect(d.nextMaster()).rejects.toThrow(MasterDetectionError);
    await expect(d.nextMaster()).rejects.toThrow(/no Mesos master registered under \/empty-/);
  });

  it('waits for a master that registers while it is looking', async () => {
    path = `/late-${process.pid}`;
    const d = detector({ leaderWaitMs: 5_000 });
    const found = d.nextMaster();
    const session = await ZkSession.connect(parseZkUrl(`zk://${zk.connectString}${path}`));
    cleanups.push(() => session.close());
    await session.mkdirp(path);
    await session.createEphemeralSequential(`${path}/json.info_`, Buffer.from(JSON.stringify(infos[2])));
    await expect(found).resolves.toBe('http://127.0.0.1:5061');
  });

  it('names the node when the leader holds garbage', async () => {
    path = `/garbage-${process.pid}`;
    const session = await ZkSession.connect(parseZkUrl(`zk://${zk.connectString}${path}`));
    cleanups.push(() => session.close());
    await session.mkdirp(path);
    const node = await session.createEphemeralSequential(`${path}/json.info_`, Buffer.from('\u0000garbage'));
    await expect(detector().nextMaster()).rejects.toThrow(node);
  });

  it('reports an unreachable ZooKeeper within the connect timeout', async () => {
    const d = new ZooKeeperMasterDetector('zk://127.0.0.1:1/mesos', { connectTimeoutMs: 500 });
    cleanups.push(() => d.close());
    const started = Date.now();
    await expect(d.nextMaster()).rejects.toThrow(/ZooKeeper 127\.0\.0\.1:1 unreachable/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('finds the leader again after ZooKeeper restarts', async () => {
    await registerMasters(1);
    const d = detector();
    await expect(d.nextMaster()).resolves.toBe('http://127.0.0.1:5062');
    await zk.stop();
    await zk.start();
    // Ephemeral nodes survive a short outage when the session does; either way the detector answers.
    const url = await d.nextMaster().catch((error: unknown) => error);
    expect(url === 'http://127.0.0.1:5062' || url instanceof MasterDetectionError).toBe(true);
  }, 60_000);
});
