/**
 * Chaos for the local cluster's HTTP endpoints (docs/design.md, "Bad input"): a bounded flood of
 * malformed requests to the master's /api/v1/scheduler and an agent's /api/v1/executor —
 * wrong methods and Content-Types, non-JSON, unknown types, missing ids and stream ids, random
 * bytes, bodies of a few MB, and broken HTTP on raw sockets — interleaved with good calls from a
 * real subscribed framework. Every bad request gets the 4xx a real Mesos gives (the texts of
 * scheduler-contract.json and session-executor.jsonl where recorded), every good one still
 * succeeds, the framework keeps its heartbeats and offers, and the heap does not keep growing.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Agent, request } from 'undici';
import { waitFor } from '@mesosgot/local/testing';
import { LocalCluster } from '../../src/cluster.js';
import { HttpScheduler } from '../support/http-scheduler.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/real-mesos/', import.meta.url));
const contract = JSON.parse(readFileSync(`${FIXTURES}scheduler-contract.json`, 'utf8')) as Record<string, { status: number; body: string }>;

const TOTAL_REQUESTS = 2_000;
const CONCURRENCY = 16;
const FLOOD_DEADLINE_MS = 60_000;
const RAW_SOCKET_DEADLINE_MS = 5_000;
const HUGE_BODY_BYTES = 3 * 1024 * 1024;
const JSON_HEADERS = { 'Content-Type': 'application/json', Accept: 'application/json' };

/** One request and what must come back. `body` is exact text, a RegExp, or undefined (any). */
interface Expectation {
  status: number | RegExp;
  body?: string | RegExp;
  headers?: Record<string, string>;
}
interface HttpSpec extends Expectation {
  kind: 'http';
  name: string;
  url: string;
  method?: 'GET' | 'POST' | 'PUT';
  headers?: Record<string, string>;
  requestHeaders?: Record<string, string>;
  body?: string | RegExp;
  send?: string | Buffer;
}
interface RawSpec {
  kind: 'raw';
  name: string;
  port: number;
  bytes: string | Buffer;
  /** Half-close our side after writing (a client that gave up mid-request). */
  end: boolean;
}
type Spec = HttpSpec | RawSpec;

/** A heap sample after a full GC when the flag can be set at run time (V8 allows it), else as is. */
function heapBytes(): number {
  try {
    setFlagsFromString('--expose-gc');
    (runInNewContext('gc') as () => void)();
  } catch {
    // No GC available: the sample is noisier, which the generous bound below allows for.
  }
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Sends raw bytes and returns the first status line (or '' if the server just closed). */
function rawExchange(spec: RawSpec): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(spec.port, '127.0.0.1');
    let got = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`${spec.name}: the server neither answered nor closed within ${RAW_SOCKET_DEADLINE_MS} ms`));
    }, RAW_SOCKET_DEADLINE_MS);
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      got += d;
      // One answer is all we wait for; a kept-alive socket would otherwise idle until the timeout.
      if (got.includes('\r\n\r\n')) socket.destroy();
    });
    socket.on('error', () => undefined); // a reset is a close here; the status line decides
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(got.split('\r\n')[0] ?? '');
    });
    socket.write(spec.bytes);
    if (spec.end) socket.end();
  });
}

