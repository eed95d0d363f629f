// A fatal refusal ends run(): a wrong secret (401) makes run() reject with the driver's error
// (MesosHttpError 401) and says so in an error log line (it used to leave one Error event and
// hang); the scheduler function never starts.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { MesosHttpError } from '@mesosgot/common/internal';
import { LocalCluster } from '@mesosgot/local';
import { acceptanceSuite, within } from '../support/gotask-acceptance.js';
import { LIFECYCLE_EXECUTOR, startApp } from '../support/lifecycle.js';

const suite = acceptanceSuite('driver-gives-up-run-does-not', { lifecycle: LIFECYCLE_EXECUTOR });
let cluster: LocalCluster | undefined;
let dir: string | undefined;

afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('GoTaskScheduler: the driver gives up', () => {
  it('a wrong secret (401): run() rejects with the MesosHttpError, logged, without starting the scheduler function', async () => {
    cluster = new LocalCluster({ agents: 1, credentials: [{ principal: 'app', secret: 'right' }] });
    const master = await cluster.start();
    dir = await mkdtemp(join(tmpdir(), 'driver-gives-up-'));
    await writeFile(join(dir, 'secret'), 'wrong\n');
    let started = false;
    const app = await startApp(suite, {
      isLocal: false,
      flags: ['--master', master, '--principal', 'app', '--secret-file', join(dir, 'secret')],
      spawn: (sched) => sched.spawnTask('echo', 1, { cpus: 0.1, mem: 32 }),
      schedFunc: async () => {
        started = true;
      },
    });
    const error = await within(30_000, 'run() to settle', app.outcome);
    expect(error).toBeInstanceOf(MesosHttpError);
    expect((error as MesosHttpError).status).toBe(401);
    expect(started).toBe(false);
    expect(app.lines.some((l) => l.startsWith('error') && l.includes('401'))).toBe(true);
    expect(app.events.filter((e) => e.type === 'Shutdown')).toHaveLength(1);
  }, 60_000);
});
