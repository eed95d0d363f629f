import { afterEach, describe, expect, it } from '@jest/globals';
import { type TaskMsg } from '@mesosgot/common';
import { encodeTaskSpec } from '@mesosgot/common/internal';
import { waitFor } from '@mesosgot/local/testing';
import { TaskRegistry } from '../../../src/gotask/task-registry.js';
import { TaskRunner } from '../../../src/gotask/task-runner.js';
import type { TaskFunc } from '../../../src/gotask/task-func.js';
import { LinkPair, taskInfo } from './link-pair.js';

let pair: LinkPair | undefined;
const runners: TaskRunner[] = [];

afterEach(async () => {
  for (const r of runners) r.kill('shutdown', 0);
  await Promise.allSettled(runners.map((r) => r.done));
  runners.length = 0;
  await pair?.close();
  pair = undefined;
});

function setup(funcs: Record<string, TaskFunc>): { pair: LinkPair; registry: TaskRegistry } {
  pair = new LinkPair();
  const registry = new TaskRegistry();
  for (const [kind, fn] of Object.entries(funcs)) registry.register(kind, fn);
  return { pair, registry };
}

function start(p: LinkPair, registry: TaskRegistry, ...args: ConstructorParameters<typeof TaskRunner>[0][]): TaskRunner[] {
  return args.map((task) => {
    const runner = new TaskRunner(task, p.host(registry));
    runners.push(runner);
    void runner.start();
    return runner;
  });
}

const echo: TaskFunc = async (input, output) => {
  for await (const msg of input) await output.send({ taskName: 'whatever-the-task-writes', data: `echo:${String(msg.data)}` });
};

