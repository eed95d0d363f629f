import { getEventListeners } from 'node:events';
import { describe, it, expect } from '@jest/globals';
import { Channel, InvalidArgumentError, ProtocolError, type TaskMsg } from '@mesosgot/common';
import { ReliableLink, decodeTaskSpec, parseResourceMap } from '@mesosgot/common/internal';
import { waitFor } from '@mesosgot/local/testing';
import {
  MessagePump,
  TaskTable,
  buildExecutorInfo,
  buildTaskInfo,
  executorIdFor,
  type SchedEvent,
} from '../../../src/internal.js';
import { SchedEventQueue } from '../../../src/gotask/sched-event-queue.js';
import { SchedOut, type Destination } from '../../../src/gotask/sched-out.js';
import { runtimeGangTasks } from '../../../src/gotask/gang-discovery.js';
import { AgentSizes } from '../../../src/gotask/agent-sizes.js';
import { GANG_LABEL, readGangLabels } from '../../../src/gotask/gang-labels.js';

describe('TaskTable', () => {
  it('declares ids <name>-<index> with frozen args and env, all groups or none', () => {
    const t = new TaskTable();
    const added = t.addAll([
      { name: 'floor', count: 2, resources: { cpus: 0.1 }, args: ['a'], env: { K: 'v' } },
      { name: 'car', count: 1, resources: { mem: 10 } },
    ]);
    expect(added.map((e) => e.id)).toEqual(['floor-0', 'floor-1', 'car-0']);
    expect(Object.isFrozen(t.get('floor-1')!.args)).toBe(true);
    expect(() => t.addAll([{ name: 'ok', count: 1, resources: { cpus: 1 } }, { name: 'bad', count: 1.5, resources: { cpus: 1 } }])).toThrow(/bad.count/);
    expect(t.get('ok-0')).toBeUndefined();
    expect(() => t.addAll([{ name: 'floor', count: 1, resources: { cpus: 1 } }])).toThrow(/already spawned/);
    expect(() => t.addAll([{ name: 'e', count: 1, resources: { cpus: 1 }, env: { A: 1 as unknown as string } }])).toThrow(InvalidArgumentError);
  });

  it('never moves a task backwards when a status update overtakes the ACCEPT answer', () => {
    const t = new TaskTable();
    const [e] = t.addAll([{ name: 'x', count: 1, resources: { cpus: 1 } }]);
    e!.phase = 'launching';
    t.applyStatus({ task_id: { value: 'x-0' }, state: 'TASK_RUNNING', agent_id: { value: 'A' } });
    t.markLaunched(e!, 'A', 'E');
    expect(e!.phase).toBe('running');
    expect(e!.executorId).toBe('E');
  });

  it('whenLaunched resolves on launch, on a terminal update, or on abort', async () => {
    const t = new TaskTable();
    const [a, b, c] = t.addAll([{ name: 'w', count: 3, resources: { cpus: 1 } }]);
    const ac = new AbortController();
    let done = 0;
    void t.whenLaunched(a!, ac.signal).then(() => done++);
    void t.whenLaunched(b!, ac.signal).then(() => done++);
    void t.whenLaunched(c!, ac.signal).then(() => done++);
    t.markLaunched(a!, 'A', 'E');
    t.applyStatus({ task_id: { value: 'w-1' }, state: 'TASK_ERROR' });
    await waitFor(() => done === 2);
    ac.abort();
    await waitFor(() => done === 3);
  });
});

