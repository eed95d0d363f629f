import { afterEach, describe, expect, it } from '@jest/globals';
import {
  DriverStoppedError,
  InvalidArgumentError,
  MesosHttpError,
  ProtocolError,
  TimeoutError,
} from '@mesosgot/common';
import {
  MesosHttpClient,
  basicAuthHeader,
  encodeRecord,
} from '@mesosgot/common/internal';
import { waitFor } from '@mesosgot/local/testing';
import { TestServer, type Handler } from './test-server.js';

const SCHEDULER = '/api/v1/scheduler';
const started: Array<TestServer | MesosHttpClient> = [];

async function server(handler: Handler): Promise<TestServer> {
  const s = await new TestServer(handler).start();
  started.push(s);
  return s;
}

function client(baseUrl: string, extra: Partial<ConstructorParameters<typeof MesosHttpClient>[0]> = {}): MesosHttpClient {
  const c = new MesosHttpClient({ baseUrl, ...extra });
  started.push(c);
  return c;
}

const accepted: Handler = (_, res) => {
  res.writeHead(202, { 'content-length': '0' }).end();
};

async function collect(records: AsyncIterable<Buffer>): Promise<string[]> {
  const out: string[] = [];
  for await (const r of records) out.push(r.toString('utf8'));
  return out;
}

afterEach(async () => {
  // Clients first, so servers see orderly closes.
  const all = started.splice(0).reverse();
  for (const x of all) if (x instanceof MesosHttpClient) await x.close();
  for (const x of all) if (x instanceof TestServer) await x.stop();
});

