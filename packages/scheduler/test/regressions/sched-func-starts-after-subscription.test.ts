// The scheduler function starts once the framework is subscribed (README): the first event it
// reads is Registered, even when its first act is a send that produces an Error event (that
// Error used to arrive before Registered, the function having started before subscribing).
import { describe, expect, it } from '@jest/globals';
import type { SchedEvent } from '@mesosgot/scheduler/internal';
import { acceptanceSuite, within } from '../support/gotask-acceptance.js';
import { LIFECYCLE_EXECUTOR, startApp } from '../support/lifecycle.js';

const suite = acceptanceSuite('sched-func-starts-after-subscription', { lifecycle: LIFECYCLE_EXECUTOR });

describe('GoTaskScheduler: when the scheduler function starts', () => {
  it('starts after Registered: its first event is Registered, then the Error of its early send', async () => {
    const seen: SchedEvent['type'][] = [];
    const app = await startApp(suite, {
      spawn: (sched) => sched.spawnTask('echo', 1, { cpus: 0.1, mem: 32 }),
      schedFunc: async (_schedIn, schedOut, schedEvents) => {
        await schedOut.send({ taskName: 'nobody-0', data: 'early' });
        for await (const e of schedEvents) {
          seen.push(e.type);
          if (e.type === 'Error') break;
        }
      },
    });
    expect(await within(60_000, 'run() to settle', app.outcome)).toBeUndefined();
    expect(seen[0]).toBe('Registered');
    expect(seen).toContain('Error');
  }, 90_000);
});