describe('launch-builder', () => {
  it('builds one custom executor fetched from the artifact server and TaskInfos carrying the spec', () => {
    const id = executorIdFor('my app', 'S1', 0);
    expect(id).toBe('my_app-executor-S1');
    expect(executorIdFor('app', 'S1', 2)).toBe('app-executor-S1-2');
    const info = buildExecutorInfo(id, 'app', { kind: 'artifact', url: 'http://h:1/x.mjs', fileName: 'x.mjs', nodeCommand: '/usr/bin/node' }, []);
    expect(info).toMatchObject({
      type: 'CUSTOM',
      executor_id: { value: id },
      command: { value: '/usr/bin/node x.mjs', shell: true, uris: [{ value: 'http://h:1/x.mjs', extract: false, output_file: 'x.mjs' }] },
    });
    const table = new TaskTable();
    const [task] = table.addAll([{ name: 'floor', count: 1, resources: { cpus: 1 }, args: ['--up'], env: { A: 'b' } }]);
    const ti = buildTaskInfo(task!, 'S1', parseResourceMap({ cpus: 1 }).resources, info);
    expect(ti).toMatchObject({ name: 'floor-0', task_id: { value: 'floor-0' }, agent_id: { value: 'S1' }, executor: info });
    expect(decodeTaskSpec(ti.data)).toEqual({ args: ['--up'], env: { A: 'b' } });
  });
});

describe('gang labels and discovery', () => {
  it("a runtime gang's TaskInfo labels give a successor its gang, policy, kind, index, resources and spec", () => {
    const table = new TaskTable();
    table.addAll([{ name: 'w', count: 2, resources: { cpus: 0.5 } }]);
    const [task] = table.addAll([{ name: 'w', count: 1, resources: { cpus: 0.5 }, args: ['x'], env: { K: 'v' } }], 3, true);
    const info = buildExecutorInfo('e', 'app', { kind: 'command', command: 'true' }, []);
    const resources = parseResourceMap({ cpus: 0.5 }).resources;
    const ti = buildTaskInfo(task!, 'S1', resources, info, 'isolate');
    expect(readGangLabels(ti.labels)).toEqual({ gang: 3, policy: 'isolate', spec: ti.data });
    // Gang 0 names its gang but carries no spec: a successor declares it itself.
    const ti0 = buildTaskInfo(table.get('w-0')!, 'S1', resources, info);
    expect(readGangLabels(ti0.labels)).toEqual({ gang: 0, policy: undefined, spec: undefined });
    // What a master's GET_TASKS lists: role and allocation stamped on, no data.
    const listed = (id: string, labels: typeof ti.labels, state = 'TASK_RUNNING', fw = 'F1') => ({
      task_id: { value: id },
      framework_id: { value: fw },
      state: state as 'TASK_RUNNING',
      labels,
      resources: resources.map((r) => ({ ...r, role: '*', allocation_info: { role: '*' } })),
    });
    const found = runtimeGangTasks(
      [
        listed('w-2', ti.labels),
        listed('w-0', ti0.labels),
        listed('w-5', ti.labels, 'TASK_FINISHED'),
        listed('w-6', ti.labels, 'TASK_RUNNING', 'F2'),
        listed('other-1', { labels: [{ key: 'team', value: 'a' }] }),
      ],
      'F1',
    );
    expect(found).toEqual([{ taskId: 'w-2', name: 'w', index: 2, gang: 3, policy: 'isolate', spec: ti.data, resources }]);
    expect(decodeTaskSpec(found[0]!.spec)).toEqual({ args: ['x'], env: { K: 'v' } });
  });

  it('reads no gang from missing or malformed labels', () => {
    for (const value of [undefined, '', '-1', '1.5', 'x', '1e3', '12345678901']) {
      expect(readGangLabels({ labels: value === undefined ? [] : [{ key: GANG_LABEL, value }] })).toBeUndefined();
    }
    expect(readGangLabels(undefined)).toBeUndefined();
    expect(readGangLabels({ labels: [{ key: GANG_LABEL, value: '7' }, { key: 'mesosgot.policy', value: 'explode' }] })).toEqual({ gang: 7, policy: undefined, spec: undefined });
  });
});

