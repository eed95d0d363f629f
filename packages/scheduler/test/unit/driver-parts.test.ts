import { afterEach, describe, expect, it } from '@jest/globals';
import { createConnection } from 'node:net';
import { InvalidArgumentError, NotSubscribedError, ProtocolError } from '@mesosgot/common';
import { CuttingProxy, FakeMaster, waitFor } from '@mesosgot/local/testing';
import { ConnectionState, HeartbeatWatchdog, StaticMasterDetector, buildFrameworkInfo, decodeEvent, parseMasters } from '@mesosgot/scheduler/internal';

const cleanup: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

describe('parseMasters / StaticMasterDetector', () => {
  const cases: [number, string | string[], string[]][] = [
    [1, 'http://m1:5050', ['http://m1:5050']],
    [2, 'm1:5051', ['http://m1:5051']],
    [3, 'm1', ['http://m1:5050']],
    [4, 'm1:1, https://m2:2 ,m3:3', ['http://m1:1', 'https://m2:2', 'http://m3:3']],
    [5, ['127.0.0.1:7', 'http://[::1]:8'], ['http://127.0.0.1:7', 'http://[::1]:8']],
  ];
  it.each(cases)('case %i: %j', (_n, input, expected) => {
    expect(parseMasters(input)).toEqual(expected);
  });

  it.each([[''], [' , '], ['ftp://m:1'], ['zk://h:2181/mesos']])('refuses %j with InvalidArgumentError', (input) => {
    expect(() => parseMasters(input)).toThrow(InvalidArgumentError);
  });

  it('tries the masters in turn, wrapping around', async () => {
    const detector = new StaticMasterDetector('a:1,b:2');
    expect([await detector.nextMaster(), await detector.nextMaster(), await detector.nextMaster()]).toEqual(['http://a:1', 'http://b:2', 'http://a:1']);
  });
});

describe('ConnectionState', () => {
  const sub = (attempt: number) => ({ masterUrl: 'http://m:1', streamId: 's', frameworkId: { value: 'F' }, masterInfo: { id: 'm', ip: 1, port: 1 }, heartbeatIntervalSeconds: 15, attempt });

  it('fails calls fast unless subscribed, and remembers the framework id for re-subscription', () => {
    const state = new ConnectionState();
    expect(() => state.requireSubscription('REVIVE')).toThrow(NotSubscribedError);
    const a = state.connecting();
    expect(state.isReregistration).toBe(false);
    expect(state.subscribed(sub(a))).toBe(true);
    expect(state.requireSubscription('REVIVE').streamId).toBe('s');
    expect(state.disconnected(a)).toBe(true);
    expect(() => state.requireSubscription('REVIVE')).toThrow(NotSubscribedError);
    expect(state.frameworkId).toEqual({ value: 'F' });
    expect(state.isReregistration).toBe(true);
  });

  it('ignores a stale attempt and refuses transitions after close', () => {
    const state = new ConnectionState({ value: 'F0' });
    expect(state.isReregistration).toBe(true); // failover with a known id
    const a = state.connecting();
    state.disconnected(a);
    const b = state.connecting();
    expect(state.subscribed(sub(a))).toBe(false);
    expect(state.disconnected(a)).toBe(false);
    expect(state.phase).toBe('connecting');
    state.close();
    expect(state.subscribed(sub(b))).toBe(false);
    expect(() => state.connecting()).toThrow(/closed → connecting/);
  });
});

