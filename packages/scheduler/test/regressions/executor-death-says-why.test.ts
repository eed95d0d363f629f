// When an executor dies, the TaskFailed event, the ExecutorLost event, run()'s TaskError and a
// log line carry the end of its stderr (read through the agent's /files/read, as on a real
// cluster) and name its sandbox; before, only "Executor terminated" said anything.
import { describe, expect, it } from '@jest/globals';
import { TaskError } from '@mesosgot/common/internal';
import { acceptanceSuite, within } from '../support/gotask-acceptance.js';
import { LIFECYCLE_EXECUTOR, dieWhenReady, startApp } from '../support/lifecycle.js';

const suite = acceptanceSuite('executor-death-says-why', { lifecycle: LIFECYCLE_EXECUTOR });

describe('GoTaskScheduler: why did the executor die', () => {
  it('TaskFailed, ExecutorLost, the TaskError and the log carry the tail of its stderr and its sandbox', async () => {
    const app = await startApp(suite, {
      spawn: (sched) => sched.spawnTask('diesloud', 1, { cpus: 0.2, mem: 64 }),
      schedFunc: dieWhenReady('diesloud-0'),
    });
    const error = await within(60_000, 'run() to settle', app.outcome);
    expect(error).toBeInstanceOf(TaskError);
    expect((error as Error).message).toContain('last words of diesloud-0');
    const failed = app.events.find((e) => e.type === 'TaskFailed' || e.type === 'TaskLost');
    if (failed?.type !== 'TaskFailed' && failed?.type !== 'TaskLost') throw new Error('no TaskFailed');
    expect(failed.stderrTail).toContain('last words of diesloud-0');
    expect(failed.sandbox).toMatch(/executors\/.+\/runs\//);
    expect((error as Error).message).toContain(failed.sandbox!);
    expect(app.lines.some((l) => l.startsWith('warn') && l.includes('diesloud-0') && l.includes('last words of diesloud-0'))).toBe(true);
  }, 90_000);
});
