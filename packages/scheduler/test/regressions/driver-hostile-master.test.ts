/**
 * Regression: the scheduler driver trusted the master too much. A master that sent the 200
 * headers and then nothing (or half a record) held it forever with no `disconnected`; a 307 to
 * another origin received the Basic credentials; `heartbeat_interval_seconds: 1e7` overflowed the
 * watchdog's timer so every subscription was dropped after 1 ms; and a master that dropped each
 * stream right after SUBSCRIBED was re-subscribed in a tight loop because SUBSCRIBED reset the
 * backoff. Each hostile master here is a plain HTTP server on loopback.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from '@jest/globals';
import { ScriptedHttpServer, waitFor } from '@mesosgot/local/testing';
import { MesosSchedulerDriver, type Scheduler } from '@mesosgot/scheduler';

const FRAMEWORK = { user: 'tester', name: 'hostile-master-test' };

/** One SUBSCRIBED event as RecordIO, announcing `heartbeat`. */
function subscribedRecord(heartbeat: number): string {
  const event = JSON.stringify({
    type: 'SUBSCRIBED',
    subscribed: {
      framework_id: { value: 'fw-1' },
      heartbeat_interval_seconds: heartbeat,
      master_info: { id: 'm', ip: 16777343, port: 5050, hostname: '127.0.0.1', version: '1.12.0' },
    },
  });
  return `${Buffer.byteLength(event)}\n${event}`;
}

const servers: ScriptedHttpServer[] = [];
const drivers: MesosSchedulerDriver[] = [];

async function hostile(answer: (req: IncomingMessage, res: ServerResponse) => void): Promise<ScriptedHttpServer> {
  const server = await ScriptedHttpServer.start(answer);
  servers.push(server);
  return server;
}

function streamHead(res: ServerResponse): void {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Mesos-Stream-Id': 'stream-1' });
  res.flushHeaders();
}

function recorder(): Scheduler & { disconnects: number; errors: string[] } {
  const seen = { disconnects: 0, errors: [] as string[] };
  return Object.assign(seen, {
    disconnected: () => void seen.disconnects++,
    error: (_driver: unknown, message: string) => void seen.errors.push(message),
  });
}

function start(scheduler: Scheduler, master: string | string[], options: ConstructorParameters<typeof MesosSchedulerDriver>[3] = {}): MesosSchedulerDriver {
  const driver = new MesosSchedulerDriver(scheduler, FRAMEWORK, master, { backoff: { initialMs: 50, maxMs: 100, jitter: 0 }, ...options });
  drivers.push(driver);
  void driver.start();
  return driver;
}

afterEach(async () => {
  await Promise.all(drivers.splice(0).map((d) => d.abort()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('MesosSchedulerDriver against a hostile master', () => {
  it.each([
    ['headers then nothing', (res: ServerResponse) => streamHead(res)],
    ['half a first record', (res: ServerResponse) => (streamHead(res), res.write('300\n{"type":"SUBSC'))],
  ])('gives up on %s after the SUBSCRIBED deadline and re-subscribes', async (_name, answer) => {
    const master = await hostile((_req, res) => answer(res));
    const began = Date.now();
    start(recorder(), master.url, { subscribedTimeoutMs: 300 });
    await waitFor(() => master.requests.length >= 3, { timeoutMs: 10_000, what: 'three SUBSCRIBE attempts' });
    expect(Date.now() - began).toBeGreaterThanOrEqual(600);
  });

  it('does not follow a 307 carrying credentials to an origin that is not a configured master', async () => {
    const thief = await hostile((_req, res) => res.writeHead(404).end());
    const master = await hostile((_req, res) => res.writeHead(307, { Location: `//127.0.0.1:${new URL(thief.url).port}/steal` }).end());
    const scheduler = recorder();
    start(scheduler, master.url, { credential: { principal: 'p', secret: 's3cret' } });
    await waitFor(() => scheduler.errors.some((e) => e.includes('not a configured or detected master')), { timeoutMs: 10_000, what: 'redirect refused' });
    await waitFor(() => master.requests.length >= 2, { timeoutMs: 10_000, what: 'a retry' });
    expect(thief.requests).toEqual([]);
  });

  it('follows a 307 with credentials to another master the user listed', async () => {
    const leader = await hostile((_req, res) => (streamHead(res), res.write(subscribedRecord(15))));
    const follower = await hostile((_req, res) => res.writeHead(307, { Location: `//127.0.0.1:${new URL(leader.url).port}/api/v1/scheduler` }).end());
    let registered = false;
    start({ registered: () => void (registered = true) }, [follower.url, leader.url], { credential: { principal: 'p', secret: 's3cret' } });
    await waitFor(() => registered, { timeoutMs: 10_000, what: 'registered through the redirect' });
    expect(leader.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from('p:s3cret').toString('base64')}`);
  });

  it('clamps heartbeat_interval_seconds 1e7 instead of dropping the subscription at once', async () => {
    const master = await hostile((_req, res) => (streamHead(res), res.write(subscribedRecord(1e7))));
    const scheduler = recorder();
    let registered = false;
    start(Object.assign(scheduler, { registered: () => void (registered = true) }), master.url);
    await waitFor(() => registered, { timeoutMs: 5_000, what: 'registered' });
    // A second SUBSCRIBE would come within the 50 ms backoff if the watchdog fired; give it 20×.
    await expect(waitFor(() => master.requests.length > 1, { timeoutMs: 1_000 })).rejects.toThrow();
    expect(scheduler.disconnects).toBe(0);
  });

  it('keeps backing off across subscriptions the master drops right after SUBSCRIBED', async () => {
    const master = await hostile((_req, res) => (streamHead(res), res.end(subscribedRecord(15))));
    const times: number[] = [];
    master.server.on('request', () => times.push(Date.now()));
    start(recorder(), master.url, { backoff: { initialMs: 100, maxMs: 10_000, jitter: 0 } });
    await waitFor(() => times.length >= 5, { timeoutMs: 10_000, what: 'five SUBSCRIBE attempts' });
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    // 100, 200, 400, 800 ms without resets; a reset after each SUBSCRIBED keeps them at 100.
    expect(gaps[3]!).toBeGreaterThanOrEqual(600);
  });
});