describe('TaskRunner', () => {
  it('reports RUNNING, echoes through the link stamped with the task id, and FINISHED when the function returns', async () => {
    const { pair, registry } = setup({ echo });
    pair.collect();
    const [runner] = start(pair, registry, taskInfo('echo-0'));
    await pair.scheduler.send({ taskName: 'echo-0', data: 'hello' });
    await waitFor(() => pair.received.length === 1, { what: 'the echo' });
    expect(pair.received[0]).toEqual({ taskName: 'echo-0', data: 'echo:hello' });
    expect(pair.statesOf('echo-0')).toEqual(['TASK_RUNNING']);
    // Kill closes input: the echo loop ends and the function returns.
    runner!.kill('kill');
    expect(await runner!.start()).toEqual({ state: 'TASK_KILLED', message: 'killed by request' });
  });

  it('passes [taskId, ...spec.args] and the spec env, and flushes output before FINISHED', async () => {
    const seen: { args: string[]; env: Record<string, string> }[] = [];
    const { pair, registry } = setup({
      worker: async (_input, output, args, env) => {
        seen.push({ args, env });
        for (let i = 0; i < 50; i++) await output.send({ taskName: '', data: `m${i}` });
      },
    });
    pair.collect();
    const [runner] = start(pair, registry, taskInfo('worker-3', { data: encodeTaskSpec({ args: ['a', 'b'], env: { K: 'v' } }) }));
    expect(await runner!.start()).toEqual({ state: 'TASK_FINISHED' });
    expect(seen).toEqual([{ args: ['worker-3', 'a', 'b'], env: { K: 'v' } }]);
    expect(pair.statesOf('worker-3')).toEqual(['TASK_RUNNING', 'TASK_FINISHED']);
    // Every message was acknowledged (received by the scheduler side) before the terminal update.
    expect(pair.update('worker-3', 'TASK_FINISHED')!.schedulerReceived).toBe(50);
    await waitFor(() => pair.received.length === 50, { what: '50 messages' });
    expect(pair.received.map((m) => m.data)).toEqual(Array.from({ length: 50 }, (_, i) => `m${i}`));
    expect(new Set(pair.received.map((m) => m.taskName))).toEqual(new Set(['worker-3']));
  });

  it('reports TASK_FAILED with the thrown message (as a TaskError naming the task)', async () => {
    const { pair, registry } = setup({ bad: async () => Promise.reject(new Error('boom at floor 3')) });
    const [runner] = start(pair, registry, taskInfo('bad-0'));
    expect(await runner!.start()).toEqual({ state: 'TASK_FAILED', message: 'task bad-0: boom at floor 3' });
    expect(pair.statesOf('bad-0')).toEqual(['TASK_RUNNING', 'TASK_FAILED']);
  });

  it('reports a synchronous throw and a non-Error rejection as TASK_FAILED too', async () => {
    const { pair, registry } = setup({
      sync: (() => {
        throw new TypeError('not async');
      }) as unknown as TaskFunc,
      str: async () => Promise.reject('plain string'),
    });
    const [a, b] = start(pair, registry, taskInfo('sync-0'), taskInfo('str-0'));
    expect(await a!.start()).toEqual({ state: 'TASK_FAILED', message: 'task sync-0: not async' });
    expect(await b!.start()).toEqual({ state: 'TASK_FAILED', message: 'task str-0: plain string' });
  });

  it('fails an unknown kind without running anything, naming the kind and the registered ones', async () => {
    const { pair, registry } = setup({ floor: echo, elevator: echo });
    const [runner] = start(pair, registry, taskInfo('lift-1'));
    const outcome = await runner!.start();
    expect(outcome).toEqual({ state: 'TASK_FAILED', message: 'task lift-1: no task function registered for kind "lift" (registered: "floor", "elevator")' });
    expect(pair.statesOf('lift-1')).toEqual(['TASK_FAILED']);
  });

  it('fails a task whose TaskInfo.data is not a task spec with the ProtocolError message', async () => {
    const { pair, registry } = setup({ echo });
    const [runner] = start(pair, registry, taskInfo('echo-1', { data: Buffer.from('not json').toString('base64') }));
    const outcome = await runner!.start();
    expect(outcome.state).toBe('TASK_FAILED');
    expect(outcome.message).toContain('TaskInfo.data is not a mesosgot task spec');
  });

  it('on kill closes input and reports TASK_KILLED once the function returns', async () => {
    let sawClose = false;
    const { pair, registry } = setup({
      waiter: async (input) => {
        for await (const _ of input) void _;
        sawClose = true;
      },
    });
    const [runner] = start(pair, registry, taskInfo('waiter-0'));
    await waitFor(() => pair.statesOf('waiter-0').includes('TASK_RUNNING'));
    runner!.kill('kill');
    expect(await runner!.start()).toEqual({ state: 'TASK_KILLED', message: 'killed by request' });
    expect(sawClose).toBe(true);
  });

  it('abandons a function that ignores kill after the TaskInfo kill_policy grace and reports TASK_KILLED', async () => {
    let release!: () => void;
    const stuck = new Promise<void>((resolve) => (release = resolve));
    const { pair, registry } = setup({ stubborn: () => stuck });
    const [runner] = start(pair, registry, taskInfo('stubborn-0', { kill_policy: { grace_period: { nanoseconds: 150_000_000 } } }));
    await waitFor(() => pair.statesOf('stubborn-0').includes('TASK_RUNNING'));
    const killedAt = Date.now();
    runner!.kill('kill');
    const outcome = await runner!.start();
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(140);
    expect(outcome).toEqual({ state: 'TASK_KILLED', message: 'killed by request; the task function did not return within 150 ms and was abandoned' });
    expect(pair.statesOf('stubborn-0')).toEqual(['TASK_RUNNING', 'TASK_KILLED']);
    release();
  });

  it('a task that never reads input does not block another task on the same link', async () => {
    const { pair, registry } = setup({ deaf: () => new Promise<void>(() => undefined), echo });
    pair.collect();
    start(pair, registry, taskInfo('deaf-0'), taskInfo('echo-0'));
    // Far beyond the deaf task's channel (4) plus the link's credit: these sends stall, nobody else does.
    const flood = (async () => {
      for (let i = 0; i < 2_000; i++) await pair.scheduler.send({ taskName: 'deaf-0', data: `x${i}` });
    })();
    flood.catch(() => undefined);
    await waitFor(() => pair.scheduler.stats().messagesSent >= 1_000, { what: 'the flood to fill the deaf task' });
    for (let i = 0; i < 20; i++) await pair.scheduler.send({ taskName: 'echo-0', data: `e${i}` });
    await waitFor(() => pair.received.length === 20, { what: '20 echoes' });
    expect(pair.received.map((m) => m.data)).toEqual(Array.from({ length: 20 }, (_, i) => `echo:e${i}`));
    expect(pair.scheduler.stats().messagesSent).toBeLessThan(2_000);
  });

  it('backpressure: a task whose output the scheduler does not read waits in output.send', async () => {
    let sent = 0;
    const { pair, registry } = setup({
      chatty: async (_input, output) => {
        for (;;) {
          await output.send({ taskName: '', data: 'x' });
          sent++;
        }
      },
    });
    // No collect(): the scheduler side never consumes, so its credit runs out.
    start(pair, registry, taskInfo('chatty-0'));
    await waitFor(() => pair.scheduler.stats().messagesDelivered >= 1_024, { what: 'the receive window to fill' });
    await waitFor(() => sent >= 1_024, { what: 'the task to have sent a window' });
    // The window (1024 unconsumed messages) plus the channel (4), the batch the pump holds (at
    // most the channel's capacity) and the one a refill takes from the waiting send.
    expect(sent).toBeLessThanOrEqual(1_024 + 4 + 4 + 1);
    expect(pair.scheduler.stats().messagesDelivered).toBe(1_024);
  });

  it('fails a task that writes a message the link cannot carry', async () => {
    const { pair, registry } = setup({
      finishes: async (_input, output) => {
        await output.send({ taskName: 'x', data: 42 } as unknown as TaskMsg);
      },
    });
    const [runner] = start(pair, registry, taskInfo('finishes-0'));
    const outcome = await runner!.start();
    expect(outcome.state).toBe('TASK_FAILED');
    expect(outcome.message).toMatch(/^task finishes-0: .*msg\.data/);
  });
});
