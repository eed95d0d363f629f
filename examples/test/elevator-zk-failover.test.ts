import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LocalCluster } from '@mesosgot/local';
import { ZooKeeperServer, waitFor } from '@mesosgot/local/testing';

const root = fileURLToPath(new URL('../..', import.meta.url));
const RUN_TIMEOUT_MS = 120_000;

/**
 * End-to-end check of master detection through ZooKeeper: the elevator finds its master through a real ZooKeeper, the
 * leading master is killed mid-run, and the run still serves every request.
 */
describe('elevator with --master zk:// across a leader failover', () => {
  const zk = new ZooKeeperServer();
  let cluster: LocalCluster | undefined;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    // The examples test builds the executor bundles; this one needs them too.
    await new Promise<void>((resolve, reject) => {
      const bundler = spawn(process.execPath, ['scripts/bundle.js'], { cwd: root, stdio: 'ignore' });
      bundler.once('error', reject);
      bundler.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`bundle.js exited ${code}`))));
    });
    await zk.start();
  }, 90_000);

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await cluster?.stop();
    await zk.destroy();
  }, 60_000);

  it('keeps serving after the leading master dies and completes every request', async () => {
    const zkUrl = `zk://${zk.connectString}/mesos-elevator`;
    cluster = new LocalCluster({ masters: 3, zk: zkUrl, agents: 2, executorShutdownGracePeriodMs: 1_000 });
    await cluster.start();
    const firstLeader = cluster.leader;

    const requests = 1_500;
    child = spawn(
      process.execPath,
      ['examples/dist/elevator/app_scheduler.js', '--master', zkUrl, '--requests', String(requests), '--failover-timeout', '60'],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));

    // Mid-run: every task is running and requests are being served.
    await waitFor(() => /tasks running 13\/13 \| requests served [1-9]\d*/.test(stdout) || child!.exitCode !== null, {
      timeoutMs: 60_000,
      what: `the elevator to be under way (stdout: ${stdout.slice(-300)})`,
    });
    expect(child.exitCode).toBeNull();
    await cluster.killLeader();
    const newLeader = await cluster.waitForLeader({ timeoutMs: 30_000 });
    expect(newLeader).not.toBe(firstLeader);

    // The overrun timer is cleared once the race is decided: left running it would hold Jest's
    // worker open past the end of the suite.
    let overrun: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      exited,
      new Promise<never>((_, reject) => (overrun = setTimeout(() => reject(new Error(`elevator overran\n${stdout}\n${stderr}`)), RUN_TIMEOUT_MS))),
    ]).finally(() => clearTimeout(overrun));
    expect({ code, tail: stderr.slice(-2000) }).toEqual({ code: 0, tail: expect.any(String) });
    expect(stdout).toMatch(new RegExp(`requests served\\s+${requests} of ${requests}`));
  }, RUN_TIMEOUT_MS + 60_000);
});