describe('AgentSizes', () => {
  const offer = (agent: string, text: Record<string, number>, role = '*') => ({
    id: { value: `o-${agent}` },
    framework_id: { value: 'F' },
    agent_id: { value: agent },
    hostname: agent,
    resources: parseResourceMap(text).resources.map((r) => ({ ...r, role })),
  });
  it('sizes an agent by what it offers plus what we hold there, keeps the largest per resource, and bumps its version only on growth', () => {
    const sizes = new AgentSizes();
    const ours = { A: parseResourceMap({ cpus: 1.5, mem: 100 }).resources };
    sizes.note([offer('A', { cpus: 0.5, mem: 900 }), offer('A', { cpus: 0.25 }, 'web')], (a) => ours[a as 'A'] ?? []);
    expect(sizes.all()).toEqual([{ agentId: 'A', resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 2.25 } }, { name: 'mem', type: 'SCALAR', scalar: { value: 1000 } }] }]);
    const v = sizes.version;
    // Smaller evidence later (our tasks ended, another framework took some) shrinks nothing.
    sizes.note([offer('A', { cpus: 1, mem: 200 })], () => []);
    expect(sizes.version).toBe(v);
    sizes.note([offer('A', { cpus: 3, mem: 10 }), offer('B', { cpus: 1 })], () => []);
    expect(sizes.version).toBeGreaterThan(v);
    expect(sizes.all()).toEqual([
      { agentId: 'A', resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 3 } }, { name: 'mem', type: 'SCALAR', scalar: { value: 1000 } }] },
      { agentId: 'B', resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 } }] },
    ]);
  });
});

describe('SchedEventQueue', () => {
  it('never blocks the caller; past its bound it drops and then reports how many in one Error event', async () => {
    const channel = new Channel<SchedEvent>(1);
    const q = new SchedEventQueue(channel, 3);
    for (let i = 0; i < 10; i++) q.push({ type: 'OfferRescinded', offerId: `O${i}` });
    const got: SchedEvent[] = [];
    const reader = (async () => {
      for await (const e of channel) got.push(e);
    })();
    await waitFor(() => got.some((e) => e.type === 'Error'));
    await q.close({ type: 'Shutdown', reason: 'done' }, AbortSignal.timeout(1_000));
    await reader;
    // The first `bound` pushes are queued (in order); the rest are dropped and counted.
    const rescinded = got.filter((e) => e.type === 'OfferRescinded').map((e) => (e as { offerId: string }).offerId);
    expect(rescinded).toEqual(['O0', 'O1', 'O2']);
    expect(got.find((e) => e.type === 'Error')).toMatchObject({ message: expect.stringMatching(/^7 scheduler events dropped/) });
    expect(got.at(-1)).toEqual({ type: 'Shutdown', reason: 'done' });
  });

  it('Shutdown is the last event on the channel, even past the bound; later events reach only the observer', async () => {
    const channel = new Channel<SchedEvent>(1);
    const observed: SchedEvent[] = [];
    const q = new SchedEventQueue(channel, 2, (e) => observed.push(e));
    q.push({ type: 'Disconnected' });
    q.push({ type: 'Disconnected' });
    q.push({ type: 'Disconnected' });
    q.push({ type: 'Shutdown', reason: 'a task failed' });
    q.push({ type: 'SlaveLost', agentId: 'S1' });
    const got: SchedEvent[] = [];
    const reader = (async () => {
      for await (const e of channel) got.push(e);
    })();
    await q.close({ type: 'Shutdown', reason: 'stopping' }, AbortSignal.timeout(1_000));
    q.push({ type: 'ExecutorLost', executorId: 'E1', agentId: 'S1', status: 1 });
    await reader;
    expect(got.map((e) => e.type)).toEqual(['Disconnected', 'Disconnected', 'Error', 'Shutdown']);
    expect(got.at(-1)).toEqual({ type: 'Shutdown', reason: 'a task failed' });
    expect(observed.map((e) => e.type)).toEqual(['Disconnected', 'Disconnected', 'Disconnected', 'Shutdown', 'SlaveLost', 'ExecutorLost']);
  });

  it('close() does not hang when nobody reads', async () => {
    const channel = new Channel<SchedEvent>(1);
    const q = new SchedEventQueue(channel, 10);
    q.push({ type: 'Disconnected' });
    q.push({ type: 'Disconnected' });
    await q.close({ type: 'Shutdown', reason: 'x' }, AbortSignal.timeout(50));
    expect(channel.closed).toBe(true);
  });
});

