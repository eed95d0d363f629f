/**
 * HTTP Basic authentication on a LocalCluster (docs/protocol.md, "Authentication"), beyond the master unit
 * test (test/unit/master/endpoints-and-auth.test.ts): every malformed or near-miss credential gets
 * 401 with the master's realm, the right one works for SUBSCRIBE and every later call, and the
 * secret never leaks — not in any answer (bodies, headers, events, /master/state), not in the
 * errors our HTTP client raises, and not in anything written to the console or stdout/stderr.
 */
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { request } from 'undici';
import { MesosHttpError, SCHEDULER_API_PATH } from '@mesosgot/common';
import { MesosHttpClient } from '@mesosgot/common/internal';
import { LocalCluster } from '../../src/cluster.js';
import { HttpScheduler, post, type HttpAnswer } from '../support/http-scheduler.js';

const PRINCIPAL = 'fw-principal';
// Distinctive, so a leak anywhere (even partial or base64-encoded) is found by a substring search.
const SECRET = 'Zq7-secret-6f1d-ÄÖ';
const OTHER = { principal: 'other-principal', secret: 'other-secret-93kd' };
const REALM = 'Basic realm="mesos-master-scheduler"';
const FRAMEWORK = { user: 'root', name: 'auth-framework' };
const SUBSCRIBE = { type: 'SUBSCRIBE', subscribe: { framework_info: FRAMEWORK } };

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
const basic = (principal: string, secret: string): string => `Basic ${b64(`${principal}:${secret}`)}`;
const GOOD = basic(PRINCIPAL, SECRET);

/** Forms of the secret that must appear nowhere we can see. */
const LEAKS = [SECRET, SECRET.slice(0, 12), b64(`${PRINCIPAL}:${SECRET}`), b64(SECRET), OTHER.secret, GOOD];

/** Everything the test saw: answers, events, errors, console and stdio output. */
const seen: string[] = [];
const remember = (answer: HttpAnswer): HttpAnswer => {
  seen.push(answer.body, JSON.stringify(answer.headers));
  return answer;
};

