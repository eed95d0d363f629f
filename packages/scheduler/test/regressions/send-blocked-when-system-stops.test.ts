// A scheduler function blocked in schedOut.send() to a task that never reads, when another task
// fails under the stop policy: the pending send rejects with ChannelClosedError and run()
// rejects with the task's TaskError (it used to hang for ever: the send never settled).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ChannelClosedError, TaskError } from '@mesosgot/common/internal';
import { acceptanceSuite, within } from '../support/gotask-acceptance.js';
import { LIFECYCLE_EXECUTOR, fillUntilBlocked, floodUntilRejected, startApp, text } from '../support/lifecycle.js';

const suite = acceptanceSuite('send-blocked-when-system-stops', { lifecycle: LIFECYCLE_EXECUTOR });

describe('GoTaskScheduler: a send blocked when the system stops', () => {
  it('rejects with ChannelClosedError, and run() rejects with the failed task\'s TaskError', async () => {
    let flood: unknown;
    const app = await startApp(suite, {
      spawn: (sched, marks) => {
        sched.spawnTask('stall', 1, { cpus: 0.2, mem: 64 });
        sched.spawnTask('failonmark', 1, { cpus: 0.2, mem: 64 }, { env: { MARK_DIR: marks } });
      },
      schedFunc: async (schedIn, schedOut) => {
        const ready = new Set<string>();
        for await (const m of schedIn) {
          if (text(m.data).startsWith('ready:')) ready.add(m.taskName);
          if (ready.size === 2) break;
        }
        fillUntilBlocked(schedOut, 'stall-0');
        const flooding = floodUntilRejected(schedOut, 'stall-0');
        // The other task fails while this function is stuck sending to stall-0.
        writeFileSync(join(app.scratch.marks, 'fail'), '');
        flood = await flooding;
      },
    });
    const error = await within(60_000, 'run() to settle', app.outcome);
    expect(flood).toBeInstanceOf(ChannelClosedError);
    expect(error).toBeInstanceOf(TaskError);
    expect((error as TaskError).taskId).toBe('failonmark-0');
    expect(app.events.filter((e) => e.type === 'Shutdown')).toHaveLength(1);
  }, 90_000);
});
