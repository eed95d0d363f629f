// Regression (found by gotask-acceptance-restart.test.ts): under `--task-failure-policy restart`
// a relaunch goes to a new executor generation, and the retired executor was left running with
// no task until teardown, holding its resources. On an agent with room for one task and one
// executor, the second relaunch then never fit: AllocationPending for ever instead of the third
// failure stopping the framework. Now the retired executor is shut down (SHUTDOWN) as soon as no
// task of ours is left on it — and not before.
import { afterEach, describe, expect, it } from '@jest/globals';
import { type AgentID, type ExecutorID } from '@mesosgot/common';
import { parseResourceFlags } from '@mesosgot/common/internal';
import { waitFor } from '@mesosgot/local/testing';
import { GoTaskScheduler, parseSchedulerConfig, type DriverStatus, type SchedEvent } from '@mesosgot/scheduler';
import { FakeGoTaskDriver, fakeOffer } from '../unit/gotask/fake-gotask-driver.js';

const AGENT = 'cpus:2;mem:1024';

class ShutdownRecordingDriver extends FakeGoTaskDriver {
  readonly shutdowns: string[] = [];
  override async shutdownExecutor(executorId?: ExecutorID, agentId?: AgentID): Promise<DriverStatus> {
    this.shutdowns.push(`${executorId?.value}@${agentId?.value}`);
    return this.driverStatus;
  }
}

let driver: ShutdownRecordingDriver | undefined;
afterEach(async () => {
  await driver?.stop();
  driver = undefined;
});

describe('restart policy: the retired executor', () => {
  it('is shut down once the last task on it ended, not while another task still runs there', async () => {
    let failures = 0;
    const config = parseSchedulerConfig(['--master', 'm:5050', '--executor-command', 'node exec.js', '--task-failure-policy', 'restart', '--max-restarts', '2'], {});
    const sched = new GoTaskScheduler(config, {
      createDriver: (s, info) =>
        (driver = new ShutdownRecordingDriver(s, info, [fakeOffer('O1', 'A1', parseResourceFlags(AGENT))], (t) =>
          t.task_id.value === 'flaky-0' && failures++ === 0 ? 'TASK_FAILED' : 'TASK_RUNNING',
        )),
      drainTimeoutMs: 1_000,
    });
    sched.spawnTask('flaky', 1, { cpus: 0.1 });
    sched.spawnTask('steady', 1, { cpus: 0.1 });
    const events: SchedEvent[] = [];
    let shutdownsWhileSteadyRan: string[] | undefined;
    sched.registerSchedFunc(async (_in, _out, schedEvents) => {
      void (async () => {
        for await (const e of schedEvents) {
          events.push(e);
          if (e.type === 'TaskFailed') driver!.offer([fakeOffer('O2', 'A1', parseResourceFlags(AGENT))]);
        }
      })();
      const running = (id: string): number => events.filter((e) => e.type === 'TaskRunning' && e.taskId === id).length;
      await waitFor(() => running('flaky-0') === 1 && running('steady-0') === 1, { what: 'relaunched flaky-0 and steady-0 running' });
      shutdownsWhileSteadyRan = [...driver!.shutdowns];
      driver!.sendStatus({ task_id: { value: 'steady-0' }, agent_id: { value: 'A1' }, state: 'TASK_FINISHED' });
      await waitFor(() => driver!.shutdowns.length > 0, { what: 'SHUTDOWN of the idle retired executor' });
    });
    await sched.run();

    const launched = events.filter((e): e is Extract<SchedEvent, { type: 'TaskLaunched' }> => e.type === 'TaskLaunched');
    const first = launched.find((e) => e.taskId === 'steady-0')!.executorId;
    // flaky-0's relaunch went to the next generation; steady-0 kept the first executor busy.
    expect(launched.filter((e) => e.taskId === 'flaky-0').map((e) => e.executorId)).toEqual([first, `${first}-1`]);
    expect(shutdownsWhileSteadyRan).toEqual([]);
    expect(driver!.shutdowns).toEqual([`${first}@A1`]);
  });
});
