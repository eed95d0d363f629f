// GoTask acceptance, on the embedded cluster with real executor processes, through the public
// API only: (1) mesosgot's example runs end to end — the real hello executor, the example's
// scheduler function in-process, order checked per task; (2) kill through teardown — GoTaskScheduler
// has no kill call, so the way a GoTask app kills its tasks is returning from the scheduler
// function: the framework is torn down, every task's input closes and each reports TASK_KILLED.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { waitFor } from '@mesosgot/local/testing';
import { GoTaskScheduler, parseSchedulerConfig, type SchedEvent } from '@mesosgot/scheduler';
import { acceptanceSuite, collectEvents, eventsOf, isAlive, readSandboxes, text, within } from '../support/gotask-acceptance.js';

const HELLO_EXECUTOR = join(import.meta.dirname, '..', '..', '..', '..', 'examples', 'src', 'hello', 'app_executor.ts');

const suite = acceptanceSuite('gotask-acceptance-hello', { hello: HELLO_EXECUTOR });

describe('GoTask acceptance: the hello example and kill through teardown', () => {
  it('runs mesosgot\'s example: 3 × exampleTask1 + 4 × exampleTask2, each hello → go → three messages → goodbye, in order', async () => {
    const config = parseSchedulerConfig(['--executor', suite.bundleOf('hello'), '--local-agents', '2'], {});
    const sched = new GoTaskScheduler(config);
    // Exactly the example's declarations (examples/src/hello/app_scheduler.ts).
    sched.spawnTask('exampleTask1', 3, { cpus: 0.1, mem: 64 }, { args: ['hello'], env: { EXAMPLE_KIND: 'kind 1' } });
    sched.spawnTask('exampleTask2', 4, { cpus: 0.1, mem: 64 }, { args: ['hi'], env: { EXAMPLE_KIND: 'kind 2' } });
    const ids = [...[0, 1, 2].map((i) => `exampleTask1-${i}`), ...[0, 1, 2, 3].map((i) => `exampleTask2-${i}`)];
    const events: SchedEvent[] = [];
    const eventTimes: number[] = [];
    const received = new Map<string, string[]>();
    const goSentAfter = new Map<string, number>();
    sched.registerSchedFunc(async (schedIn, schedOut, schedEvents) => {
      void collectEvents(schedEvents, events, eventTimes);
      let goodbyes = 0;
      await within(20_000, 'seven goodbyes', (async () => {
        for await (const msg of schedIn) {
          const list = received.get(msg.taskName) ?? [];
          list.push(text(msg));
          received.set(msg.taskName, list);
          if (/^(hello|hi) from /.test(text(msg))) {
            goSentAfter.set(msg.taskName, list.length);
            await schedOut.send({ taskName: msg.taskName, data: 'go' });
          }
          if (text(msg).startsWith('goodbye') && ++goodbyes === ids.length) break;
        }
      })());
      // A task's last messages come before its TASK_FINISHED; wait for all seven of those.
      await waitFor(() => eventsOf(events, 'TaskFinished').length === ids.length, { timeoutMs: 15_000, what: 'seven TaskFinished' });
    });
    const started = performance.now();
    await sched.run();

    for (const id of ids) {
      const [greeting, kind] = id.startsWith('exampleTask1') ? ['hello', 'kind 1'] : ['hi', 'kind 2'];
      expect(received.get(id)).toEqual([`${greeting} from ${id} (${kind})`, `${id} message 1`, `${id} message 2`, `${id} message 3`, `goodbye from ${id}`]);
      // The go answered the hello, and only the hello.
      expect(goSentAfter.get(id)).toBe(1);
    }
    expect([...received.keys()].sort()).toEqual([...ids].sort());
    // Per task: launched, running, finished — once each, in that order; nothing failed.
    for (const id of ids) {
      const mine = events.filter((e) => 'taskId' in e && e.taskId === id).map((e) => e.type);
      expect(mine).toEqual(['TaskLaunched', 'TaskRunning', 'TaskFinished']);
    }
    expect(events[0]!.type).toBe('Registered');
    expect(events.at(-1)!.type).toBe('Shutdown');
    expect(events.filter((e) => e.type === 'Error' || e.type === 'TaskFailed' || e.type === 'AllocationPending')).toEqual([]);
    // All or nothing: every TaskLaunched arrives before any task runs.
    const lastLaunch = events.findLastIndex((e) => e.type === 'TaskLaunched');
    const firstRunning = events.findIndex((e) => e.type === 'TaskRunning');
    expect(lastLaunch).toBeLessThan(firstRunning);
    const running = events.map((e, i) => [e, eventTimes[i]!] as const).filter(([e]) => e.type === 'TaskRunning');
    process.stdout.write(`[gotask-acceptance] hello: run() → all ${ids.length} RUNNING in ${Math.round(running.at(-1)![1] - started)} ms\n`);
  }, 30_000);

  it('runs the hello example in protobuf: the master streams and the executors subscribe as application/x-protobuf', async () => {
    const s = await suite.scratch('gotask-acceptance-protobuf');
    const probe = suite.probe({ workDir: s.work });
    const config = parseSchedulerConfig(['--executor', suite.bundleOf('hello'), '--local-agents', '2', '--content-type', 'protobuf'], {});
    const sched = new GoTaskScheduler(config, { localCluster: probe.starter });
    sched.spawnTask('exampleTask1', 3, { cpus: 0.1, mem: 64 }, { args: ['hello'], env: { EXAMPLE_KIND: 'kind 1' } });
    const seen = { master: [] as string[], executors: [] as string[] };
    const goodbyes: string[] = [];
    sched.registerSchedFunc(async (schedIn, schedOut, schedEvents) => {
      void collectEvents(schedEvents, []);
      await within(20_000, 'three goodbyes', (async () => {
        for await (const msg of schedIn) {
          if (/^hello from /.test(text(msg))) await schedOut.send({ taskName: msg.taskName, data: 'go' });
          if (text(msg).startsWith('goodbye') && goodbyes.push(msg.taskName) === 3) break;
        }
      })());
      const cluster = probe.cluster!;
      for (const framework of cluster.master.state.frameworks.all()) seen.master.push(framework.subscription?.contentType ?? 'none');
      for (const agent of cluster.agents) for (const e of agent.executors()) seen.executors.push(e.contentType ?? 'none');
    });
    await sched.run();
    expect(goodbyes.sort()).toEqual(['exampleTask1-0', 'exampleTask1-1', 'exampleTask1-2']);
    expect(seen.master).toEqual(['protobuf']);
    expect(seen.executors.length).toBeGreaterThan(0);
    expect(new Set(seen.executors)).toEqual(new Set(['protobuf']));
  }, 30_000);

  it('kills every task when the scheduler function returns: inputs close, each reports TASK_KILLED, no executor process is left', async () => {
    const s = await suite.scratch('gotask-acceptance-kill');
    const probe = suite.probe({ workDir: s.work });
    const config = parseSchedulerConfig(['--executor', suite.bundle, '--local-agents', '2', '--local-agent-resources', 'cpus:1;mem:1024'], {});
    const sched = new GoTaskScheduler(config, { localCluster: probe.starter });
    // 0.1 executor + 2 × 0.4 per agent: the four waiters need both agents (two executors).
    sched.spawnTask('waiter', 4, { cpus: 0.4, mem: 64 }, { env: { MARK_DIR: s.marks } });
    const ids = [0, 1, 2, 3].map((i) => `waiter-${i}`);
    const events: SchedEvent[] = [];
    const hellos = new Map<string, number>();
    sched.registerSchedFunc(async (schedIn, _schedOut, schedEvents) => {
      void collectEvents(schedEvents, events);
      await within(15_000, 'four hellos', (async () => {
        for await (const msg of schedIn) {
          hellos.set(msg.taskName, Number(text(msg).slice('hello:'.length)));
          if (hellos.size === ids.length) break;
        }
      })());
      await waitFor(() => eventsOf(events, 'TaskRunning').length === ids.length, { timeoutMs: 10_000, what: 'four TaskRunning' });
      // Nobody has closed a task's input yet.
      for (const id of ids) expect(existsSync(join(s.marks, `${id}.closed`))).toBe(false);
      // Returning is the kill: run() tears the framework down.
    });
    await sched.run();

    expect(probe.stopped).toBe(true);
    for (const id of ids) expect(existsSync(join(s.marks, `${id}.closed`))).toBe(true);
    const sandboxes = await readSandboxes(s.work);
    expect(sandboxes).toHaveLength(2);
    expect(new Set(hellos.values())).toEqual(new Set(sandboxes.map((x) => x.pid)));
    const finalStates = new Map<string, string>();
    for (const box of sandboxes) {
      expect(box.updates.some((u) => u.event === 'shutdown')).toBe(true);
      for (const u of box.updates) if (u.taskId !== undefined) finalStates.set(u.taskId, `${u.state}: ${u.message}`);
      expect(isAlive(box.pid)).toBe(false);
    }
    expect(Object.fromEntries(finalStates)).toEqual(Object.fromEntries(ids.map((id) => [id, 'TASK_KILLED: killed by executor shutdown'])));
    expect(events.at(-1)).toEqual({ type: 'Shutdown', reason: 'the scheduler function returned' });
    expect(eventsOf(events, 'TaskFailed')).toEqual([]);
  }, 30_000);
});
