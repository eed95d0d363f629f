// A raw protobuf executor against the local agent's executor endpoint (docs/protobuf.md):
// SUBSCRIBE in application/x-protobuf gets a protobuf stream whose SUBSCRIBED and LAUNCH carry
// the fields a real agent sent (real-mesos/session-executor.jsonl, ids and times aside); UPDATE
// and MESSAGE in protobuf are taken (202), the update is ACKNOWLEDGED on the stream.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Agent, request } from 'undici';
import { decodeRecordIO, newStatusUuid, type ExecutorCall, type ExecutorEvent } from '@mesosgot/common/internal';
import { EXECUTOR_CALL_CODEC, EXECUTOR_EVENT_CODEC } from '@mesosgot/common/protobuf';
import { waitFor } from '@mesosgot/local/testing';
import { FRAMEWORK_ID, framework, startAgent, type Harness } from '../support/agent-harness.js';

const RECORDING = join(import.meta.dirname, '..', 'fixtures', 'real-mesos', 'session-executor.jsonl');
const recordedEvents = readFileSync(RECORDING, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line) as { kind: string; event?: ExecutorEvent })
  .filter((entry) => entry.kind === 'event')
  .map((entry) => entry.event!);

const PROTOBUF = 'application/x-protobuf';
const ids = { framework_id: { value: FRAMEWORK_ID }, executor_id: { value: 'exec-1' } };

/** The object paths of a wire object (arrays merged), whatever the values. */
function paths(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return [...new Set(value.flatMap((v) => paths(v, `${path}[]`)))];
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => paths(v, path === '' ? k : `${path}.${k}`));
  return [path];
}

async function post(endpoint: string, call: ExecutorCall): Promise<number> {
  const res = await request(`http://${endpoint}/api/v1/executor`, {
    method: 'POST',
    headers: { 'Content-Type': PROTOBUF },
    body: EXECUTOR_CALL_CODEC.toBinary(call),
  });
  await res.body.dump();
  return res.statusCode;
}

describe('LocalAgent with a raw protobuf executor', () => {
  let harness: Harness;
  const dispatcher = new Agent();
  const events: ExecutorEvent[] = [];
  let stream: AbortController;

  beforeEach(async () => {
    harness = await startAgent({ executorRegistrationTimeoutMs: 60_000 });
    harness.master.autoAcknowledge = true;
    stream = new AbortController();
    events.length = 0;
  });

  afterEach(async () => {
    stream.abort();
    await harness.cleanup();
  });

  afterAll(async () => {
    await dispatcher.destroy();
  });

  it('subscribes, launches, updates, acknowledges and relays messages in protobuf', async () => {
    // The agent starts an executor that never subscribes; this test subscribes in its place.
    harness.agent.launchTasks(framework(), [
      {
        name: 'echo-0',
        task_id: { value: 'echo-0' },
        agent_id: { value: harness.agent.info.id.value },
        executor: { executor_id: { value: 'exec-1' }, command: { value: 'exec sleep 30' } },
        data: Buffer.from('task data').toString('base64'),
      },
    ]);
    await waitFor(() => harness.agent.executors()[0]?.state === 'registering');

    const res = await request(`http://${harness.agent.endpoint}/api/v1/executor`, {
      method: 'POST',
      headers: { 'Content-Type': PROTOBUF, Accept: PROTOBUF },
      body: EXECUTOR_CALL_CODEC.toBinary({ ...ids, type: 'SUBSCRIBE', subscribe: {} }),
      dispatcher,
      signal: stream.signal,
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe(PROTOBUF);
    void (async () => {
      try {
        for await (const record of decodeRecordIO(res.body)) events.push(EXECUTOR_EVENT_CODEC.fromBinary(record));
      } catch {
        // aborted by afterEach
      }
    })();
    await waitFor(() => events.some((e) => e.type === 'LAUNCH'), { what: 'LAUNCH' });
    const subscribed = events.find((e) => e.type === 'SUBSCRIBED')!;
    const recordedSubscribed = recordedEvents.find((e) => e.type === 'SUBSCRIBED')!;
    // Every field the local agent sends is one a real agent sends in SUBSCRIBED.
    const recordedPaths = new Set(paths(recordedSubscribed));
    expect(paths(subscribed).filter((p) => !recordedPaths.has(p) && !p.startsWith('subscribed.executor_info.command'))).toEqual([]);
    const launch = events.find((e): e is Extract<ExecutorEvent, { type: 'LAUNCH' }> => e.type === 'LAUNCH')!;
    expect(launch.launch.task.task_id).toEqual({ value: 'echo-0' });
    expect(Buffer.from(launch.launch.task.data!, 'base64').toString()).toBe('task data');

    const uuid = newStatusUuid();
    const status = { task_id: { value: 'echo-0' }, state: 'TASK_RUNNING', source: 'SOURCE_EXECUTOR', uuid } as const;
    expect(await post(harness.agent.endpoint, { ...ids, type: 'UPDATE', update: { status } })).toBe(202);
    await waitFor(() => events.some((e) => e.type === 'ACKNOWLEDGED' && e.acknowledged.uuid === uuid), { what: 'ACKNOWLEDGED' });
    expect(harness.master.updates.at(-1)?.status).toMatchObject({ task_id: { value: 'echo-0' }, state: 'TASK_RUNNING', uuid });

    const data = Buffer.from([0, 1, 2, 255]).toString('base64');
    expect(await post(harness.agent.endpoint, { ...ids, type: 'MESSAGE', message: { data } })).toBe(202);
    await waitFor(() => harness.master.messages.some((m) => m.data === data), { what: 'message relayed' });
  });

  it('refuses bytes that are not an executor Call with 400, as Mesos does', async () => {
    const res = await request(`http://${harness.agent.endpoint}/api/v1/executor`, {
      method: 'POST',
      headers: { 'Content-Type': PROTOBUF },
      body: Buffer.from([0x0a, 0xff]),
    });
    expect(res.statusCode).toBe(400);
    expect(await res.body.text()).toBe('Failed to parse body into Call protobuf');
  });
});
