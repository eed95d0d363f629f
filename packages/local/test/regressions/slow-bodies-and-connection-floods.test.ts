// Regression: the master and agents had no body timeout and no connection cap, so 1,000
// slow-body connections (a byte now and then) stayed open for minutes, a flood of sockets made
// /health fail and a scheduler hang, and concurrent large bodies were all buffered at once.
// The HTTP layer under both now closes slow requests (408), caps connections (displacing
// unfinished requests first, then refusing with a 503 that names the limit) and bounds the
// request bodies buffered at once; subscribed streams and their calls keep working meanwhile.
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { request } from 'undici';
import { waitFor } from '@mesosgot/local/testing';
import type { HttpLimits } from '../../src/http/http-limits.js';
import { startAgent, type Harness } from '../support/agent-harness.js';
import { startMaster, type MasterFixture } from '../support/master-fixture.js';

const FLOOD = 60;
const TIGHT: Partial<HttpLimits> = { maxConnections: 40, headersTimeoutMs: 800, bodyTimeoutMs: 800, idleTimeoutMs: 800 };

let fixture: MasterFixture | undefined;
let harness: Harness | undefined;
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await fixture?.stop();
  await harness?.cleanup();
  fixture = undefined;
  harness = undefined;
});

interface RawClient {
  closed: boolean;
  received: string;
}

/** Opens a socket, writes `head`, and records what comes back and when it is closed. */
function raw(port: number, head: string): RawClient {
  const client: RawClient = { closed: false, received: '' };
  const socket = connect(port, '127.0.0.1', () => socket.write(head));
  socket.setEncoding('utf8');
  socket.on('data', (text: string) => (client.received += text));
  socket.on('error', () => undefined);
  socket.on('close', () => (client.closed = true));
  sockets.push(socket);
  return client;
}

const slowBody = (path: string): string =>
  `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{`;

function portOf(url: string): number {
  return Number(new URL(url).port);
}

describe('HTTP layer under hostile clients', () => {
  it('closes a slow-body flood on the master while a subscribed scheduler keeps its heartbeats and calls', async () => {
    fixture = await startMaster({ heartbeatIntervalSeconds: 1, httpLimits: TIGHT }, 0);
    const scheduler = await fixture.subscribe({ name: 'survivor' });
    await scheduler.next('SUBSCRIBED');
    const flood = Array.from({ length: FLOOD }, () => raw(portOf(fixture!.url), slowBody('/api/v1/scheduler')));
    let peak = 0;
    await waitFor(
      () => {
        peak = Math.max(peak, fixture!.master.http!.connections);
        return flood.every((c) => c.closed);
      },
      { timeoutMs: 10_000, what: 'every slow-body connection closed' },
    );
    expect(peak).toBeLessThanOrEqual(TIGHT.maxConnections!);
    expect(flood.filter((c) => c.received.startsWith('HTTP/1.1 408')).length).toBeGreaterThan(0);
    const beats = scheduler.events.filter((e) => e.type === 'HEARTBEAT').length;
    await scheduler.next('HEARTBEAT', () => true, { from: scheduler.events.length, timeoutMs: 5_000 });
    expect(scheduler.events.filter((e) => e.type === 'HEARTBEAT').length).toBeGreaterThan(beats);
    expect((await scheduler.call({ type: 'REVIVE' })).status).toBe(202);
    expect(scheduler.ended).toBe(false);
  });

  it('lets calls and /health in past a flood that holds every connection, by displacing unfinished requests', async () => {
    fixture = await startMaster({ httpLimits: { ...TIGHT, bodyTimeoutMs: 60_000, headersTimeoutMs: 60_000 } }, 0);
    const scheduler = await fixture.subscribe({ name: 'survivor' });
    await scheduler.next('SUBSCRIBED');
    const flood = Array.from({ length: FLOOD }, () => raw(portOf(fixture!.url), slowBody('/api/v1/scheduler')));
    await waitFor(() => fixture!.master.http!.displacedConnections >= FLOOD - TIGHT.maxConnections! + 1, {
      timeoutMs: 5_000,
      what: 'flood at the cap',
    });
    const health = await request(`${fixture.url}/health`, { headersTimeout: 5_000, bodyTimeout: 5_000 });
    expect(health.statusCode).toBe(200);
    await health.body.dump();
    expect((await scheduler.call({ type: 'REVIVE' })).status).toBe(202);
    expect(fixture.master.http!.connections).toBeLessThanOrEqual(TIGHT.maxConnections!);
    expect(flood.filter((c) => !c.closed).length).toBeLessThanOrEqual(TIGHT.maxConnections!);
  });

  it('refuses a connection with a 503 naming the limit when every connection is a live stream', async () => {
    fixture = await startMaster({ httpLimits: { maxConnections: 3 } }, 0);
    for (let i = 0; i < 3; i++) await (await fixture.subscribe({ name: `stream-${i}` })).next('SUBSCRIBED');
    const refused = raw(portOf(fixture.url), 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await waitFor(() => refused.closed, { timeoutMs: 5_000, what: 'refused connection closed' });
    expect(refused.received).toMatch(/^HTTP\/1\.1 503 /);
    expect(refused.received).toContain('Too many connections: the local master accepts at most 3');
    expect(fixture.schedulers.every((s) => !s.ended)).toBe(true);
  });

  it('answers 413 to a declared body over the limit and 503 once the in-flight body budget is spent', async () => {
    fixture = await startMaster({ httpLimits: { maxBodyBytes: 600_000, maxInFlightBodyBytes: 1_000_000 } }, 0);
    const port = portOf(fixture.url);
    const head = (length: number): string =>
      `POST /api/v1/scheduler HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n{`;
    const huge = raw(port, head(600_001));
    await waitFor(() => huge.closed, { timeoutMs: 5_000, what: '413 answered' });
    expect(huge.received).toMatch(/^HTTP\/1\.1 413 [^]*Request body exceeds 600000 bytes/);
    const first = raw(port, head(550_000));
    await waitFor(() => fixture!.master.http!.inFlightBodyBytes === 550_000, { timeoutMs: 5_000, what: 'first body reserved' });
    const second = raw(port, head(550_000));
    await waitFor(() => second.closed, { timeoutMs: 5_000, what: '503 answered' });
    expect(second.received).toMatch(/^HTTP\/1\.1 503 [^]*Too many request bodies in flight/);
    expect(first.closed).toBe(false);
    const chunked = raw(
      port,
      'POST /api/v1/scheduler HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n' +
        `${(500_000).toString(16)}\r\n${' '.repeat(500_000)}\r\n`,
    );
    await waitFor(() => chunked.closed, { timeoutMs: 5_000, what: 'chunked body refused' });
    expect(chunked.received).toMatch(/^HTTP\/1\.1 503 /);
    sockets[1]!.destroy();
    await waitFor(() => fixture!.master.http!.inFlightBodyBytes === 0, { timeoutMs: 5_000, what: 'budget released' });
  });

  it('closes a slow-body flood on an agent and keeps answering /health', async () => {
    harness = await startAgent({ httpLimits: TIGHT });
    const port = Number(harness.agent.endpoint.split(':')[1]);
    const flood = Array.from({ length: FLOOD }, () => raw(port, slowBody('/api/v1/executor')));
    const health = await request(`http://${harness.agent.endpoint}/health`, { headersTimeout: 5_000, bodyTimeout: 5_000 });
    expect(health.statusCode).toBe(200);
    await health.body.dump();
    await waitFor(() => flood.every((c) => c.closed), { timeoutMs: 10_000, what: 'every slow-body connection closed' });
  });
});
