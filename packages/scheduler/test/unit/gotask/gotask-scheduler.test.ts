import { describe, it, expect, afterEach } from '@jest/globals';
import { InvalidArgumentError, TaskError, type TaskMsg } from '@mesosgot/common';
import { decodeTaskSpec, parseResourceFlags } from '@mesosgot/common/internal';
import { waitFor } from '@mesosgot/local/testing';
import { GoTaskScheduler, parseSchedulerConfig, startEmbeddedCluster, type SchedEvent, type SchedulerConfig } from '../../../src/internal.js';
import { FakeGoTaskDriver, fakeOffer } from './fake-gotask-driver.js';

const AGENT = 'cpus:2;mem:1024;ports:[31000-31010]';
let driver: FakeGoTaskDriver | undefined;
afterEach(async () => {
  await driver?.stop();
  driver = undefined;
});

function config(extra: string[] = []): SchedulerConfig {
  return parseSchedulerConfig(['--master', 'm:5050', '--executor-command', 'node exec.js', '--hold-timeout', '30', ...extra], {});
}

function scheduler(cfg: SchedulerConfig, offers = [fakeOffer('O1', 'A1', parseResourceFlags(AGENT)), fakeOffer('O2', 'A2', parseResourceFlags(AGENT))], firstState?: ConstructorParameters<typeof FakeGoTaskDriver>[3]): GoTaskScheduler {
  return new GoTaskScheduler(cfg, {
    createDriver: (s, info) => (driver = new FakeGoTaskDriver(s, info, offers, firstState)),
    drainTimeoutMs: 2_000,
  });
}

/** Collects every event until the channel closes. */
function collectEvents(events: AsyncIterable<SchedEvent>, into: SchedEvent[]): Promise<void> {
  return (async () => {
    for await (const e of events) into.push(e);
  })();
}

