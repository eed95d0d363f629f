// Smaller truths of run()'s ending: Shutdown is delivered once (it came twice, under both
// policies); its reason says the scheduler function threw when it did (it said "returned"); a
// task failure names the task once ("task bad-0: TASK_FAILED: task bad-0: …" repeated it).
import { afterEach, describe, expect, it } from '@jest/globals';
import { TaskError, parseResourceFlags } from '@mesosgot/common/internal';
import { SILENT_LOGGER } from '@mesosgot/common/internal';
import { GoTaskScheduler, parseSchedulerConfig, type SchedEvent } from '@mesosgot/scheduler/internal';
import { FakeGoTaskDriver, fakeOffer } from '../unit/gotask/fake-gotask-driver.js';

let driver: FakeGoTaskDriver | undefined;
afterEach(async () => {
  await driver?.stop();
  driver = undefined;
});

function scheduler(events: SchedEvent[], policy = 'stop', failing = ''): GoTaskScheduler {
  const config = parseSchedulerConfig(['--master', 'm:5050', '--executor-command', 'node exec.js', '--task-failure-policy', policy, '--max-restarts', '0'], {});
  const offers = [fakeOffer('O1', 'A1', parseResourceFlags('cpus:2;mem:1024'))];
  return new GoTaskScheduler(config, {
    createDriver: (s, info) => (driver = new FakeGoTaskDriver(s, info, offers, (t) => (t.task_id.value === failing ? 'TASK_FAILED' : 'TASK_RUNNING'))),
    drainTimeoutMs: 1_000,
    logger: SILENT_LOGGER,
    onEvent: (e) => events.push(e),
  });
}

const shutdowns = (events: SchedEvent[]): string[] => events.flatMap((e) => (e.type === 'Shutdown' ? [e.reason] : []));

describe('GoTaskScheduler: how run() ends', () => {
  it.each([['stop'], ['restart']])('policy %s, a task fails: one Shutdown, and the task is named once', async (policy) => {
    const events: SchedEvent[] = [];
    const s = scheduler(events, policy, 'bad-0');
    s.spawnTask('bad', 1, { cpus: 0.1 });
    s.spawnTask('good', 1, { cpus: 0.1 });
    s.registerSchedFunc(async (schedIn) => {
      for await (const _ of schedIn) void _;
    });
    const error = (await s.run().catch((e: unknown) => e)) as TaskError;
    expect(error).toBeInstanceOf(TaskError);
    expect(error.message.match(/task bad-0/g)).toHaveLength(1);
    expect(shutdowns(events)).toHaveLength(1);
  });

  it('the scheduler function returns: one Shutdown, saying it returned', async () => {
    const events: SchedEvent[] = [];
    const s = scheduler(events);
    s.spawnTask('good', 1, { cpus: 0.1 });
    s.registerSchedFunc(async () => undefined);
    await s.run();
    expect(shutdowns(events)).toEqual(['the scheduler function returned']);
  });

  it('the scheduler function throws: one Shutdown, saying it threw and why', async () => {
    const events: SchedEvent[] = [];
    const s = scheduler(events);
    s.spawnTask('good', 1, { cpus: 0.1 });
    s.registerSchedFunc(async () => {
      throw new Error('app bug');
    });
    await expect(s.run()).rejects.toThrow('app bug');
    const reasons = shutdowns(events);
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toContain('threw');
    expect(reasons[0]).toContain('app bug');
  });
});
