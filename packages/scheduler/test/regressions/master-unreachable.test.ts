// An unreachable master: every failed attempt is visible (a Reconnecting event and a log line
// with the cause and the next retry time), the scheduler function never starts (it used to run
// at once and run() resolved without ever registering), and --connect-timeout gives up: run()
// rejects with TimeoutError naming the master and the last failure.
import { describe, expect, it } from '@jest/globals';
import { TimeoutError } from '@mesosgot/common/internal';
import { acceptanceSuite, within } from '../support/gotask-acceptance.js';
import { LIFECYCLE_EXECUTOR, startApp } from '../support/lifecycle.js';

const suite = acceptanceSuite('master-unreachable', { lifecycle: LIFECYCLE_EXECUTOR });

describe('GoTaskScheduler: master unreachable', () => {
  it('reports each failed attempt, never starts the scheduler function, and gives up at --connect-timeout', async () => {
    let started = false;
    const app = await startApp(suite, {
      isLocal: false,
      flags: ['--master', '127.0.0.1:1', '--connect-timeout', '3'],
      options: { driverOptions: { backoff: { initialMs: 200, maxMs: 500 } } },
      spawn: (sched) => sched.spawnTask('echo', 1, { cpus: 0.1, mem: 32 }),
      schedFunc: async () => {
        started = true;
      },
    });
    const error = await within(30_000, 'run() to give up', app.outcome);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toContain('127.0.0.1:1');
    expect((error as Error).message).toMatch(/ECONNREFUSED|connect/i);
    expect(started).toBe(false);
    const retries = app.events.filter((e) => e.type === 'Reconnecting');
    expect(retries.length).toBeGreaterThanOrEqual(2);
    for (const r of retries) {
      if (r.type !== 'Reconnecting') continue;
      expect(r.cause).toMatch(/ECONNREFUSED|connect/i);
      expect(Date.parse(r.retryAt)).toBeGreaterThan(0);
    }
    const warned = app.lines.filter((l) => l.startsWith('warn') && l.includes('unreachable') && /retrying in \d/.test(l));
    expect(warned.length).toBe(retries.length);
    expect(app.events.filter((e) => e.type === 'Shutdown')).toHaveLength(1);
  }, 60_000);
});
