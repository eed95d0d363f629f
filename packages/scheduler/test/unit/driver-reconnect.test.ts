import { afterEach, describe, expect, it } from '@jest/globals';
import { DriverStoppedError, TimeoutError, type FrameworkInfo } from '@mesosgot/common';
import { CuttingProxy, FakeMaster, waitFor } from '@mesosgot/local/testing';
import { MesosSchedulerDriver, type ConnectionStatus } from '@mesosgot/scheduler';
import { recordingScheduler } from './recording-scheduler.js';

const FRAMEWORK: FrameworkInfo = { user: 'tester', name: 'reconnect-test', failover_timeout: 60 };
const FAST = { backoff: { initialMs: 10, maxMs: 50 } };

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function fake(options: Parameters<typeof FakeMaster.start>[0] = {}): Promise<FakeMaster> {
  const master = await FakeMaster.start(options);
  cleanup.push(() => master.close());
  return master;
}

function driverFor(master: string | string[], options = {}, info = FRAMEWORK) {
  const rec = recordingScheduler();
  const driver = new MesosSchedulerDriver(rec.scheduler, info, master, { ...FAST, ...options });
  cleanup.push(() => driver.abort());
  return { driver, ...rec };
}

describe('MesosSchedulerDriver re-subscription', () => {
  it('re-subscribes by itself after the stream is cut: disconnected, then reregistered with framework_id set twice', async () => {
    const master = await fake();
    const { driver, names } = driverFor(master.url);
    await driver.start();
    const first = await master.waitForStream(0);
    await waitFor(() => names().includes('registered'));
    first.cut();
    const second = await master.waitForStream(1);
    await waitFor(() => names().includes('reregistered'));
    expect(names()).toEqual(['registered', 'disconnected', 'reregistered']);
    const resubscribe = master.callsOf('SUBSCRIBE')[1]!.body as { framework_id: unknown; subscribe: { framework_info: { id: unknown } } };
    expect(resubscribe.framework_id).toEqual({ value: first.frameworkId });
    expect(resubscribe.subscribe.framework_info.id).toEqual({ value: first.frameworkId });
    expect(second.streamId).not.toBe(first.streamId);
    // Calls now carry the new stream id (docs/protocol.md, "Stream id").
    await driver.reviveOffers();
    expect(master.callsOf('REVIVE')[0]!.headers['mesos-stream-id']).toBe(second.streamId);
  });

  it('treats an orderly EOF (terminating chunk) as a disconnection too', async () => {
    const master = await fake();
    const { driver, names } = driverFor(master.url);
    await driver.start();
    (await master.waitForStream(0)).end();
    await master.waitForStream(1);
    await waitFor(() => names().includes('reregistered'));
    expect(names()).toEqual(['registered', 'disconnected', 'reregistered']);
  });

  it('declares a silent stream lost after heartbeat interval × factor (stalled proxy) and re-subscribes', async () => {
    const master = await fake({ heartbeatIntervalSeconds: 0.05 });
    const proxy = await CuttingProxy.start({ target: master.url });
    cleanup.push(() => proxy.close());
    const { driver, names } = driverFor(proxy.url, { heartbeatTimeoutFactor: 3 });
    const statuses: ConnectionStatus[] = [];
    void (async () => {
      for await (const s of driver.status()) statuses.push(s);
    })();
    await driver.start();
    await waitFor(() => names().includes('registered'));
    proxy.stall();
    await waitFor(() => names().includes('disconnected'), { timeoutMs: 2_000 });
    const lost = statuses.find((s) => s.type === 'disconnected');
    expect(lost?.type === 'disconnected' && lost.error).toBeInstanceOf(TimeoutError);
    proxy.resume();
    await waitFor(() => names().includes('reregistered'), { timeoutMs: 3_000 });
  });

  it('keeps a stream alive while heartbeats arrive (watchdog is kicked by every event)', async () => {
    const master = await fake({ heartbeatIntervalSeconds: 0.05 });
    const { driver, names } = driverFor(master.url, { heartbeatTimeoutFactor: 3 });
    await driver.start();
    const stream = await master.waitForStream(0);
    const deadline = Date.now() + 300;
    while (Date.now() < deadline) {
      stream.send({ type: 'HEARTBEAT' });
      await new Promise((r) => setTimeout(r, 10)); // the master's heartbeat cadence, not a synchronisation
    }
    expect(names()).toEqual(['registered']);
    expect(master.streams).toHaveLength(1);
  });

  it('follows a 307 from a non-leader and sends later calls to the leader', async () => {
    const leader = await fake();
    const follower = await fake();
    follower.redirectTo(leader.url);
    const { driver, names } = driverFor(follower.url);
    await driver.start();
    await waitFor(() => names().includes('registered'));
    expect(follower.callsOf('SUBSCRIBE')[0]!.status).toBe(307);
    expect(leader.callsOf('SUBSCRIBE')[0]!.path).toBe('/master/api/v1/scheduler');
    await driver.reviveOffers();
    expect(leader.callsOf('REVIVE')).toHaveLength(1);
    expect(follower.callsOf('REVIVE')).toHaveLength(0);
  });

  it('tries a list of masters in turn until one answers', async () => {
    const dead = await FakeMaster.start();
    const deadUrl = dead.url;
    await dead.close(); // nothing listens there any more: connection refused
    const master = await fake();
    const { driver, names } = driverFor(`${deadUrl.replace('http://', '')},${master.url}`);
    await driver.start();
    await waitFor(() => names().includes('registered'));
    expect(names()).toEqual(['registered']);
  });

  it('retries a 503 (no leader yet) with backoff', async () => {
    const master = await fake();
    master.script('SUBSCRIBE', { status: 503, body: 'No leader elected' }, 2);
    const { driver, names } = driverFor(master.url);
    await driver.start();
    await waitFor(() => names().includes('registered'));
    expect(master.callsOf('SUBSCRIBE').map((c) => c.status)).toEqual([503, 503, 200]);
    expect(names()).toEqual(['registered']);
  });

  it('drops the subscription and re-subscribes when a call is answered 403 Framework is not subscribed', async () => {
    const master = await fake();
    const { driver, names } = driverFor(master.url);
    await driver.start();
    await waitFor(() => names().includes('registered'));
    master.script('REVIVE', { status: 403, body: 'Framework is not subscribed' });
    await expect(driver.reviveOffers()).rejects.toMatchObject({ status: 403, subscriptionLost: true });
    await waitFor(() => names().includes('reregistered'));
  });

  it('stop(false) sends TEARDOWN and resolves DRIVER_STOPPED without a disconnected callback', async () => {
    const master = await fake();
    const { driver, names } = driverFor(master.url);
    await driver.start();
    await waitFor(() => names().includes('registered'));
    expect(await driver.stop()).toBe('DRIVER_STOPPED');
    expect(master.callsOf('TEARDOWN')).toHaveLength(1);
    expect(await driver.join()).toBe('DRIVER_STOPPED');
    expect(await driver.closed()).toBeUndefined();
    expect(names()).toEqual(['registered']);
    expect(master.callsOf('SUBSCRIBE')).toHaveLength(1);
  });

  it('stop(true) leaves the framework (no TEARDOWN); a new driver with frameworkInfo.id fails over and gets reregistered', async () => {
    const master = await fake();
    const first = driverFor(master.url);
    await first.driver.start();
    await waitFor(() => first.names().includes('registered'));
    const frameworkId = master.streams[0]!.frameworkId;
    expect(await first.driver.stop(true)).toBe('DRIVER_STOPPED');
    expect(master.callsOf('TEARDOWN')).toHaveLength(0);
    await waitFor(() => !master.streams[0]!.isOpen, { what: 'stream closed by stop(true)' });

    const second = driverFor(master.url, {}, { ...FRAMEWORK, id: { value: frameworkId } });
    await second.driver.start();
    await waitFor(() => second.names().includes('reregistered'));
    expect(second.names()).toEqual(['reregistered']);
    expect(master.callsOf('SUBSCRIBE')[1]!.body).toMatchObject({ framework_id: { value: frameworkId }, subscribe: { framework_info: { id: { value: frameworkId } } } });
  });

  it('flushes calls made before stop() ahead of TEARDOWN', async () => {
    const master = await fake();
    const { driver, names } = driverFor(master.url);
    await driver.start();
    await waitFor(() => names().includes('registered'));
    const revive = driver.reviveOffers();
    await driver.stop();
    await revive;
    expect(master.calls.slice(1).map((c) => c.type)).toEqual(['REVIVE', 'TEARDOWN']);
  });

  it('abort() resolves DRIVER_ABORTED at once, closed() gives the reason, and no re-subscribe follows', async () => {
    const master = await fake();
    const { driver, names } = driverFor(master.url);
    await driver.start();
    await waitFor(() => names().includes('registered'));
    expect(await driver.abort()).toBe('DRIVER_ABORTED');
    expect(await driver.closed()).toBeInstanceOf(DriverStoppedError);
    await waitFor(() => !master.streams[0]!.isOpen);
    expect(master.callsOf('TEARDOWN')).toHaveLength(0);
    expect(master.callsOf('SUBSCRIBE')).toHaveLength(1);
    expect(await driver.start()).toBe('DRIVER_ABORTED');
  });

  it('run() resolves when the driver is stopped from a callback', async () => {
    const master = await fake();
    const rec = recordingScheduler({ registered: (d) => void d.stop() });
    const driver = new MesosSchedulerDriver(rec.scheduler, FRAMEWORK, master.url, FAST);
    cleanup.push(() => driver.abort());
    expect(await driver.run()).toBe('DRIVER_STOPPED');
    expect(master.callsOf('TEARDOWN')).toHaveLength(1);
  });
});
