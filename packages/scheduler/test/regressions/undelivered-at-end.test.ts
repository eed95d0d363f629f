// When the scheduler function returns with messages still undelivered after the drain, their
// count is reported (an Error event and a log line) instead of being dropped without a word;
// the drain is configurable (--drain-timeout).
import { describe, expect, it } from '@jest/globals';
import { acceptanceSuite, within } from '../support/gotask-acceptance.js';
import { waitFor } from '@mesosgot/local/testing';
import { LIFECYCLE_EXECUTOR, startApp, text } from '../support/lifecycle.js';
import { DEFAULT_CHANNEL_CAPACITY, DEFAULT_RECEIVE_WINDOW } from '@mesosgot/common/internal';

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
        // Once more messages were accepted than the executor side can ever hold for a task that
        // never reads, some cannot be delivered. It holds at most the link's receive window plus
        // three channels (its input channel, the thread bridge's window, the task's channel) and
        // a message in hand at each hop; the scheduler side queues one more channel, so the
        // senders get past this bound.
        const executorHolds = DEFAULT_RECEIVE_WINDOW + 3 * DEFAULT_CHANNEL_CAPACITY + 16;
        await waitFor(() => queued > executorHolds, { timeoutMs: 30_000, what: `more than ${executorHolds} sends accepted` });
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
