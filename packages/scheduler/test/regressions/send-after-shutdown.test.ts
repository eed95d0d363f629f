// Sending after Shutdown rejects with ChannelClosedError, as README promises for a closed
// channel (it used to resolve and emit one Error event per message).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ChannelClosedError, TaskError } from '@mesosgot/common/internal';
import { acceptanceSuite, within } from '../support/gotask-acceptance.js';
import { LIFECYCLE_EXECUTOR, startApp, text } from '../support/lifecycle.js';

const suite = acceptanceSuite('send-after-shutdown', { lifecycle: LIFECYCLE_EXECUTOR });

describe('GoTaskScheduler: sending after Shutdown', () => {
  it('rejects every send with ChannelClosedError and adds no Error events', async () => {
    const results: unknown[] = [];
    let errorsBefore = -1;
    const app = await startApp(suite, {
      spawn: (sched, marks) => {
        sched.spawnTask('failonmark', 1, { cpus: 0.2, mem: 64 }, { env: { MARK_DIR: marks } });
        sched.spawnTask('echo', 1, { cpus: 0.2, mem: 64 });
      },
      schedFunc: async (schedIn, schedOut, schedEvents) => {
        for await (const m of schedIn) if (text(m.data).startsWith('ready:')) break;
        writeFileSync(join(app.scratch.marks, 'fail'), '');
        for await (const e of schedEvents) if (e.type === 'Shutdown') break;
        errorsBefore = app.events.filter((e) => e.type === 'Error').length;
        for (let i = 0; i < 100; i++) {
          results.push(await schedOut.send({ taskName: 'echo-0', data: `late ${i}` }).then(() => 'resolved', (error: unknown) => error));
        }
      },
    });
    const error = await within(60_000, 'run() to settle', app.outcome);
    expect(error).toBeInstanceOf(TaskError);
    expect(results).toHaveLength(100);
    for (const r of results) expect(r).toBeInstanceOf(ChannelClosedError);
    expect(app.events.filter((e) => e.type === 'Error').length).toBe(errorsBefore);
  }, 90_000);
});
