import { describe, it, expect } from '@jest/globals';
import { InvalidArgumentError } from '@mesosgot/common';
import { formatHelp, parseSchedulerConfig, SCHEDULER_FLAGS, DEFAULT_LOCAL_AGENTS, type FlagSpec } from '../../../src/internal.js';
import { parseAdvertisedAddress } from '../../../src/gotask/advertised-address.js';

const NO_ENV = {};

describe('parseSchedulerConfig', () => {
  it('gives the documented defaults with no flags and no environment', () => {
    const c = parseSchedulerConfig([], NO_ENV);
    expect(c).toMatchObject({
      master: 'local',
      address: '127.0.0.1',
      artifactPort: 0,
      refuseSeconds: 5,
      name: 'mesosgot',
      role: '*',
      failoverTimeout: 0,
      checkpoint: false,
      localAgents: DEFAULT_LOCAL_AGENTS,
      taskFailurePolicy: 'stop',
      maxRestarts: 3,
      help: false,
      appArgs: [],
      appFlags: {},
    });
    expect(c.user.length).toBeGreaterThan(0);
    expect(c.executor).toBeUndefined();
    expect('executor' in c).toBe(false);
  });

  // Numbered cases: argv, env, expected fields.
  const CASES: [number, string[], Record<string, string>, Record<string, unknown>][] = [
    [1, ['--master', 'http://10.0.0.1:5050'], {}, { master: 'http://10.0.0.1:5050' }],
    [2, ['--master=zk://a:2181,b:2181/mesos'], {}, { master: 'zk://a:2181,b:2181/mesos' }],
    [3, [], { MESOS_MASTER: 'm1:5050' }, { master: 'm1:5050' }],
    [4, [], { MESOS_MASTER: 'm1:5050', MESOSGOT_MASTER: 'm2:5050' }, { master: 'm2:5050' }],
    [5, ['--master', 'local'], { MESOSGOT_MASTER: 'm2:5050' }, { master: 'local' }],
    [6, ['--checkpoint'], {}, { checkpoint: true }],
    [7, ['--no-checkpoint'], { MESOSGOT_CHECKPOINT: 'true' }, { checkpoint: false }],
    [8, ['--checkpoint=false'], {}, { checkpoint: false }],
    [9, ['--refuse-seconds', '0.5', '--failover-timeout=3600'], {}, { refuseSeconds: 0.5, failoverTimeout: 3600 }],
    [10, ['--executor', 'dist/exec.mjs', '--address', '0.0.0.0', '--artifact-port', '8081'], {}, { executor: 'dist/exec.mjs', address: '0.0.0.0', artifactPort: 8081 }],
    [11, ['--executor-command', 'node /opt/app/exec.js'], {}, { executorCommand: 'node /opt/app/exec.js' }],
    [12, ['--task-failure-policy', 'restart', '--max-restarts', '5'], {}, { taskFailurePolicy: 'restart', maxRestarts: 5 }],
    [13, ['--local-agents', '4', '--local-agent-resources', 'cpus:2;mem:512'], {}, { localAgents: 4, localAgentResources: 'cpus:2;mem:512' }],
    [14, ['--principal', 'p', '--secret-file', '/s', '--tls-ca', '/ca.pem'], {}, { principal: 'p', secretFile: '/s', tlsCa: '/ca.pem' }],
    [15, ['--name', 'elevators', '--role', 'prod', '--user', 'nobody'], {}, { name: 'elevators', role: 'prod', user: 'nobody' }],
    [16, ['--help'], {}, { help: true }],
    [17, ['--hold-timeout', '0', '--', '--floors', '10', 'x'], {}, { holdTimeout: 0, appArgs: ['--floors', '10', 'x'] }],
    [18, [], { MESOSGOT_REFUSE_SECONDS: '7', MESOSGOT_LOCAL_AGENTS: '3' }, { refuseSeconds: 7, localAgents: 3 }],
  ];
  it.each(CASES)('case %i: %j with env %j', (_n, argv, env, want) => {
    expect(parseSchedulerConfig(argv, env)).toMatchObject(want);
  });

  const BAD: [number, string[], Record<string, string>, string][] = [
    [1, ['--bogus'], {}, '--bogus'],
    [2, ['--master'], {}, '--master'],
    [3, ['--master', 'ftp://x'], {}, '--master'],
    [4, ['--refuse-seconds', 'soon'], {}, '--refuse-seconds'],
    [5, ['--refuse-seconds', '-1'], {}, '--refuse-seconds'],
    [6, ['--local-agents', '1.5'], {}, '--local-agents'],
    [7, ['--artifact-port', '70000'], {}, '--artifact-port'],
    [8, ['--task-failure-policy', 'retry'], {}, '--task-failure-policy'],
    [9, ['--checkpoint=maybe'], {}, '--checkpoint'],
    [10, ['stray'], {}, 'argv'],
    [11, [], { MESOSGOT_LOCAL_AGENTS: 'two' }, 'MESOSGOT_LOCAL_AGENTS'],
    [12, ['--executor', 'a.js', '--executor-command', 'node a.js'], {}, '--executor-command'],
    [13, ['--local-agent-resources', 'cpus:lots'], {}, '--local-agent-resources'],
    [14, ['--name', ''], {}, '--name'],
    [15, ['--master', '--checkpoint'], {}, '--master'],
  ];
  it.each(BAD)('bad case %i: %j refused with InvalidArgumentError naming %s', (_n, argv, env, field) => {
    let error: unknown;
    try {
      parseSchedulerConfig(argv, env);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).field).toBe(field);
    expect((error as Error).message).toContain(field);
  });

  it('defaults to the direct data plane on any port, takes relay and a port, and needs the TLS certificate and key together', () => {
    expect(parseSchedulerConfig([], NO_ENV)).toMatchObject({ dataPlane: 'direct', dataPort: 0 });
    expect(parseSchedulerConfig(['--data-plane', 'relay', '--data-port', '7070'], NO_ENV)).toMatchObject({ dataPlane: 'relay', dataPort: 7070 });
    expect(parseSchedulerConfig([], { MESOSGOT_DATA_PLANE: 'relay' }).dataPlane).toBe('relay');
    expect(() => parseSchedulerConfig(['--data-plane', 'carrier-pigeon'], NO_ENV)).toThrow(/--data-plane.*direct, relay/);
    expect(() => parseSchedulerConfig(['--tls-cert', 'c.pem'], NO_ENV)).toThrow(/--tls-key/);
    expect(() => parseSchedulerConfig(['--tls-key', 'k.pem'], NO_ENV)).toThrow(/--tls-cert/);
    expect(parseSchedulerConfig(['--tls-cert', 'c.pem', '--tls-key', 'k.pem'], NO_ENV)).toMatchObject({ tlsCert: 'c.pem', tlsKey: 'k.pem' });
  });

  it('takes --data-advertise as host, host:port or [ipv6]:port, and refuses wildcards, bad ports and junk', () => {
    expect(parseSchedulerConfig([], NO_ENV).dataAdvertise).toBeUndefined();
    expect(parseSchedulerConfig(['--data-advertise', 'sched.example.org:7070'], NO_ENV).dataAdvertise).toBe('sched.example.org:7070');
    expect(parseSchedulerConfig([], { MESOSGOT_DATA_ADVERTISE: '10.0.0.5' }).dataAdvertise).toBe('10.0.0.5');
    expect(parseAdvertisedAddress('10.0.0.5')).toEqual({ host: '10.0.0.5' });
    expect(parseAdvertisedAddress('[fd00::1]:7070')).toEqual({ host: 'fd00::1', port: 7070 });
    for (const bad of ['0.0.0.0:7070', '[::]', 'host:0', 'host:70000', 'http://host:1', 'a b', 'fd00::1:7070']) {
      expect(() => parseSchedulerConfig(['--data-advertise', bad], NO_ENV)).toThrow(/--data-advertise/);
    }
  });

  it('parses the application\'s extra flags into appFlags and refuses clashes', () => {
    const extra: FlagSpec[] = [{ name: 'floors', kind: 'int', min: 1, defaultValue: 10, help: 'floors in the building' }];
    expect(parseSchedulerConfig(['--floors', '12'], NO_ENV, { extraFlags: extra }).appFlags).toEqual({ floors: 12 });
    expect(parseSchedulerConfig([], NO_ENV, { extraFlags: extra }).appFlags).toEqual({ floors: 10 });
    expect(() => parseSchedulerConfig(['--floors', '0'], NO_ENV, { extraFlags: extra })).toThrow(/--floors/);
    expect(() => parseSchedulerConfig([], NO_ENV, { extraFlags: [{ name: 'master', kind: 'string', help: '' }] })).toThrow(/clashes/);
  });
});

describe('formatHelp', () => {
  it('lists every flag of the table with its environment variables and default', () => {
    const help = formatHelp();
    for (const spec of SCHEDULER_FLAGS) {
      expect(help).toContain(`--${spec.name}`);
      for (const e of spec.env ?? []) expect(help).toContain(e);
    }
    expect(help).toMatch(/--master <url>.*default local/);
    expect(help).toMatch(/--refuse-seconds <s>.*default 5/);
  });

  it('tells the truth: every default it prints is what parseSchedulerConfig returns', () => {
    const config = parseSchedulerConfig([], NO_ENV) as unknown as Record<string, unknown>;
    for (const spec of SCHEDULER_FLAGS) {
      if (spec.defaultValue === undefined || spec.name === 'help') continue;
      const key = spec.name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
      expect(config[key]).toBe(spec.defaultValue);
    }
  });

  it('adds the application flags section', () => {
    const help = formatHelp({ extraFlags: [{ name: 'floors', kind: 'int', defaultValue: 10, help: 'floors' }] });
    expect(help).toMatch(/Application flags:\n\s+--floors <n>\s+floors \[default 10\]/);
  });
});
