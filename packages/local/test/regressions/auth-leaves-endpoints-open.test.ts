// Regression: with authentication on, /master/state and the whole agent executor API stayed
// open, so any local process could read the cluster's state or forge an executor UPDATE
// TASK_FAILED for someone else's task. Each Mesos flag now protects its endpoints, checked by
// the HTTP layer before any route: read-only endpoints, the operator API, and executor calls
// (a per-executor token, as Mesos' --authenticate_http_executors hands out).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { request } from 'undici';
import { waitFor } from '@mesosgot/local/testing';
import { executorTask, FRAMEWORK_ID, framework, startAgent, type Harness } from '../support/agent-harness.js';
import { startMaster, type MasterFixture } from '../support/master-fixture.js';

const CREDENTIAL = { principal: 'ops', secret: 'ops-secret' };
const BASIC = `Basic ${Buffer.from('ops:ops-secret').toString('base64')}`;

let fixture: MasterFixture | undefined;
let harness: Harness | undefined;

afterEach(async () => {
  await fixture?.stop();
  await harness?.cleanup();
  fixture = undefined;
  harness = undefined;
});

async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; challenge: unknown }> {
  const res = await request(url, { headers });
  await res.body.dump();
  return { status: res.statusCode, challenge: res.headers['www-authenticate'] };
}

function update(executorId: string): string {
  return JSON.stringify({
    type: 'UPDATE',
    framework_id: { value: FRAMEWORK_ID },
    executor_id: { value: executorId },
    update: {
      status: {
        task_id: { value: 't1' },
        state: 'TASK_FAILED',
        source: 'SOURCE_EXECUTOR',
        uuid: Buffer.from('0123456789ab4def8123456789abcdef', 'hex').toString('base64'),
      },
    },
  });
}

async function postExecutor(endpoint: string, body: string, token?: string): Promise<number> {
  const res = await request(`http://${endpoint}/api/v1/executor`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body,
  });
  await res.body.dump();
  return res.statusCode;
}

describe('HTTP authentication coverage', () => {
  it('protects /master/state with authenticateHttpReadonly and the operator API with authenticateHttpReadwrite; /health stays open', async () => {
    fixture = await startMaster({ credentials: [CREDENTIAL], authenticateHttpReadonly: true, authenticateHttpReadwrite: true }, 0);
    expect(await get(`${fixture.url}/master/state`)).toEqual({ status: 401, challenge: 'Basic realm="mesos-master-readonly"' });
    expect((await get(`${fixture.url}/master/state`, { Authorization: BASIC })).status).toBe(200);
    const operator = await request(`${fixture.url}/api/v1`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"type":"GET_HEALTH"}' });
    await operator.body.dump();
    expect([operator.statusCode, operator.headers['www-authenticate']]).toEqual([401, 'Basic realm="mesos-master-readwrite"']);
    expect((await get(`${fixture.url}/health`)).status).toBe(200);
  });

  it('refuses read-only and read-write authentication without credentials', async () => {
    await expect(startMaster({ authenticateHttpReadonly: true }, 0)).rejects.toThrow(/authenticateHttpReadonly.*needs credentials/);
  });

  it('with authenticateHttpExecutors, refuses a forged executor UPDATE (401) and another executor\'s token (403)', async () => {
    harness = await startAgent({ auth: { authenticateHttpExecutors: true } });
    harness.agent.launchTasks(framework(), [executorTask('t1')]);
    const sandbox = await waitFor(() => harness!.agent.executors()[0]?.sandbox, { timeoutMs: 10_000, what: 'sandbox' });
    await waitFor(() => existsSync(join(sandbox, 'executor.json')), { timeoutMs: 10_000, what: 'executor started' });
    const token = (JSON.parse(readFileSync(join(sandbox, 'executor.json'), 'utf8')) as { env: Record<string, string> }).env['MESOS_EXECUTOR_AUTHENTICATION_TOKEN'];
    expect(token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    const endpoint = harness.agent.endpoint;
    expect(await postExecutor(endpoint, update('exec-1'))).toBe(401);
    expect(await postExecutor(endpoint, update('exec-1'), 'forged-token')).toBe(401);
    expect(await postExecutor(endpoint, update('exec-2'), token)).toBe(403);
    const heartbeat = JSON.stringify({ type: 'HEARTBEAT', framework_id: { value: FRAMEWORK_ID }, executor_id: { value: 'exec-1' } });
    expect(await postExecutor(endpoint, heartbeat, token)).toBe(202);
    expect(harness.master.updates.filter((u) => u.status.state === 'TASK_FAILED' && u.status.source === 'SOURCE_EXECUTOR')).toEqual([]);
  });
});