describe('MessagePump', () => {
  it('reports non-link framework messages and messages for unknown tasks, and routes to launched tasks', async () => {
    const table = new TaskTable();
    const [task] = table.addAll([{ name: 't', count: 1, resources: { cpus: 1 } }]);
    const sent: { executorId: string; agentId: string; bytes: number }[] = [];
    const errors: Error[] = [];
    const schedIn = new Channel<TaskMsg>(4);
    const pump = new MessagePump({
      driver: {
        sendFrameworkMessage: async (e, a, data) => {
          sent.push({ executorId: e.value, agentId: a.value, bytes: data.length });
          return 'DRIVER_RUNNING';
        },
      },
      table,
      schedIn,
      onError: (e) => errors.push(e),
    });
    const schedOut = pump.createSchedOut(4, 1 << 20);
    pump.onFrameworkMessage('E', 'A', Buffer.from('{"not":"a frame"}'));
    expect(errors[0]).toBeInstanceOf(ProtocolError);
    await schedOut.send({ taskName: 'ghost-1', data: 'x' });
    await waitFor(() => errors.length === 2);
    expect(errors[1]).toBeInstanceOf(InvalidArgumentError);
    // Held until the task is launched, then framed to its executor.
    await schedOut.send({ taskName: 't-0', data: 'hello' });
    expect(sent).toHaveLength(0);
    table.markLaunched(task!, 'A1', 'E1');
    await waitFor(() => sent.length === 1);
    expect(sent[0]).toMatchObject({ executorId: 'E1', agentId: 'A1' });
    schedOut.close();
    await pump.close();
  });

  it('schedOut keeps each task\'s order exactly once while sends alternate between the link directly and the queue (credit runs out and returns)', async () => {
    const table = new TaskTable();
    const [task] = table.addAll([{ name: 't', count: 1, resources: { cpus: 1 } }]);
    const errors: Error[] = [];
    // The executor's end, wired back to back with the pump's link (frames a turn later, as over a wire).
    let pump!: MessagePump;
    const executor = new ReliableLink({ transmit: async (frame) => void setImmediate(() => pump.onFrameworkMessage('E1', 'A1', frame)), receiveWindow: 256 });
    pump = new MessagePump({
      driver: {
        sendFrameworkMessage: async (_e, _a, data) => {
          setImmediate(() => executor.onFrame(data as Uint8Array));
          return 'DRIVER_RUNNING';
        },
      },
      table,
      schedIn: new Channel<TaskMsg>(4),
      onError: (e) => errors.push(e),
    });
    const schedOut = pump.createSchedOut(8, 1 << 20);
    table.markLaunched(task!, 'A1', 'E1');
    pump.linkFor('E1', 'A1');
    const count = 5_000;
    const got: string[] = [];
    // A reader that stalls now and then, so the link's credit runs out and the queue fills.
    const reader = (async () => {
      for await (const m of executor.receive('t-0')) {
        got.push(m.data as string);
        if (got.length % 700 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
        if (got.length === count) return;
      }
    })();
    for (let i = 0; i < count; ) {
      if (i % 3 === 0) {
        const run = Array.from({ length: Math.min(10, count - i) }, (_, k) => ({ taskName: 't-0', data: `${i + k}` }));
        await schedOut.sendMany(run);
        i += run.length;
      } else if (i % 3 === 1 && schedOut.trySend({ taskName: 't-0', data: `${i}` })) {
        i++;
      } else {
        await schedOut.send({ taskName: 't-0', data: `${i}` });
        i++;
      }
    }
    await reader;
    expect(got).toEqual(Array.from({ length: count }, (_, i) => `${i}`));
    expect(pump.traffic.get('t-0')?.msgsOut).toBe(count);
    expect(errors).toEqual([]);
    schedOut.close();
    await pump.close();
    await executor.close();
  });
});

describe('MessagePump with many tasks', () => {
  it('runs a destination loop per task without an abort listener per loop, and close() ends them all', async () => {
    const table = new TaskTable();
    table.addAll([{ name: 't', count: 20, resources: { cpus: 0.1 } }]);
    const pump = new MessagePump({
      driver: { sendFrameworkMessage: async () => 'DRIVER_RUNNING' },
      table,
      schedIn: new Channel<TaskMsg>(4),
      onError: () => undefined,
    });
    const schedOut = pump.createSchedOut(4, 1 << 20);
    // Not launched: each message waits in its task's loop, so all 20 loops are running.
    for (let i = 0; i < 20; i++) await schedOut.send({ taskName: `t-${i}`, data: 'x' });
    await new Promise((resolve) => setImmediate(resolve));
    // The pump's own stop signal (private: read here only to count what hangs on it).
    const { signal } = (pump as unknown as { stopping: AbortController }).stopping;
    // At most one listener per waiting task (their launch waits), none per loop (was 40).
    expect(getEventListeners(signal, 'abort').length).toBeLessThanOrEqual(20);
    await pump.close();
    schedOut.close();
  });
});

describe('SchedOut', () => {
  it('passes its queue only while the destination is idle; the first queued send stops that until the loop says idle again', async () => {
    const direct: string[] = [];
    let credit = 2;
    let destination: Destination | undefined;
    const schedOut = new SchedOut({
      capacity: 4,
      maxMessageBytes: 1 << 20,
      isKnown: () => true,
      onUnknown: () => undefined,
      startDestination: (d) => (destination = d),
      sendNow: (msg) => {
        if (credit === 0) return false;
        credit--;
        direct.push(msg.data as string);
        return true;
      },
    });
    const msg = (data: string): TaskMsg => ({ taskName: 't-0', data });
    await schedOut.send(msg('a')); // creates the destination, not idle yet: queued
    expect(destination!.queue.length).toBe(1);
    // The loop moved everything on and waits: idle.
    destination!.queue.tryReceive();
    destination!.idle = true;
    await schedOut.send(msg('b'));
    expect(schedOut.trySend(msg('c'))).toBe(true);
    expect(direct).toEqual(['b', 'c']);
    expect(destination!.queue.length).toBe(0);
    // Out of credit: queued, and from then on every send queues behind it, credit or not.
    await schedOut.send(msg('d'));
    expect(destination!.idle).toBe(false);
    credit = 10;
    await schedOut.sendMany([msg('e'), msg('f')]);
    expect(schedOut.trySend(msg('g'))).toBe(true);
    expect(direct).toEqual(['b', 'c']);
    expect([1, 2, 3, 4].map(() => destination!.queue.tryReceive()?.value?.data)).toEqual(['d', 'e', 'f', 'g']);
    // Idle again: a batch passes as far as credit goes, the rest queues in order.
    destination!.idle = true;
    credit = 1;
    await schedOut.sendMany([msg('h'), msg('i'), msg('j')]);
    expect(direct).toEqual(['b', 'c', 'h']);
    expect([1, 2].map(() => destination!.queue.tryReceive()?.value?.data)).toEqual(['i', 'j']);
    // An aborted send is refused, never passed.
    destination!.idle = true;
    credit = 1;
    const aborted = AbortSignal.abort(new Error('stop'));
    await expect(schedOut.send(msg('k'), { signal: aborted })).rejects.toThrow('stop');
    expect(direct).toEqual(['b', 'c', 'h']);
    schedOut.close();
    await expect(schedOut.send(msg('l'))).rejects.toThrow(/closed/);
  });
});
