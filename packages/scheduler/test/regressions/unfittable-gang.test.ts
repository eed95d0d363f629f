// A task that can never fit on any agent no longer waits in silence: on the embedded cluster,
// whose agents' totals are known, run() rejects at once with UnfittableTaskError naming the task
// and the resource; against offers, AllocationPending lists it (task, demand, largest agent seen)
// with an error log line, and `missing` leaves out zero entries.
import { describe, expect, it } from '@jest/globals';
import { UnfittableTaskError } from '@mesosgot/common/internal';
import { waitFor } from '@mesosgot/local/testing';
import { acceptanceSuite, within } from '../support/gotask-acceptance.js';
import { LIFECYCLE_EXECUTOR, startApp } from '../support/lifecycle.js';

const suite = acceptanceSuite('unfittable-gang', { lifecycle: LIFECYCLE_EXECUTOR });

describe('GoTaskScheduler: a gang that can never fit', () => {
  it('embedded cluster: run() rejects at once with UnfittableTaskError naming the task and what is short', async () => {
    let started = false;
    const app = await startApp(suite, {
      isLocal: false,
      flags: ['--master', 'local', '--local-agents', '1', '--local-agent-resources', 'cpus:0.3;mem:200;disk:100'],
      spawn: (sched) => sched.spawnTask('x', 1, { cpus: 64, mem: 64 }),
      schedFunc: async () => {
        started = true;
      },
    });
    const error = await within(30_000, 'run() to settle', app.outcome);
    expect(error).toBeInstanceOf(UnfittableTaskError);
    expect((error as Error).message).toContain('task "x"');
    expect((error as Error).message).toContain('cpus 64.1 > 0.3');
    expect((error as Error).message).not.toContain('mem');
    expect(started).toBe(false);
  }, 60_000);

  it('offers: AllocationPending names the task that fits no agent seen, with an error line; no zero entries in missing', async () => {
    const app = await startApp(suite, {
      agentResources: 'cpus:1;mem:1024',
      flags: ['--hold-timeout', '1'],
      spawn: (sched) => {
        sched.spawnTask('small', 1, { cpus: 0.2, mem: 64 });
        sched.spawnTask('huge', 1, { cpus: 8, mem: 64 });
      },
      schedFunc: async (schedIn) => {
        for await (const _ of schedIn) void _;
      },
    });
    await waitFor(() => app.events.some((e) => e.type === 'AllocationPending'), { timeoutMs: 30_000, what: 'AllocationPending' });
    await app.sched.stop();
    expect(await app.outcome).toBeUndefined();
    const pending = app.events.find((e) => e.type === 'AllocationPending');
    if (pending?.type !== 'AllocationPending') throw new Error('no AllocationPending');
    expect(pending.shortfall.unfittable).toEqual([
      { name: 'huge', demand: { cpus: 8.1, mem: 128 }, largestAgent: { agentId: expect.any(String), resources: { cpus: 1, mem: 1024 } }, short: ['cpus 8.1 > 1'] },
    ]);
    for (const v of Object.values(pending.shortfall.missing)) expect(v).toBeGreaterThan(0);
    expect(app.lines.some((l) => l.startsWith('error') && l.includes('task "huge" cannot fit on any agent seen so far'))).toBe(true);
  }, 60_000);
});
