// When the scheduler function returns with messages still undelivered after the drain, their
// count is reported (an Error event and a log line) instead of being dropped without a word;
// the drain is configurable (--drain-timeout).
import { describe, expect, it } from '@jest/globals';
import { acceptanceSuite, within } from '../support/gotask-acceptance.js';
import { waitFor } from '@mesosgot/local/testing';
import { LIFECYCLE_EXECUTOR, startApp, text } from '../support/lifecycle.js';

const suite = acceptanceSuite('undelivered-at-end', { lifecycle: LIFECYCLE_EXECUTOR });

describe('GoTaskScheduler: messages lost at the end', () => {
  it('reports how many messages the drain could not deliver, as an event and a log line', async () => {
    let queued = 0;
    const app = await startApp(suite, {
      flags: ['--drain-timeout', '1'],
      spawn: (sched) => sched.spawnTask('stall', 1, { cpus: 0.2, mem: 64 }),
      schedFunc: async (schedIn, schedOut) => {
        for await (const m of schedIn) if (text(m.data).startsWith('ready:')) break;
        void (async () => {
          for (;;) {
            await schedOut.send({ taskName: 'stall-0', data: 'x'.repeat(1024) });
            queued++;
          }
        })().catch(() => undefined); // rejected when schedOut closes as this function returns
        // The executor's link admits at most its receive window (1024) of messages the task
        // never reads; everything accepted beyond that cannot be delivered.
        await waitFor(() => queued >= 1100, { timeoutMs: 20_000, what: 'sends beyond the receive window' });
      },
    });
    const error = await within(60_000, 'run() to settle', app.outcome);
    expect(error).toBeUndefined();
    expect(queued).toBeGreaterThan(0);
    const report = app.events.find((e) => e.type === 'Error' && /not delivered/.test(e.message));
    expect(report).toBeDefined();
    const count = Number(/^(\d+) message/.exec(report!.type === 'Error' ? report!.message : '')?.[1]);
    expect(count).toBeGreaterThan(0);
    expect(app.lines.some((l) => l.startsWith('warn') && l.includes(`${count} message(s)`) && l.includes('--drain-timeout'))).toBe(true);
  }, 90_000);
});
