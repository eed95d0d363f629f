// A task that never reads stops only the sends addressed to it: a send to another task still
// goes through and is answered (schedOut used to be one queue, so it blocked behind the slow one).
import { describe, expect, it } from '@jest/globals';
import { acceptanceSuite, within } from '../support/gotask-acceptance.js';
import { LIFECYCLE_EXECUTOR, fillUntilBlocked, floodUntilRejected, startApp, text } from '../support/lifecycle.js';

const suite = acceptanceSuite('one-slow-task-blocks-others', { lifecycle: LIFECYCLE_EXECUTOR });

describe('GoTaskScheduler: per-destination flow control', () => {
  it('a send to a healthy task is delivered and answered while another task\'s sends are blocked', async () => {
    let reply = '';
    let blockedAt = 0;
    const app = await startApp(suite, {
      flags: ['--drain-timeout', '1'],
      spawn: (sched) => {
        sched.spawnTask('stall', 1, { cpus: 0.2, mem: 64 });
        sched.spawnTask('echo', 1, { cpus: 0.2, mem: 64 });
      },
      schedFunc: async (schedIn, schedOut) => {
        const it = schedIn[Symbol.asyncIterator]();
        const first = await it.next();
        expect(text(first.value.data)).toMatch(/^ready:/);
        blockedAt = fillUntilBlocked(schedOut, 'stall-0');
        const flooding = floodUntilRejected(schedOut, 'stall-0');
        await within(20_000, 'the send to echo-0', schedOut.send({ taskName: 'echo-0', data: 'ping' }));
        const answer = await within(20_000, 'the reply of echo-0', it.next());
        reply = `${answer.value.taskName} ${text(answer.value.data)}`;
        void flooding;
      },
    });
    const error = await within(60_000, 'run() to settle', app.outcome);
    expect(error).toBeUndefined();
    expect(blockedAt).toBeGreaterThan(0);
    expect(reply).toBe('echo-0 echo-0:4');
  }, 90_000);
});