describe('http/client MesosHttpClient.call', () => {
  it('POSTs JSON with exact Content-Type, Accept and Basic auth, and resolves with the answer', async () => {
    const s = await server((_, res) => {
      res.writeHead(202, { 'x-test': 'yes' }).end('queued');
    });
    const c = client(s.url, { principal: 'p1', secret: 's1' });
    const answer = await c.call(SCHEDULER, { type: 'REVIVE' }, { headers: { 'Mesos-Stream-Id': 'abc' } });
    expect(answer).toMatchObject({ status: 202, body: 'queued' });
    expect(answer.headers['x-test']).toBe('yes');
    const [req] = s.requests;
    expect(req?.method).toBe('POST');
    expect(req?.url).toBe(SCHEDULER);
    expect(req?.headers['content-type']).toBe('application/json');
    expect(req?.headers.accept).toBe('application/json');
    expect(req?.headers.authorization).toBe(`Basic ${Buffer.from('p1:s1').toString('base64')}`);
    expect(req?.headers['mesos-stream-id']).toBe('abc');
    expect(JSON.parse(req?.body ?? '')).toEqual({ type: 'REVIVE' });
  });

  it('sends 50 concurrent calls in call order, one at a time, on one connection', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const s = await server((_, res) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      // Varying latency, so a client that raced calls would reorder them.
      setTimeout(() => {
        inFlight--;
        res.writeHead(202, { 'content-length': '0' }).end();
      }, Math.floor(Math.random() * 3));
    });
    const c = client(s.url);
    await Promise.all(Array.from({ length: 50 }, (_, i) => c.call(SCHEDULER, { type: 'MESSAGE', seq: i })));
    expect(s.requests.map((r) => (JSON.parse(r.body) as { seq: number }).seq)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(maxInFlight).toBe(1);
    expect(s.connections).toBe(1);
  });

  it('follows a 307 with a scheme-relative Location to the leader and keeps using it', async () => {
    const leader = await server(accepted);
    const follower = await server((_, res) => {
      res.writeHead(307, { location: `//127.0.0.1:${leader.port}/master${SCHEDULER}`, 'content-length': '0' }).end();
    });
    const c = client(follower.url);
    await expect(c.call(SCHEDULER, { type: 'SUBSCRIBE' })).resolves.toMatchObject({ status: 202 });
    expect(leader.requests[0]?.url).toBe(`/master${SCHEDULER}`);
    expect(leader.requests[0]?.body).toBe('{"type":"SUBSCRIBE"}');
    expect(c.baseUrl).toBe(leader.url);
    await c.call(SCHEDULER, { type: 'REVIVE' });
    expect(follower.requests).toHaveLength(1);
    expect(leader.requests.map((r) => r.url)).toEqual([`/master${SCHEDULER}`, SCHEDULER]);
  });

  it('gives up after 3 leader redirects with MesosHttpError 307', async () => {
    const loop = await server((_, res) => {
      res.writeHead(307, { location: `//127.0.0.1:${loop.port}${SCHEDULER}`, 'content-length': '0' }).end();
    });
    const error = await client(loop.url).call(SCHEDULER, { type: 'REVIVE' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MesosHttpError);
    expect((error as MesosHttpError).status).toBe(307);
    expect((error as MesosHttpError).message).toMatch(/after 3 leader redirects/);
    expect(loop.requests).toHaveLength(4);
  });

  it('rejects a 307 without Location with ProtocolError', async () => {
    const s = await server((_, res) => {
      res.writeHead(307, { 'content-length': '0' }).end();
    });
    await expect(client(s.url).call(SCHEDULER, { type: 'REVIVE' })).rejects.toBeInstanceOf(ProtocolError);
  });

  it.each([
    { n: 1, status: 400, body: 'Failed to validate scheduler::Call: Expecting framework_id', retryable: false, lost: false },
    { n: 2, status: 400, body: 'Framework cannot be found', retryable: false, lost: true },
    { n: 3, status: 401, body: '', retryable: false, lost: false },
    { n: 4, status: 403, body: 'Framework is not subscribed', retryable: false, lost: true },
    { n: 5, status: 415, body: 'Unsupported', retryable: false, lost: false },
    { n: 6, status: 429, body: 'slow down', retryable: true, lost: false },
    { n: 7, status: 500, body: 'boom', retryable: false, lost: false },
    { n: 8, status: 501, body: '', retryable: false, lost: false },
    { n: 9, status: 503, body: 'No leader elected', retryable: true, lost: false },
    { n: 10, status: 302, body: 'elsewhere', retryable: false, lost: false },
  ])('case $n: $status → MesosHttpError with status, body and classification', async ({ status, body, retryable, lost }) => {
    const s = await server((_, res) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', location: '/x' }).end(body);
    });
    const c = client(s.url, { principal: 'p1', secret: 'hunter2' });
    for (const attempt of [() => c.call(SCHEDULER, { type: 'ACCEPT' }), () => c.subscribe(SCHEDULER, { type: 'ACCEPT' })]) {
      const error = await attempt().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MesosHttpError);
      const e = error as MesosHttpError;
      expect(e).toMatchObject({ status, body, callType: 'ACCEPT', retryable, subscriptionLost: lost, code: 'MESOSGOT_HTTP' });
      expect(e.url).toBe(`${s.url}${SCHEDULER}`);
      expect(e.message).not.toMatch(/hunter2|aHVudGVyMg/);
    }
  });

  it('caps a huge error body at 4 KiB', async () => {
    const s = await server((_, res) => {
      res.writeHead(500);
      res.end('x'.repeat(1024 * 1024));
    });
    const error = (await client(s.url).call(SCHEDULER, { type: 'ACCEPT' }).catch((e: unknown) => e)) as MesosHttpError;
    expect(error.status).toBe(500);
    expect(Buffer.byteLength(error.body)).toBeLessThanOrEqual(4096 + 3);
    expect(error.body.startsWith('x'.repeat(4096))).toBe(true);
  });

  it('rejects with signal.reason unchanged when aborted while waiting for the answer', async () => {
    const s = await server(() => undefined); // never answers
    const c = client(s.url);
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    const pending = c.call(SCHEDULER, { type: 'REVIVE' }, { signal: controller.signal });
    await waitFor(() => s.requests.length === 1);
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it('rejects with signal.reason when the signal is already aborted, sending nothing', async () => {
    const s = await server(accepted);
    const reason = new Error('before');
    await expect(client(s.url).call(SCHEDULER, {}, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(s.requests).toHaveLength(0);
  });

  it('rejects with TimeoutError after requestTimeoutMs', async () => {
    const s = await server(() => undefined);
    const error = await client(s.url, { requestTimeoutMs: 100 }).call(SCHEDULER, { type: 'REVIVE' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).timeoutMs).toBe(100);
  });

  it('close() releases every socket and later calls fail fast with DriverStoppedError', async () => {
    const s = await server((req, res) => {
      if (req.url === '/stream') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write(encodeRecord('{"type":"SUBSCRIBED"}'));
        return; // never ends
      }
      accepted(req, res);
    });
    const c = new MesosHttpClient({ baseUrl: s.url });
    await c.call(SCHEDULER, {});
    const sub = await c.subscribe('/stream', {});
    const it = sub.records[Symbol.asyncIterator]();
    expect((await it.next()).value?.toString()).toBe('{"type":"SUBSCRIBED"}');
    expect(s.openSockets).toBe(2);
    await c.close();
    await waitFor(() => s.openSockets === 0, { timeoutMs: 2_000, what: 'server sockets closed' });
    await expect(it.next()).rejects.toBeDefined();
    await expect(c.call(SCHEDULER, { type: 'REVIVE' })).rejects.toBeInstanceOf(DriverStoppedError);
  });
});

describe('http/client MesosHttpClient.subscribe', () => {
  const events = ['{"type":"SUBSCRIBED","subscribed":{"framework_id":{"value":"é€😀"}}}', '{"type":"HEARTBEAT"}', '{"type":"OFFERS"}'];
  const stream = Buffer.concat(events.map((e) => encodeRecord(e)));

  /** Serves the stream split at odd boundaries (inside prefixes and UTF-8), flushing each piece. */
  const streaming =
    (end: boolean): Handler =>
    (_, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'mesos-stream-id': 'stream-1' });
      const cuts = [1, 2, 5, 40, 41, 42, 43, 77, stream.length];
      let from = 0;
      const writeNext = (i: number): void => {
        if (i === cuts.length) {
          if (end) res.end();
          return;
        }
        res.write(stream.subarray(from, cuts[i]), () => writeNext(i + 1));
        from = cuts[i] as number;
      };
      writeNext(0);
    };

  it('decodes a chunked stream, exposes Mesos-Stream-Id, and ends on server EOF (on its own connection)', async () => {
    const s = await server(streaming(true));
    const c = client(s.url);
    await c.call(SCHEDULER, {});
    const sub = await c.subscribe(SCHEDULER, { type: 'SUBSCRIBE' });
    expect(sub.status).toBe(200);
    expect(sub.streamId).toBe('stream-1');
    expect(await collect(sub.records)).toEqual(events);
    expect(s.requests.map((r) => r.connection)).toEqual([0, 1]);
    expect(s.requests[1]?.headers['content-type']).toBe('application/json');
    expect(s.requests[1]?.headers.accept).toBe('application/json');
    await waitFor(() => s.openSockets === 1, { what: 'the stream socket closed after EOF' });
  });

  it('follows a scheme-relative 307 to the leader, which becomes the base for calls', async () => {
    const leader = await server((req, res) => (req.url === SCHEDULER ? accepted(req, res) : streaming(true)(req, res)));
    const follower = await server((_, res) => {
      res.writeHead(307, { location: `//127.0.0.1:${leader.port}/master${SCHEDULER}`, 'content-length': '0' }).end();
    });
    const c = client(follower.url);
    const sub = await c.subscribe(SCHEDULER, { type: 'SUBSCRIBE' });
    expect(await collect(sub.records)).toEqual(events);
    expect(c.baseUrl).toBe(leader.url);
    await c.call(SCHEDULER, { type: 'REVIVE' });
    expect(leader.requests.map((r) => r.url)).toEqual([`/master${SCHEDULER}`, SCHEDULER]);
    expect(follower.requests).toHaveLength(1);
  });

  it('breaking out of the records closes the stream socket', async () => {
    const s = await server(streaming(false));
    const sub = await client(s.url).subscribe(SCHEDULER, {});
    for await (const r of sub.records) {
      expect(r.toString()).toBe(events[0]);
      break;
    }
    await waitFor(() => s.openSockets === 0, { what: 'stream socket closed after break' });
  });

  it('close() on the subscription destroys its socket', async () => {
    const s = await server(streaming(false));
    const sub = await client(s.url).subscribe(SCHEDULER, {});
    await waitFor(() => s.openSockets === 1);
    sub.close();
    await waitFor(() => s.openSockets === 0, { what: 'stream socket closed after close()' });
  });

  it('aborting the signal ends the record iteration with signal.reason', async () => {
    const s = await server(streaming(false));
    const controller = new AbortController();
    const sub = await client(s.url).subscribe(SCHEDULER, {}, { signal: controller.signal });
    const it = sub.records[Symbol.asyncIterator]();
    for (const e of events) expect((await it.next()).value?.toString()).toBe(e);
    const pending = it.next(); // the server sends nothing more
    const reason = new Error('unsubscribe');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await waitFor(() => s.openSockets === 0, { what: 'stream socket closed after abort' });
  });

  it('aborting before the response headers rejects with signal.reason', async () => {
    const s = await server(() => undefined);
    const controller = new AbortController();
    const pending = client(s.url).subscribe(SCHEDULER, {}, { signal: controller.signal });
    await waitFor(() => s.requests.length === 1);
    const reason = new Error('too slow');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it('a malformed stream ends the iteration with ProtocolError and closes the socket', async () => {
    const s = await server((_, res) => {
      res.writeHead(200);
      res.write(Buffer.concat([encodeRecord('{}'), Buffer.from('x\n')]));
    });
    const sub = await client(s.url).subscribe(SCHEDULER, {});
    const seen: string[] = [];
    const error = await (async () => {
      for await (const r of sub.records) seen.push(r.toString());
    })().catch((e: unknown) => e);
    expect(seen).toEqual(['{}']);
    expect(error).toBeInstanceOf(ProtocolError);
    await waitFor(() => s.openSockets === 0);
  });
});

describe('http/client options', () => {
  it.each([
    { n: 1, options: { baseUrl: 'not a url' }, field: 'baseUrl' },
    { n: 2, options: { baseUrl: 'ftp://127.0.0.1:5050' }, field: 'baseUrl' },
    { n: 3, options: { baseUrl: 'http://127.0.0.1:5050/master' }, field: 'baseUrl' },
    { n: 4, options: { baseUrl: 'http://p1:hunter2@127.0.0.1:5050' }, field: 'baseUrl' },
    { n: 5, options: { baseUrl: 'http://127.0.0.1:5050', principal: 'p1' }, field: 'secret' },
    { n: 6, options: { baseUrl: 'http://127.0.0.1:5050', secret: 'hunter2' }, field: 'principal' },
    { n: 7, options: { baseUrl: 'http://127.0.0.1:5050', principal: 'p:1', secret: 'hunter2' }, field: 'principal' },
    { n: 8, options: { baseUrl: 'http://127.0.0.1:5050', principal: 'p1', secret: 'hun:ter2' }, field: 'secret' },
    { n: 9, options: { baseUrl: 'http://127.0.0.1:5050', requestTimeoutMs: 0 }, field: 'requestTimeoutMs' },
  ])('case $n: rejects bad $field with InvalidArgumentError, never showing the secret', ({ options, field }) => {
    let error: unknown;
    try {
      started.push(new MesosHttpClient(options));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).field).toBe(field);
    expect((error as Error).message).not.toMatch(/hunter2|hun:ter2/);
  });

  it('basicAuthHeader encodes principal:secret in base64', () => {
    expect(basicAuthHeader('p1', 's1')).toBe('Basic cDE6czE=');
  });
});