describe('bad-request flood against a LocalCluster', () => {
  const cluster = new LocalCluster({ agents: 1, heartbeatIntervalSeconds: 1, allocationIntervalMs: 50 });
  const dispatcher = new Agent({ connections: CONCURRENCY });
  let url = '';
  let agentUrl = '';
  let scheduler: HttpScheduler;

  beforeAll(async () => {
    url = await cluster.start();
    agentUrl = `http://${cluster.agents[0]!.endpoint}`;
    scheduler = await HttpScheduler.subscribe(url, { user: 'root', name: 'flood-framework' });
    await scheduler.next('SUBSCRIBED');
    await scheduler.next('OFFERS');
  });

  afterAll(async () => {
    await scheduler?.close();
    await dispatcher.destroy();
    await cluster.stop();
  });

  /** The bad requests, cycled through the flood. */
  function badSpecs(): Spec[] {
    const api = `${url}/api/v1/scheduler`;
    const exec = `${agentUrl}/api/v1/executor`;
    const masterPort = Number(new URL(url).port);
    const agentPort = Number(new URL(agentUrl).port);
    const fw = { value: scheduler.frameworkId };
    const subscribe = JSON.stringify({ type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'root', name: 'x' } } });
    const c = (note: string): Expectation => ({ status: contract[note]!.status, body: contract[note]!.body });
    const ids = { framework_id: { value: 'no-such-framework' }, executor_id: { value: 'no-such-executor' } };
    const head = (path: string, extra: string): string => `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${extra}`;
    const http = (name: string, target: string, spec: Omit<HttpSpec, 'kind' | 'name' | 'url'>): HttpSpec => ({ kind: 'http', name, url: target, ...spec });
    return [
      http('S1 GET', api, { method: 'GET', requestHeaders: JSON_HEADERS, ...c('GET is 405'), headers: { allow: 'POST' } }),
      http('S2 text/plain', api, { requestHeaders: { ...JSON_HEADERS, 'Content-Type': 'text/plain' }, send: '{"type":"SUBSCRIBE"}', ...c('text/plain content-type is 415') }),
      http('S3 json with charset', api, { requestHeaders: { ...JSON_HEADERS, 'Content-Type': 'application/json; charset=utf-8' }, send: subscribe, ...c('json with charset is 415?') }),
      http('S4 no Content-Type', api, { requestHeaders: { Accept: 'application/json' }, send: subscribe, status: 400, body: "Expecting 'Content-Type' to be present" }),
      http('S5 non-JSON', api, { requestHeaders: JSON_HEADERS, send: '{not json', ...c('malformed json is 400') }),
      http('S6 unknown type', api, { requestHeaders: JSON_HEADERS, send: '{"type":"FLY"}', ...c('unknown type is 400') }),
      http('S7 no framework_info', api, { requestHeaders: JSON_HEADERS, send: '{"type":"SUBSCRIBE","subscribe":{}}', ...c('missing framework_info is 400') }),
      http('S8 no framework_id', api, { requestHeaders: JSON_HEADERS, send: '{"type":"DECLINE","decline":{"offer_ids":[{"value":"x"}]}}', ...c('DECLINE without framework_id is 400') }),
      http('S9 unknown framework', api, { requestHeaders: JSON_HEADERS, send: '{"type":"DECLINE","framework_id":{"value":"nope"},"decline":{"offer_ids":[{"value":"x"}]}}', ...c('DECLINE unknown framework is 400') }),
      http('S10 no stream id', api, { requestHeaders: JSON_HEADERS, send: JSON.stringify({ framework_id: fw, type: 'REVIVE' }), ...c('call without Mesos-Stream-Id is 400') }),
      http('S11 wrong stream id', api, {
        requestHeaders: { ...JSON_HEADERS, 'Mesos-Stream-Id': '00000000-0000-0000-0000-000000000000' },
        send: JSON.stringify({ framework_id: fw, type: 'REVIVE' }),
        status: 400,
        body: contract['call with wrong Mesos-Stream-Id is 400']!.body.replace(/framework ID \S+$/, `framework ID ${fw.value}`),
      }),
      http('S12 Accept text/html', api, { requestHeaders: { ...JSON_HEADERS, Accept: 'text/html' }, send: subscribe, ...c('Accept text/html is 406') }),
      http('S13 random bytes', api, { requestHeaders: JSON_HEADERS, send: randomBytes(256), status: 400, body: /^Failed to parse body into JSON: / }),
      http('S14 JSON array', api, { requestHeaders: JSON_HEADERS, send: '[1,2,3]', status: 400, body: /^Failed to convert JSON into Call protobuf/ }),
      http('S15 SUBSCRIBE with stream id', api, {
        requestHeaders: { ...JSON_HEADERS, 'Mesos-Stream-Id': 'x' },
        send: subscribe,
        status: 400,
        body: "Subscribe calls should not include the 'Mesos-Stream-Id' header",
      }),
      http('S16 PUT', api, { method: 'PUT', requestHeaders: JSON_HEADERS, send: subscribe, status: 405, body: "405 Method Not Allowed. Expecting one of { 'POST' }, but received 'PUT'." }),
      // stout's JSON::parse refuses text after the value (regression json-trailing-garbage).
      http('S17 trailing garbage', api, {
        requestHeaders: { ...JSON_HEADERS, 'Mesos-Stream-Id': scheduler.streamId },
        send: `${JSON.stringify({ framework_id: fw, type: 'REVIVE' })} garbage`,
        status: 400,
        body: 'Failed to parse body into JSON: Parsed JSON included non-whitespace trailing characters:  garbage',
      }),
      http('A1 GET', exec, { method: 'GET', status: 405, body: "405 Method Not Allowed. Expecting one of { 'POST' }, but received 'GET'." }),
      http('A2 no Content-Type', exec, { requestHeaders: {}, send: '{}', status: 400, body: "Expecting 'Content-Type' to be present" }),
      http('A3 text/plain', exec, { requestHeaders: { 'Content-Type': 'text/plain' }, send: '{}', status: 415, body: "Expecting 'Content-Type' of application/json or application/x-protobuf" }),
      // The recorded agent's answer to exactly this body (session-executor.jsonl).
      http('A4 non-JSON', exec, { requestHeaders: JSON_HEADERS, send: 'not json', status: 400, body: 'Failed to parse body into JSON: syntax error at line 1 near: ot json' }),
      http('A5 unknown type', exec, { requestHeaders: JSON_HEADERS, send: JSON.stringify({ ...ids, type: 'FLY' }), status: 400, body: "Failed to validate Executor::Call: Expecting 'type' to be present" }),
      http('A6 no ids', exec, { requestHeaders: JSON_HEADERS, send: '{"type":"MESSAGE","message":{"data":""}}', status: 400, body: /^Failed to convert JSON into Call protobuf: Missing required fields: / }),
      http('A7 unknown framework', exec, { requestHeaders: JSON_HEADERS, send: JSON.stringify({ ...ids, type: 'MESSAGE', message: { data: '' } }), status: 400, body: 'Framework cannot be found' }),
      http('A8 random bytes', exec, { requestHeaders: JSON_HEADERS, send: randomBytes(256), status: 400, body: /^Failed to parse body into JSON: / }),
      { kind: 'raw', name: 'R1 truncated chunked body', port: masterPort, bytes: `${head('/api/v1/scheduler', 'Transfer-Encoding: chunked\r\n\r\n')}100\r\n{"type":`, end: true },
      { kind: 'raw', name: 'R2 short Content-Length', port: masterPort, bytes: `${head('/api/v1/scheduler', 'Content-Length: 100\r\n\r\n')}{"type":`, end: true },
      { kind: 'raw', name: 'R3 bad chunk size', port: masterPort, bytes: `${head('/api/v1/scheduler', 'Transfer-Encoding: chunked\r\n\r\n')}zz\r\n`, end: false },
      { kind: 'raw', name: 'R4 not HTTP', port: masterPort, bytes: Buffer.concat([randomBytes(64), Buffer.from('\r\n\r\n')]), end: false },
      { kind: 'raw', name: 'R5 headers cut short', port: masterPort, bytes: 'POST /api/v1/scheduler HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-', end: true },
      { kind: 'raw', name: 'R6 agent truncated chunked body', port: agentPort, bytes: `${head('/api/v1/executor', 'Transfer-Encoding: chunked\r\n\r\n')}100\r\n{"type":`, end: true },
    ];
  }

  /** The few-MB bodies: valid JSON missing framework_id, and unterminated garbage. */
  function hugeSpecs(): HttpSpec[] {
    const pad = 'a'.repeat(HUGE_BODY_BYTES);
    return [
      { kind: 'http', name: 'H1 huge valid JSON', url: `${url}/api/v1/scheduler`, requestHeaders: JSON_HEADERS, send: `{"type":"DECLINE","decline":{"offer_ids":[{"value":"${pad}"}]}}`, status: 400, body: contract['DECLINE without framework_id is 400']!.body },
      { kind: 'http', name: 'H2 huge unterminated', url: `${url}/api/v1/scheduler`, requestHeaders: JSON_HEADERS, send: `{"type":"${pad}`, status: 400, body: /^Failed to parse body into JSON: / },
      { kind: 'http', name: 'H3 agent huge garbage', url: `${agentUrl}/api/v1/executor`, requestHeaders: JSON_HEADERS, send: Buffer.alloc(HUGE_BODY_BYTES, 0x7b), status: 400, body: /^Failed to parse body into JSON: / },
    ];
  }

  /** Good calls: the framework's own (202) and an executor HEARTBEAT, which needs no lookup (docs/protocol.md, "Executor endpoint answers"). */
  async function good(i: number): Promise<string | undefined> {
    if (i % 3 === 2) {
      const res = await request(`${agentUrl}/api/v1/executor`, {
        method: 'POST',
        headers: JSON_HEADERS,
        body: JSON.stringify({ type: 'HEARTBEAT', framework_id: { value: 'f' }, executor_id: { value: 'e' } }),
        dispatcher,
      });
      await res.body.dump();
      return res.statusCode === 202 ? undefined : `agent HEARTBEAT got ${res.statusCode}`;
    }
    const offers = scheduler.events.flatMap((e) => (e.type === 'OFFERS' ? (e.offers.offers ?? []).map((o) => o.id) : []));
    const call =
      i % 3 === 0
        ? { type: 'RECONCILE', reconcile: { tasks: [] } }
        : { type: 'DECLINE', decline: { offer_ids: offers.slice(-1), filters: { refuse_seconds: 0 } } };
    const res = await scheduler.call(call);
    return res.status === 202 ? undefined : `${call.type} got ${res.status} ${res.body}`;
  }

  async function bad(spec: Spec): Promise<string | undefined> {
    if (spec.kind === 'raw') {
      const line = await rawExchange(spec);
      // Node's parser answers broken HTTP with 400 and closes; a silent close is also a refusal.
      return line === '' || /^HTTP\/1\.1 4\d\d /.test(line) ? undefined : `${spec.name}: got '${line}'`;
    }
    const res = await request(spec.url, {
      method: spec.method ?? 'POST',
      headers: spec.requestHeaders ?? {},
      ...(spec.send !== undefined ? { body: spec.send } : {}),
      dispatcher,
    });
    const text = await res.body.text();
    const problems: string[] = [];
    if (spec.status !== res.statusCode) problems.push(`status ${res.statusCode}`);
    if (typeof spec.body === 'string' ? text !== spec.body : spec.body !== undefined && !spec.body.test(text)) problems.push(`body ${JSON.stringify(text.slice(0, 200))}`);
    for (const [name, value] of Object.entries(spec.headers ?? {})) if (res.headers[name.toLowerCase()] !== value) problems.push(`header ${name}=${String(res.headers[name])}`);
    return problems.length === 0 ? undefined : `${spec.name}: ${problems.join(', ')}`;
  }

  it(`${TOTAL_REQUESTS} requests (1 in 8 good, ${CONCURRENCY} at a time): bad ones get Mesos' 4xx, good ones succeed, the framework lives on, the heap stays flat`, async () => {
    const specs = badSpecs();
    const huge = hugeSpecs();
    const failures: string[] = [];
    const counts = { good: 0, bad: 0, raw: 0, huge: 0 };
    /** Request `i` of the flood: 1 in 8 good, a few-MB body every 200, else the next bad spec. */
    const step = async (i: number): Promise<void> => {
      let problem: string | undefined;
      try {
        if (i % 8 === 0) {
          counts.good++;
          problem = await good(i / 8);
        } else if (i % 200 === 101) {
          counts.huge++;
          problem = await bad(huge[((i - 101) / 200) % huge.length]!);
        } else {
          const spec = specs[i % specs.length]!;
          counts[spec.kind === 'raw' ? 'raw' : 'bad']++;
          problem = await bad(spec);
        }
      } catch (error) {
        problem = `request ${i} failed: ${String(error)}`;
      }
      if (problem !== undefined && failures.length < 20) failures.push(problem);
    };
    let next = 0;
    /** Runs requests next..until-1, CONCURRENCY at a time (each worker claims the next index). */
    const flood = async (until: number): Promise<void> => {
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < until) await step(next++);
        }),
      );
    };

    const started = Date.now();
    const eventsAtStart = scheduler.events.length;
    // Warm-up quarter first: JIT, pools and buffers settle, then the heap is sampled.
    await flood(TOTAL_REQUESTS / 4);
    const heapAfterWarmUp = heapBytes();
    await flood(TOTAL_REQUESTS);
    const heapAtEnd = heapBytes();
    expect(Date.now() - started).toBeLessThan(FLOOD_DEADLINE_MS);

    expect(failures).toEqual([]);
    expect(counts.good + counts.bad + counts.raw + counts.huge).toBe(TOTAL_REQUESTS);
    expect(counts.raw).toBeGreaterThan(0);
    expect(counts.huge).toBeGreaterThan(0);
    // Three quarters of the flood moved ≥ 10 MB through the endpoints; a leak of even a fraction of
    // that per request would pass this bound many times over.
    expect(heapAtEnd - heapAfterWarmUp).toBeLessThan(48 * 1024 * 1024);

    // The framework lived through it: still subscribed, heartbeats and offers keep coming.
    expect(scheduler.ended).toBe(false);
    expect(cluster.master.state.frameworks.all()).toHaveLength(1);
    const after = scheduler.events.length;
    await scheduler.next('HEARTBEAT', () => true, { from: after, timeoutMs: 5_000 });
    const offered = scheduler.events.slice(eventsAtStart).filter((e) => e.type === 'OFFERS').length;
    expect(offered).toBeGreaterThan(0);
    const last = scheduler.events.filter((e) => e.type === 'OFFERS').at(-1)!;
    const res = await scheduler.call({ type: 'DECLINE', decline: { offer_ids: last.type === 'OFFERS' ? last.offers.offers!.map((o) => o.id) : [], filters: { refuse_seconds: 0 } } });
    expect(res.status).toBe(202);
    await scheduler.next('OFFERS', () => true, { from: scheduler.events.length, timeoutMs: 5_000 });
    await waitFor(() => cluster.master.state.frameworks.get(scheduler.frameworkId)?.isConnected === true, { timeoutMs: 1_000 });
  }, 120_000);
});
