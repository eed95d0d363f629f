// The agent's executor endpoint answers bad calls with the statuses and texts a real agent
// sent (test/fixtures/real-mesos/session-executor.jsonl), in the order of docs/protocol.md, "Executor endpoint answers".
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { newStatusUuid } from '@mesosgot/common';
import { waitFor } from '@mesosgot/local/testing';
import { FRAMEWORK_ID, framework, postExecutorCall, startAgent, type Harness } from '../support/agent-harness.js';

const RECORDING = join(import.meta.dirname, '..', 'fixtures', 'real-mesos', 'session-executor.jsonl');

interface RecordedCall {
  kind: string;
  body: unknown;
  status: number;
  response: string;
}
const recordedCalls = readFileSync(RECORDING, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line) as RecordedCall)
  .filter((entry) => entry.kind === 'call' && entry.status >= 400);

const ids = { framework_id: { value: FRAMEWORK_ID }, executor_id: { value: 'exec-1' } };

let harness: Harness;
beforeAll(async () => {
  harness = await startAgent({ executorRegistrationTimeoutMs: 60_000 });
  // An executor that never subscribes: the agent knows it, but it is not subscribed.
  harness.agent.launchTasks(framework(), [
    {
      name: 't',
      task_id: { value: 't' },
      agent_id: { value: harness.agent.info.id.value },
      executor: { executor_id: { value: 'exec-1' }, command: { value: 'exec sleep 30' } },
    },
  ]);
  await waitFor(() => harness.agent.executors()[0]?.state === 'registering');
});
afterAll(async () => {
  await harness.cleanup();
});

function body(call: Record<string, unknown>): string {
  return JSON.stringify({ ...ids, ...call });
}

describe('executor API answers', () => {
  it('recorded case: the recording holds the three refusals we replay', () => {
    expect(recordedCalls.map((call) => call.status)).toEqual([400, 400, 415]);
  });

  // Numbered cases: [name, request, expected status, expected text].
  const cases: [string, { body: string; contentType?: string; method?: string; path?: string }, number, string][] = [
    ['1 non-JSON body (recorded)', { body: 'not json' }, 400, 'Failed to parse body into JSON: syntax error at line 1 near: ot json'],
    [
      '2 37-byte text uuid (recorded)',
      { body: body({ type: 'UPDATE', update: { status: { task_id: { value: 'x' }, state: 'TASK_RUNNING', uuid: 'bm90LWEtdXVpZC10ZXh0LW9mLTM3LWJ5dGVzLWxvbmchISEh' } } }) },
      400,
      'Failed to validate Executor::Call: Not a valid UUID',
    ],
    [
      '3 text/plain Content-Type (recorded)',
      { body: body({ type: 'MESSAGE', message: { data: 'YmFkIGN0eXBl' } }), contentType: 'text/plain' },
      415,
      "Expecting 'Content-Type' of application/json or application/x-protobuf",
    ],
    [
      '4 JSON with a charset parameter is compared byte for byte',
      { body: body({ type: 'HEARTBEAT' }), contentType: 'application/json; charset=utf-8' },
      415,
      "Expecting 'Content-Type' of application/json or application/x-protobuf",
    ],
    ['5 GET', { body: '', method: 'GET' }, 405, "405 Method Not Allowed. Expecting one of { 'POST' }, but received 'GET'."],
    ['6 no Content-Type', { body: body({ type: 'HEARTBEAT' }), contentType: '' }, 400, "Expecting 'Content-Type' to be present"],
    [
      '7 missing executor_id',
      { body: JSON.stringify({ framework_id: { value: FRAMEWORK_ID }, type: 'HEARTBEAT' }) },
      400,
      'Failed to convert JSON into Call protobuf: Missing required fields: executor_id',
    ],
    ['8 unknown type', { body: body({ type: 'BOGUS' }) }, 400, "Failed to validate Executor::Call: Expecting 'type' to be present"],
    [
      '9 UPDATE without source',
      { body: body({ type: 'UPDATE', update: { status: { task_id: { value: 'x' }, state: 'TASK_RUNNING', uuid: newStatusUuid() } } }) },
      400,
      `Failed to validate Executor::Call: Received Call from executor exec-1 of framework ${FRAMEWORK_ID} with invalid source, expecting 'SOURCE_EXECUTOR'`,
    ],
    [
      '10 UPDATE without uuid',
      { body: body({ type: 'UPDATE', update: { status: { task_id: { value: 'x' }, state: 'TASK_RUNNING', source: 'SOURCE_EXECUTOR' } } }) },
      400,
      "Failed to validate Executor::Call: Expecting 'uuid' to be present",
    ],
    [
      '11 unknown framework',
      { body: JSON.stringify({ framework_id: { value: 'nope' }, executor_id: { value: 'exec-1' }, type: 'MESSAGE', message: { data: '' } }) },
      400,
      'Framework cannot be found',
    ],
    ['12 unknown executor', { body: body({ executor_id: { value: 'nope' }, type: 'MESSAGE', message: { data: '' } }) }, 400, 'Executor cannot be found'],
    ['13 MESSAGE before SUBSCRIBE', { body: body({ type: 'MESSAGE', message: { data: 'aGk=' } }) }, 403, 'Executor is not subscribed'],
    ['14 HEARTBEAT ids are not checked', { body: JSON.stringify({ framework_id: { value: 'x' }, executor_id: { value: 'y' }, type: 'HEARTBEAT' }) }, 202, ''],
    ['15 the /slave(1) path is the same endpoint', { body: body({ type: 'MESSAGE', message: { data: 'aGk=' } }), path: '/slave(1)/api/v1/executor' }, 403, 'Executor is not subscribed'],
  ];

  it.each(cases)('%s', async (_name, request, status, text) => {
    const answer = await postExecutorCall(harness.agent.endpoint, request.body, {
      contentType: request.contentType ?? 'application/json',
      method: request.method ?? 'POST',
      path: request.path ?? '/api/v1/executor',
    });
    expect(answer.status).toBe(status);
    expect(answer.text).toBe(text);
    if (status >= 400) expect(answer.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    if (status === 405) expect(answer.headers.get('allow')).toBe('POST');
  });

  it('answers the recorded texts byte for byte', async () => {
    for (const recorded of recordedCalls) {
      const isBadType = recorded.status === 415;
      const answer = await postExecutorCall(
        harness.agent.endpoint,
        typeof recorded.body === 'string' ? recorded.body : body(recorded.body as Record<string, unknown>),
        { contentType: isBadType ? 'text/plain' : 'application/json' },
      );
      expect([answer.status, answer.text]).toEqual([recorded.status, recorded.response]);
    }
  });

  it('GET /health answers 200', async () => {
    const response = await fetch(`http://${harness.agent.endpoint}/health`);
    expect(response.status).toBe(200);
  });
});