describe('HeartbeatWatchdog', () => {
  it('fires once after interval × factor of silence, not while kicked, never after stop', async () => {
    let fired = 0;
    const dog = new HeartbeatWatchdog(() => void (fired += 1));
    cleanup.push(() => dog.stop());
    dog.start(0.01, 3); // 30 ms
    const until = Date.now() + 100;
    while (Date.now() < until) {
      dog.kick();
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(fired).toBe(0);
    await waitFor(() => fired === 1, { timeoutMs: 1_000 });
    expect(dog.isArmed).toBe(false);
    dog.start(0.01, 3);
    dog.stop();
    await new Promise((r) => setTimeout(r, 60)); // longer than the deadline: nothing may fire
    expect(fired).toBe(1);
  });

  it('stays disarmed when the master announces no heartbeats', () => {
    const dog = new HeartbeatWatchdog(() => undefined);
    dog.start(undefined);
    expect(dog.isArmed).toBe(false);
  });
});

describe('buildFrameworkInfo', () => {
  it('always sets MULTI_ROLE, adds GPU_RESOURCES when asked, maps camelCase to the wire names', () => {
    expect(buildFrameworkInfo({ name: 'n', user: 'u', roles: ['a'], isGpuAware: true, failoverTimeoutSeconds: 60, checkpoint: true, principal: 'p', frameworkId: 'F' })).toEqual({
      user: 'u',
      name: 'n',
      roles: ['a'],
      capabilities: [{ type: 'MULTI_ROLE' }, { type: 'GPU_RESOURCES' }],
      failover_timeout: 60,
      checkpoint: true,
      principal: 'p',
      id: { value: 'F' },
    });
  });
  it.each([
    [{ name: '' }, 'name'],
    [{ name: 'n', roles: ['a', 'a'] }, 'roles'],
    [{ name: 'n', failoverTimeoutSeconds: -1 }, 'failoverTimeoutSeconds'],
  ])('refuses %j naming %s', (settings, field) => {
    expect(() => buildFrameworkInfo(settings)).toThrow(expect.objectContaining({ field }) as never);
  });
});

describe('decodeEvent', () => {
  const refusals: [number, unknown, RegExp][] = [
    [1, 'x', /expected an object/],
    [2, { type: 7 }, /event.type/],
    [3, { type: 'SUBSCRIBED', subscribed: { framework_id: { value: 'F' } } }, /master_info/],
    [4, { type: 'OFFERS', offers: [] }, /offers/],
    [5, { type: 'OFFERS', offers: { offers: [{ id: { value: 'O' } }] } }, /agent_id/],
    [6, { type: 'MESSAGE', message: { agent_id: { value: 'a' }, executor_id: { value: 'e' }, data: '%%' } }, /message.data/],
    [7, { type: 'FAILURE', failure: { status: 'x' } }, /failure.status/],
    [8, { type: 'ERROR', message: 'top-level (docs shape, docs/protocol.md, "Scheduler events")' }, /error/],
    [9, { type: 'RESCIND', rescind: {} }, /offer_id/],
  ];
  it.each(refusals)('refusal %i: %j', (_n, json, message) => {
    expect(() => decodeEvent(json)).toThrow(ProtocolError);
    expect(() => decodeEvent(json)).toThrow(message);
  });
  it('keeps unknown fields and accepts omitted empty repeated fields', () => {
    expect(decodeEvent({ type: 'OFFERS', offers: {}, extra: 1 })).toEqual({ type: 'OFFERS', offers: {}, extra: 1 });
  });
});

describe('CuttingProxy', () => {
  const REQUEST = 'GET /api/v1/scheduler HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';

  /** A raw client socket through the proxy that collects what it receives. */
  function connect(port: number) {
    const socket = createConnection({ host: '127.0.0.1', port });
    cleanup.push(() => void socket.destroy());
    const got = { text: '', isClosed: false };
    socket.on('data', (d: Buffer) => (got.text += d.toString()));
    socket.on('error', () => undefined); // a reset is what some cases expect
    socket.on('close', () => (got.isClosed = true));
    return { socket, got };
  }

  async function start() {
    const master = await FakeMaster.start();
    cleanup.push(() => master.close());
    const proxy = await CuttingProxy.start({ target: master.url });
    cleanup.push(() => proxy.close());
    return proxy;
  }

  it('forwards both ways', async () => {
    const proxy = await start();
    const { socket, got } = connect(proxy.port);
    socket.write(REQUEST);
    await waitFor(() => got.isClosed);
    expect(got.text).toMatch(/^HTTP\/1.1 405/);
  });

  it('stall() holds bytes without closing; resume() delivers them', async () => {
    const proxy = await start();
    const { socket, got } = connect(proxy.port);
    await waitFor(() => proxy.openConnections === 1);
    proxy.stall();
    socket.write(REQUEST);
    await new Promise((r) => setTimeout(r, 100)); // a round trip on loopback is far shorter
    expect(got).toEqual({ text: '', isClosed: false });
    proxy.resume();
    await waitFor(() => got.isClosed);
    expect(got.text).toMatch(/405/);
  });

  it('cutAll() resets open connections; refuseNew() closes new ones at once', async () => {
    const proxy = await start();
    const first = connect(proxy.port);
    await waitFor(() => proxy.openConnections === 1);
    proxy.cutAll();
    await waitFor(() => first.got.isClosed);
    proxy.refuseNew(true);
    const second = connect(proxy.port);
    second.socket.write(REQUEST);
    await waitFor(() => second.got.isClosed);
    expect(second.got.text).toBe('');
    expect(proxy.acceptedConnections).toBe(2);
  });
});