describe('GoTaskScheduler', () => {
  it('refuses bad declarations at the call with InvalidArgumentError', () => {
    const s = scheduler(config());
    expect(() => s.spawnTask('', 1, { cpus: 1 })).toThrow(InvalidArgumentError);
    expect(() => s.spawnTask('a/b', 1, { cpus: 1 })).toThrow(/name/);
    expect(() => s.spawnTask('floor', 0, { cpus: 1 })).toThrow(/floor.count/);
    expect(() => s.spawnTask('floor', 1, { cpus: -1 })).toThrow(/floor.resources.cpus/);
    expect(() => s.spawnTask('floor', 1, {})).toThrow(/needs some resources/);
    expect(() => s.spawnTasks([{ name: 'x', count: 1, resources: { cpus: 1 } }, { name: 'x', count: 2, resources: { cpus: 1 } }])).toThrow(/already spawned/);
    // The failed batch added nothing: 'x' is still free.
    s.spawnTask('x', 1, { cpus: 1 });
    expect(() => s.spawnTask('x', 1, { cpus: 1 })).toThrow(/already spawned/);
    expect(() => s.registerSchedFunc(42 as never)).toThrow(InvalidArgumentError);
    expect(() => s.registerSchedTask({} as never)).toThrow(InvalidArgumentError);
  });

  it('run() refuses, before any I/O, a missing scheduler function or executor', async () => {
    const noFunc = scheduler(config());
    await expect(noFunc.run()).rejects.toThrow(/scheduler function/);
    const noExec = scheduler(parseSchedulerConfig(['--master', 'm:5050'], {}));
    noExec.spawnTask('t', 1, { cpus: 1 });
    noExec.registerSchedFunc(async () => {});
    await expect(noExec.run()).rejects.toThrow(/--executor/);
    expect(driver).toBeUndefined();
  });

  it('--master local uses the embedded cluster starter by default', () => {
    // Constructing must not start anything; the default starter is wired in at run().
    const local = new GoTaskScheduler(parseSchedulerConfig(['--executor-command', 'x'], {}));
    expect(local.config.master).toBe('local');
    expect(typeof startEmbeddedCluster).toBe('function');
  });

  it('launches all tasks at once, one executor per agent, and carries messages both ways', async () => {
    const s = scheduler(config());
    s.spawnTask('floor', 3, { cpus: 0.5, mem: 100 }, { args: ['up'], env: { LEVEL: '1' } });
    s.spawnTask('car', 2, { cpus: 0.4, mem: 100, ports: 1 });
    const events: SchedEvent[] = [];
    const replies: TaskMsg[] = [];
    s.registerSchedFunc(async (schedIn, schedOut, schedEvents) => {
      const seen = collectEvents(schedEvents, events);
      for (const id of ['floor-0', 'floor-1', 'floor-2', 'car-0', 'car-1']) await schedOut.send({ taskName: id, data: `hi ${id}` });
      for await (const m of schedIn) {
        replies.push(m);
        if (replies.length === 5) break;
      }
      void seen;
    });
    await s.run();
    expect(replies.map((m) => `${m.taskName}=${String(m.data)}`).sort()).toEqual([
      'car-0=:hi car-0',
      'car-1=:hi car-1',
      'floor-0=up:hi floor-0',
      'floor-1=up:hi floor-1',
      'floor-2=up:hi floor-2',
    ]);
    const d = driver!;
    // One ACCEPT per agent, everything in the first round (all or nothing).
    expect(d.accepts).toHaveLength(2);
    const byAgent = new Map<string, Set<string>>();
    for (const t of d.launched) {
      const set = byAgent.get(t.agent_id.value) ?? new Set();
      set.add(t.executor!.executor_id.value);
      byAgent.set(t.agent_id.value, set);
      expect(t.name).toBe(t.task_id.value);
      expect(t.executor!.command!.value).toBe('node exec.js');
    }
    for (const ids of byAgent.values()) expect(ids.size).toBe(1);
    const floor0 = d.launched.find((t) => t.task_id.value === 'floor-0')!;
    expect(decodeTaskSpec(floor0.data)).toEqual({ args: ['up'], env: { LEVEL: '1' } });
    expect(d.calls).toContain('suppress');
    expect(d.calls).toContain('stop');
    await waitFor(() => events.some((e) => e.type === 'Shutdown'));
    expect(events[0]).toMatchObject({ type: 'Registered', frameworkId: 'F1' });
    expect(events.filter((e) => e.type === 'TaskLaunched')).toHaveLength(5);
    expect(events.filter((e) => e.type === 'TaskRunning')).toHaveLength(5);
  });

  it('holds offers that cannot fit the whole gang, reports AllocationPending, launches when more arrive', async () => {
    const small = [fakeOffer('O1', 'A1', parseResourceFlags('cpus:1;mem:1024'))];
    const s = scheduler(config(), small);
    // One agent holds the executor (0.1) and two 0.4 tasks; the third needs a second agent.
    s.spawnTask('w', 3, { cpus: 0.4, mem: 10 });
    const events: SchedEvent[] = [];
    s.registerSchedFunc(async (_in, _out, schedEvents) => {
      for await (const e of schedEvents) {
        events.push(e);
        if (e.type === 'AllocationPending') {
          expect(driver!.accepts).toHaveLength(0);
          driver!.offer([fakeOffer('O2', 'A2', parseResourceFlags('cpus:1;mem:1024'))]);
        }
        if (events.filter((x) => x.type === 'TaskRunning').length === 3) return;
      }
    });
    await s.run();
    const pending = events.find((e) => e.type === 'AllocationPending');
    expect(pending).toMatchObject({ type: 'AllocationPending', shortfall: { unplaced: [{ name: 'w', count: 1 }], offersHeld: 1 } });
    expect(driver!.accepts).toHaveLength(2);
    expect(driver!.accepts.flatMap((a) => a.offerIds).sort()).toEqual(['O1', 'O2']);
  });

  it('reports a message to an unknown task as an Error event, never a silent drop', async () => {
    const s = scheduler(config());
    s.spawnTask('t', 1, { cpus: 0.1 });
    const errors: SchedEvent[] = [];
    s.registerSchedFunc(async (_in, out, schedEvents) => {
      await out.send({ taskName: 'nobody-7', data: 'x' });
      for await (const e of schedEvents) {
        if (e.type === 'Error') {
          errors.push(e);
          return;
        }
      }
    });
    await s.run();
    expect(errors[0]).toMatchObject({ type: 'Error', message: expect.stringContaining('nobody-7') });
  });

  it('policy restart relaunches a failed task and says so in TaskFailed', async () => {
    let failures = 0;
    const s = scheduler(config(['--task-failure-policy', 'restart', '--max-restarts', '2']), undefined, (t) =>
      t.task_id.value === 'flaky-0' && failures++ === 0 ? 'TASK_FAILED' : 'TASK_RUNNING',
    );
    s.spawnTask('flaky', 1, { cpus: 0.1 });
    const events: SchedEvent[] = [];
    s.registerSchedFunc(async (_in, _out, schedEvents) => {
      for await (const e of schedEvents) {
        events.push(e);
        if (e.type === 'TaskFailed') driver!.offer([fakeOffer('O9', 'A1', parseResourceFlags(AGENT))]);
        if (e.type === 'TaskRunning') return;
      }
    });
    await s.run();
    expect(events.find((e) => e.type === 'TaskFailed')).toMatchObject({ taskId: 'flaky-0', willRestart: true, message: 'task flaky-0: boom' });
    expect(driver!.launched.map((t) => t.task_id.value)).toEqual(['flaky-0', 'flaky-0']);
    // The relaunch goes to a new executor (its old one closed the task's stream).
    const [first, second] = driver!.launched.map((t) => t.executor!.executor_id.value);
    expect(second).toBe(`${first}-1`);
    expect(driver!.calls).toContain('revive');
  });

  it('policy stop: a failed task ends schedIn, emits Shutdown and run() rejects with TaskError after teardown', async () => {
    const s = scheduler(config(), undefined, (t) => (t.task_id.value === 'bad-0' ? 'TASK_FAILED' : 'TASK_RUNNING'));
    s.spawnTask('bad', 1, { cpus: 0.1 });
    s.spawnTask('good', 1, { cpus: 0.1 });
    const events: SchedEvent[] = [];
    s.registerSchedFunc(async (schedIn, _out, schedEvents) => {
      void collectEvents(schedEvents, events);
      for await (const _ of schedIn) void _;
    });
    const err = await s.run().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TaskError);
    expect((err as TaskError).taskId).toBe('bad-0');
    expect(driver!.calls).toContain('stop');
    await waitFor(() => events.some((e) => e.type === 'Shutdown'));
    expect(events.find((e) => e.type === 'TaskFailed')).toMatchObject({ willRestart: false });
  });

  it('a scheduler function that throws makes run() reject with TaskError carrying the cause, after teardown', async () => {
    const s = scheduler(config());
    s.spawnTask('t', 1, { cpus: 0.1 });
    const boom = new Error('app bug');
    s.registerSchedTask({ run: async () => Promise.reject(boom) });
    const err = (await s.run().catch((e: unknown) => e)) as TaskError;
    expect(err).toBeInstanceOf(TaskError);
    expect(err.cause).toBe(boom);
    expect(driver!.calls).toContain('stop');
  });

  it('messages sent while disconnected are delivered exactly once after the re-subscribe', async () => {
    const s = scheduler(config());
    s.spawnTask('e', 1, { cpus: 0.1 });
    const replies: string[] = [];
    s.registerSchedFunc(async (schedIn, schedOut, schedEvents) => {
      for await (const e of schedEvents) if (e.type === 'TaskRunning') break;
      await schedOut.send({ taskName: 'e-0', data: 'before' });
      const first = await schedIn.receive();
      replies.push(String(first.value!.data));
      // The master drops framework messages while we are away (docs/protocol.md, "Framework messages").
      driver!.dropFrames = true;
      await driver!.scheduler.disconnected?.(driver!);
      for (let i = 0; i < 20; i++) await schedOut.send({ taskName: 'e-0', data: `m${i}` });
      await waitFor(() => driver!.droppedFrames > 0, { what: 'frames lost while disconnected' });
      driver!.dropFrames = false;
      await driver!.scheduler.reregistered?.(driver!, { id: 'm', ip: 1, port: 5050 });
      for await (const m of schedIn) {
        replies.push(String(m.data));
        if (replies.length === 21) return;
      }
    });
    await s.run();
    expect(replies).toEqual([':before', ...Array.from({ length: 20 }, (_, i) => `:m${i}`)]);
  });
});