describe('LocalCluster HTTP Basic authentication', () => {
  const cluster = new LocalCluster({ agents: 1, allocationIntervalMs: 50, credentials: [{ principal: PRINCIPAL, secret: SECRET }, OTHER] });
  let url = '';
  const schedulers: HttpScheduler[] = [];
  const restores: (() => void)[] = [];

  beforeAll(async () => {
    // Capture (and still pass on) whatever the cluster prints while the secret is in use.
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      const spy = jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        seen.push(args.map((a) => (typeof a === 'string' ? a : inspect(a, { depth: 8 }))).join(' '));
      });
      restores.push(() => spy.mockRestore());
    }
    for (const stream of [process.stdout, process.stderr]) {
      const original = stream.write.bind(stream);
      stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
        seen.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
        return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof stream.write;
      restores.push(() => {
        stream.write = original;
      });
    }
    url = await cluster.start();
  });

  afterAll(async () => {
    await Promise.all(schedulers.map((s) => s.close()));
    await cluster.stop();
    for (const restore of restores.splice(0)) restore();
  });

  const CASES: [number, string, string | undefined][] = [
    [1, 'no Authorization header', undefined],
    [2, 'wrong secret', basic(PRINCIPAL, 'wrong')],
    [3, 'secret missing its last character', basic(PRINCIPAL, SECRET.slice(0, -1))],
    [4, 'secret with a character added', basic(PRINCIPAL, `${SECRET}x`)],
    [5, 'secret in another case', basic(PRINCIPAL, SECRET.toUpperCase())],
    [6, 'unknown principal with the right secret', basic('nobody', SECRET)],
    [7, "another principal's secret", basic(PRINCIPAL, OTHER.secret)],
    [8, 'empty principal and secret', basic('', '')],
    [9, 'no colon', `Basic ${b64(`${PRINCIPAL}${SECRET}`)}`],
    [10, 'two colons', `Basic ${b64(`${PRINCIPAL}:${SECRET}:x`)}`],
    [11, 'not base64', `Basic ${SECRET}`],
    [12, 'scheme only', 'Basic'],
    [13, 'Bearer scheme with the secret', `Bearer ${SECRET}`],
    [14, 'Digest scheme', `Digest username="${PRINCIPAL}"`],
    [15, 'credentials after a second scheme', `Bearer x, ${GOOD}`],
  ];

  it.each(CASES)('%i. %s: 401 with the scheduler realm, nothing echoed', async (_n, _name, authorization) => {
    for (const method of ['POST', 'GET'] as const) {
      const answer = remember(
        await post(url, SUBSCRIBE, { 'Content-Type': 'application/json', Accept: 'application/json', ...(authorization ? { Authorization: authorization } : {}) }, method),
      );
      // Authentication comes first: even a GET gets 401, not 405 (docs/protocol.md, "Authentication").
      expect([answer.status, answer.headers['www-authenticate']]).toEqual([401, REALM]);
      expect(answer.body).toBe('');
    }
    // A refused SUBSCRIBE registers nothing.
    expect(cluster.master.state.frameworks.all()).toEqual([]);
  });

  it('16. the right credentials subscribe; every later call needs them again; the principal is filled in', async () => {
    const s = await HttpScheduler.subscribe(url, FRAMEWORK, { Authorization: GOOD });
    schedulers.push(s);
    expect(s.status).toBe(200);
    await s.next('SUBSCRIBED');
    await s.next('OFFERS');
    expect(cluster.master.state.frameworks.get(s.frameworkId)?.info.principal).toBe(PRINCIPAL);
    expect(remember(await s.call({ type: 'REVIVE' }, { Authorization: GOOD })).status).toBe(202);
    expect(remember(await s.call({ type: 'RECONCILE', reconcile: { tasks: [] } }, { Authorization: GOOD })).status).toBe(202);
    for (const [, , authorization] of CASES.slice(0, 8)) {
      const answer = remember(await s.call({ type: 'REVIVE' }, authorization ? { Authorization: authorization } : {}));
      expect([answer.status, answer.headers['www-authenticate']]).toEqual([401, REALM]);
    }
    // Another valid principal may not act for this framework, and is told so without secrets.
    const foreign = remember(await s.call({ type: 'REVIVE' }, { Authorization: basic(OTHER.principal, OTHER.secret) }));
    expect(foreign.status).toBe(400);
    expect(foreign.body).toBe(`Authenticated principal '${OTHER.principal}' does not match principal '${PRINCIPAL}' set in \`FrameworkInfo\``);
    seen.push(JSON.stringify(s.events));
  });

  it('17. a framework_info principal other than the authenticated one is a 400 naming principals only', async () => {
    const s = await HttpScheduler.subscribe(url, { ...FRAMEWORK, principal: OTHER.principal }, { Authorization: GOOD });
    schedulers.push(s);
    expect(s.status).toBe(400);
    const answer = remember(await post(url, { type: 'SUBSCRIBE', subscribe: { framework_info: { ...FRAMEWORK, principal: 'x' } } }, { 'Content-Type': 'application/json', Authorization: GOOD }));
    expect(answer).toMatchObject({ status: 400, body: `Authenticated principal '${PRINCIPAL}' does not match principal 'x' set in \`FrameworkInfo\`` });
  });

  it('18. MesosHttpClient errors for a wrong secret carry the 401 but never the secret', async () => {
    const wrongSecret = `${SECRET}-wrong`;
    const client = new MesosHttpClient({ baseUrl: url, principal: PRINCIPAL, secret: wrongSecret });
    try {
      const failures: unknown[] = [];
      await client.call(SCHEDULER_API_PATH, { type: 'REVIVE', framework_id: { value: 'x' } }).catch((e: unknown) => failures.push(e));
      await client.subscribe(SCHEDULER_API_PATH, SUBSCRIBE).then(
        (sub) => sub.close(),
        (e: unknown) => failures.push(e),
      );
      expect(failures).toHaveLength(2);
      for (const error of failures) {
        expect(error).toBeInstanceOf(MesosHttpError);
        expect((error as MesosHttpError).status).toBe(401);
        const shown = [String(error), (error as Error).stack ?? '', inspect(error, { depth: 8 }), JSON.stringify(error)].join('\n');
        expect(shown).not.toContain(wrongSecret);
        expect(shown).not.toContain(b64(`${PRINCIPAL}:${wrongSecret}`));
        seen.push(shown);
      }
    } finally {
      await client.close();
    }
  });

  it('19. /master/state and the whole transcript (answers, events, errors, console, stdio) hold no secret', async () => {
    const res = await request(`${url}/master/state`, { method: 'GET' });
    seen.push(await res.body.text());
    expect(seen.length).toBeGreaterThan(40);
    const transcript = seen.join('\n');
    for (const leak of LEAKS) expect(transcript).not.toContain(leak);
  });
});
