// Pure pieces of the agent: executor environment (docs/protocol.md, "Executor environment"), sandbox layout (docs/protocol.md, "Launch path"), stout
// durations, and executor call validation (docs/protocol.md, "Executor calls") with the recorded texts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { newStatusUuid } from '@mesosgot/common';
import { checkExecutorCall } from '../../src/agent/executor-call-validation.js';
import { executorEnvironment } from '../../src/agent/executor-env.js';
import { sandboxPath } from '../../src/agent/sandbox.js';
import { formatStoutDuration, parseStoutDuration } from '@mesosgot/common/internal';

const RECORDING = join(import.meta.dirname, '..', 'fixtures', 'real-mesos', 'session-executor.jsonl');
const recordedEnv = (JSON.parse(readFileSync(RECORDING, 'utf8').split('\n')[0]!) as { env: Record<string, string> }).env;

describe('executorEnvironment', () => {
  const FID = 'f3f8a733-332a-4315-91a0-4f916b390132-0000';
  const AID = 'f3f8a733-332a-4315-91a0-4f916b390132-S0';
  const base = {
    frameworkId: FID,
    executorId: 'lab-exec',
    agentId: AID,
    agentEndpoint: '127.0.0.1:5051',
    sandbox: recordedEnv['MESOS_SANDBOX']!,
    checkpoint: false,
    shutdownGracePeriod: '5secs',
    recoveryTimeout: '15mins',
    subscriptionBackoffMax: '2secs',
  };

  it('reproduces every recorded MESOS_* variable of the real agent, value for value', () => {
    const env = executorEnvironment(base);
    const mesos = Object.fromEntries(Object.entries(env).filter(([name]) => name.startsWith('MESOS_')));
    const recorded = Object.fromEntries(Object.entries(recordedEnv).filter(([name]) => name.startsWith('MESOS_')));
    expect(mesos).toEqual(recorded);
    expect(env['PATH']).toBe(process.env['PATH']);
  });

  it('adds the recovery variables only with checkpointing, and CommandInfo variables win', () => {
    const env = executorEnvironment({
      ...base,
      checkpoint: true,
      command: {
        environment: {
          variables: [
            { name: 'MESOS_SANDBOX', value: 'override' },
            { name: 'APP', value: '1' },
            { name: 'HIDDEN', type: 'SECRET', secret: {} },
          ],
        },
      },
    });
    expect(env).toMatchObject({ MESOS_CHECKPOINT: '1', MESOS_RECOVERY_TIMEOUT: '15mins', MESOS_SUBSCRIPTION_BACKOFF_MAX: '2secs', APP: '1' });
    expect(env['MESOS_SANDBOX']).toBe('override');
    expect(env['HIDDEN']).toBeUndefined();
  });
});

describe('sandboxPath', () => {
  it('lays out <workDir>/slaves/<AID>/frameworks/<FID>/executors/<EID>/runs/<containerId> like the recording', () => {
    const path = sandboxPath({
      workDir: '/var/lib/mesos-test/agent',
      agentId: 'f3f8a733-332a-4315-91a0-4f916b390132-S0',
      frameworkId: 'f3f8a733-332a-4315-91a0-4f916b390132-0000',
      executorId: 'lab-exec',
      containerId: '7307745b-73a2-4c5e-9e20-5f8e05c4f25e',
    });
    expect(path).toBe(recordedEnv['MESOS_DIRECTORY']);
  });
});

describe('stout durations', () => {
  const cases: [number, number, string][] = [
    [1, 5_000, '5secs'],
    [2, 60_000, '1mins'],
    [3, 900_000, '15mins'],
    [4, 2_000, '2secs'],
    [5, 1_500, '1.5secs'],
    [6, 400, '400ms'],
    [7, 0, '0ns'],
    [8, 7_200_000, '2hrs'],
  ];
  it.each(cases)('%i: %d ms ⇄ %s', (_n, ms, text) => {
    expect(formatStoutDuration(ms)).toBe(text);
    expect(parseStoutDuration(text)).toBe(ms);
  });
  it('rejects text that is not a duration', () => {
    expect(() => parseStoutDuration('5 seconds')).toThrow(/stout duration/);
  });
});

describe('checkExecutorCall', () => {
  const ids = { framework_id: { value: 'f' }, executor_id: { value: 'e' } };
  const update = (status: Record<string, unknown>) => JSON.stringify({ ...ids, type: 'UPDATE', update: { status } });
  const V = 'Failed to validate Executor::Call: ';
  const cases: [number, string, string | undefined][] = [
    [1, 'not json', 'Failed to parse body into JSON: syntax error at line 1 near: ot json'],
    [2, JSON.stringify({ type: 'HEARTBEAT' }), 'Failed to convert JSON into Call protobuf: Missing required fields: framework_id, executor_id'],
    [3, JSON.stringify({ ...ids }), `${V}Expecting 'type' to be present`],
    [4, JSON.stringify({ ...ids, type: 'SUBSCRIBE' }), `${V}Expecting 'subscribe' to be present`],
    [5, JSON.stringify({ ...ids, type: 'SUBSCRIBE', subscribe: {} }), undefined],
    [6, update({ task_id: { value: 't' }, state: 'TASK_RUNNING', source: 'SOURCE_EXECUTOR' }), `${V}Expecting 'uuid' to be present`],
    [7, update({ task_id: { value: 't' }, state: 'TASK_RUNNING', source: 'SOURCE_EXECUTOR', uuid: Buffer.alloc(16, 0).toString('base64') }), `${V}Not a valid UUID`],
    [8, update({ task_id: { value: 't' }, state: 'TASK_RUNNING', source: 'SOURCE_EXECUTOR', uuid: newStatusUuid() }), undefined],
    [9, update({ task_id: { value: 't' }, state: 'TASK_STAGING', source: 'SOURCE_EXECUTOR', uuid: newStatusUuid() }), `${V}Received TASK_STAGING from executor e of framework f which is not allowed`],
    [10, update({ task_id: { value: 't' }, state: 'TASK_RUNNING', source: 'SOURCE_EXECUTOR', uuid: newStatusUuid(), executor_id: { value: 'x' } }), `${V}ExecutorID in Call: e does not match ExecutorID in TaskStatus: x`],
    [11, update({ state: 'TASK_RUNNING' }), 'Failed to convert JSON into Call protobuf: Missing required fields: update.status.task_id'],
    [12, JSON.stringify({ ...ids, type: 'MESSAGE', message: {} }), 'Failed to convert JSON into Call protobuf: Missing required fields: message.data'],
    [13, JSON.stringify({ ...ids, type: 'MESSAGE' }), `${V}Expecting 'message' to be present`],
    [14, JSON.stringify([1]), 'Failed to convert JSON into Call protobuf: Expecting a JSON object'],
  ];
  it.each(cases)('case %i', (_n, body, refusal) => {
    const checked = checkExecutorCall(body);
    if (refusal === undefined) expect(checked.ok).toBe(true);
    else expect(checked).toEqual({ ok: false, status: 400, body: refusal });
  });
});
