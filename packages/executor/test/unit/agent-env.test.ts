import { describe, it, expect } from '@jest/globals';
import { DEFAULT_CONTENT_TYPE, InvalidArgumentError } from '@mesosgot/common';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadAgentEnv } from '../../src/driver/agent-env.js';
import { parseStoutDuration as parseDuration } from '@mesosgot/common/internal';

const BASE = {
  MESOS_AGENT_ENDPOINT: '127.0.0.1:5051',
  MESOS_FRAMEWORK_ID: 'fw-0000',
  MESOS_EXECUTOR_ID: 'exec-1',
  MESOS_DIRECTORY: '/sandbox/dir',
};

describe('parseDuration', () => {
  const good: [number, string, number][] = [
    [1, '15mins', 900_000],
    [2, '2secs', 2_000],
    [3, '1.5secs', 1_500],
    [4, '250ms', 250],
    [5, '5000us', 5],
    [6, '2000000ns', 2],
    [7, '1hrs', 3_600_000],
    [8, '1days', 86_400_000],
    [9, '2weeks', 1_209_600_000],
    [10, '0secs', 0],
    [11, '.5secs', 500],
  ];
  it.each(good)('case %i: parses %s', (_n, text, ms) => {
    expect(parseDuration(text)).toBeCloseTo(ms, 9);
  });

  const bad: [number, string][] = [
    [1, ''],
    [2, '15'],
    [3, 'secs'],
    [4, '15 mins'],
    [5, '-2secs'],
    [6, '2seconds'],
    [7, '2s'],
    [8, '1e3ms'],
    [9, 'garbage'],
    [10, '2secs2'],
  ];
  it.each(bad)('case %i: rejects %j with InvalidArgumentError naming the field', (_n, text) => {
    expect(() => parseDuration(text, 'MESOS_RECOVERY_TIMEOUT')).toThrow(InvalidArgumentError);
    expect(() => parseDuration(text, 'MESOS_RECOVERY_TIMEOUT')).toThrow(/MESOS_RECOVERY_TIMEOUT/);
  });
});

describe('loadAgentEnv', () => {
  it('reads the environment a real agent recorded (no recovery variables without checkpointing)', () => {
    const url = new URL('../../../local/test/fixtures/real-mesos/session-executor.jsonl', import.meta.url);
    const first = JSON.parse(readFileSync(fileURLToPath(url), 'utf8').split('\n')[0]!) as { env: Record<string, string> };
    const env = loadAgentEnv(first.env);
    expect(env).toEqual({
      agentUrl: 'http://127.0.0.1:5051/api/v1/executor',
      frameworkId: 'f3f8a733-332a-4315-91a0-4f916b390132-0000',
      executorId: 'lab-exec',
      agentId: 'f3f8a733-332a-4315-91a0-4f916b390132-S0',
      directory: first.env.MESOS_DIRECTORY,
      sandbox: first.env.MESOS_SANDBOX,
      isCheckpointing: false,
      recoveryTimeoutMs: 15 * 60_000,
      subscriptionBackoffMaxMs: 2_000,
      shutdownGracePeriodMs: 5_000,
      // A real agent's environment names no encoding: the default.
      contentType: DEFAULT_CONTENT_TYPE,
    });
  });

  const table: [number, Record<string, string>, Partial<ReturnType<typeof loadAgentEnv>>][] = [
    [1, { MESOS_CHECKPOINT: '1', MESOS_RECOVERY_TIMEOUT: '1.5secs', MESOS_SUBSCRIPTION_BACKOFF_MAX: '250ms' },
      { isCheckpointing: true, recoveryTimeoutMs: 1_500, subscriptionBackoffMaxMs: 250 }],
    [2, { MESOS_CHECKPOINT: '0' }, { isCheckpointing: false }],
    [3, { MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD: '3secs' }, { shutdownGracePeriodMs: 3_000 }],
    [4, { MESOS_EXECUTOR_AUTHENTICATION_TOKEN: 'jwt.token' }, { authorization: 'Bearer jwt.token' }],
    [5, { MESOS_SANDBOX: '/mnt/mesos/sandbox' }, { sandbox: '/mnt/mesos/sandbox', directory: '/sandbox/dir' }],
    [6, {}, { sandbox: '/sandbox/dir' }],
    [7, { MESOS_AGENT_ENDPOINT: 'http://localhost:40000' }, { agentUrl: 'http://localhost:40000/api/v1/executor' }],
    [8, { MESOS_AGENT_ENDPOINT: '[::1]:5051' }, { agentUrl: 'http://[::1]:5051/api/v1/executor' }],
    [9, { MESOSGOT_CONTENT_TYPE: 'protobuf' }, { contentType: 'protobuf' }],
    [10, { MESOSGOT_CONTENT_TYPE: 'json' }, { contentType: 'json' }],
  ];
  it.each(table)('case %i: %j', (_n, extra, expected) => {
    expect(loadAgentEnv({ ...BASE, ...extra })).toMatchObject(expected);
  });

  const missing = ['MESOS_AGENT_ENDPOINT', 'MESOS_FRAMEWORK_ID', 'MESOS_EXECUTOR_ID', 'MESOS_DIRECTORY'];
  it.each(missing)('names a missing %s', (name) => {
    const env: Record<string, string | undefined> = { ...BASE, [name]: undefined };
    expect(() => loadAgentEnv(env)).toThrow(InvalidArgumentError);
    expect(() => loadAgentEnv(env)).toThrow(new RegExp(name));
    expect(() => loadAgentEnv({ ...BASE, [name]: '' })).toThrow(new RegExp(name));
  });

  const garbage: [number, string, string][] = [
    [1, 'MESOS_RECOVERY_TIMEOUT', 'soon'],
    [2, 'MESOS_SUBSCRIPTION_BACKOFF_MAX', '2'],
    [3, 'MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD', '5 secs'],
    [4, 'MESOS_CHECKPOINT', 'yes'],
    [5, 'MESOS_AGENT_ENDPOINT', '127.0.0.1'],
    [6, 'MESOS_AGENT_ENDPOINT', 'http://127.0.0.1:5051/slave(1)'],
    [7, 'MESOSGOT_CONTENT_TYPE', 'xml'],
  ];
  it.each(garbage)('case %i: rejects %s=%j naming it', (_n, name, value) => {
    expect(() => loadAgentEnv({ ...BASE, [name]: value })).toThrow(new RegExp(name.replace(/[()]/g, '\\$&')));
  });
});
