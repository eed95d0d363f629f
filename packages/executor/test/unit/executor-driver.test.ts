import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it } from '@jest/globals';
import {
  DriverStoppedError,
  InvalidArgumentError,
  isValidStatusUuid,
  MesosHttpError,
  NotSubscribedError,
  type TaskStatus,
} from '@mesosgot/common';
import { waitFor } from '@mesosgot/local/testing';
import { MesosExecutorDriver } from '../../src/index.js';
import type { AgentTransport } from '../../src/driver/agent-transport.js';
import { loadAgentEnv } from '../../src/driver/agent-env.js';
import { HttpAgentTransport } from '../../src/driver/http-agent-transport.js';
import { AGENT_ID, EXECUTOR_ID, FakeAgent, FRAMEWORK_ID, launchEvent, SUBSCRIBED_EVENT } from '../support/fake-agent.js';
import { RecordingExecutor, type Hooks } from '../support/recording-executor.js';

const running = (taskId: string): TaskStatus => ({ task_id: { value: taskId }, state: 'TASK_RUNNING' });

let agent: FakeAgent | undefined;
let driver: MesosExecutorDriver | undefined;

afterEach(async () => {
  await driver?.abort();
  await agent?.close();
  driver = undefined;
  agent = undefined;
});

async function setup(env: Record<string, string> = {}, hooks: Hooks = {}, start = true) {
  agent = await FakeAgent.start();
  const executor = new RecordingExecutor(hooks);
  driver = new MesosExecutorDriver(executor, { env: agent.env(env), stopTimeoutMs: 1_000 });
  if (start) await driver.start();
  return { agent, executor, driver };
}

describe('MesosExecutorDriver - registration', () => {
  it('SUBSCRIBEs with "subscribe":{} and calls registered with the SUBSCRIBED infos', async () => {
    const { agent, executor, driver } = await setup();
    const call = agent.callsOf('SUBSCRIBE')[0]!;
    expect(call.body).toEqual({ type: 'SUBSCRIBE', framework_id: { value: FRAMEWORK_ID }, executor_id: { value: EXECUTOR_ID }, subscribe: {} });
    expect(call.headers['content-type']).toBe('application/json');
    expect(call.headers.accept).toBe('application/json');
    await waitFor(() => executor.has('registered'));
    const { executor_info, framework_info, agent_info } = SUBSCRIBED_EVENT.subscribed;
    expect(executor.argsOf('registered')).toEqual([[executor_info, framework_info, agent_info]]);
    expect(driver.driverStatus).toBe('DRIVER_RUNNING');
    expect(driver.connectionState).toBe('subscribed');
  });

  it('emits the callbacks on the emitter too', async () => {
    const { agent, driver } = await setup({}, {}, false);
    const seen: string[] = [];
    driver.events.on('registered', (e, f, a) => seen.push(`registered ${e.executor_id.value} ${f.name} ${a.id?.value}`));
    driver.events.on('launchTask', (task) => seen.push(`launch ${task.task_id.value}`));
    await driver.start();
    agent.stream.send(launchEvent('t1'));
    await waitFor(() => seen.length === 2);
    expect(seen).toEqual([`registered ${EXECUTOR_ID} fw ${AGENT_ID}`, 'launch t1']);
  });

  it('sends MESOS_EXECUTOR_AUTHENTICATION_TOKEN as a Bearer token on the stream and on calls', async () => {
    const { agent, driver } = await setup({ MESOS_EXECUTOR_AUTHENTICATION_TOKEN: 'jwt.abc' });
    await driver.sendFrameworkMessage('x');
    expect(agent.calls.map((c) => [c.type, c.headers.authorization])).toEqual([
      ['SUBSCRIBE', 'Bearer jwt.abc'],
      ['MESSAGE', 'Bearer jwt.abc'],
    ]);
  });

  it('refuses a second start() with InvalidArgumentError', async () => {
    const { driver } = await setup();
    await expect(driver.start()).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('throws InvalidArgumentError naming a missing variable at construction', () => {
    expect(() => new MesosExecutorDriver({}, { env: { MESOS_AGENT_ENDPOINT: '127.0.0.1:1' } })).toThrow(/MESOS_FRAMEWORK_ID/);
  });

  it('rejects start() with DriverStoppedError when the agent refuses SUBSCRIBE, and run() resolves DRIVER_ABORTED', async () => {
    const { agent, driver } = await setup({}, {}, false);
    agent.subscribeReply = { status: 400, body: 'Executor cannot be found' };
    const start = driver.start();
    await expect(start).rejects.toBeInstanceOf(DriverStoppedError);
    await expect(start).rejects.toThrow(/refused SUBSCRIBE.*400/);
    expect(await driver.join()).toBe('DRIVER_ABORTED');
    const reason = await driver.closed();
    expect((reason as DriverStoppedError).cause).toBeInstanceOf(MesosHttpError);
  });

  it('fails calls before SUBSCRIBED with NotSubscribedError', async () => {
    const { agent, driver } = await setup({}, {}, false);
    agent.isAutoSubscribed = false;
    void driver.start().catch(() => undefined);
    await agent.waitForStream(0);
    await expect(driver.sendStatusUpdate(running('t1'))).rejects.toBeInstanceOf(NotSubscribedError);
    await expect(driver.sendFrameworkMessage('x')).rejects.toBeInstanceOf(NotSubscribedError);
    expect(agent.callsOf('UPDATE')).toHaveLength(0);
  });
});

describe('MesosExecutorDriver - callbacks', () => {
  it('delivers launches one at a time, in order, each waiting for the previous promise', async () => {
    const releases: (() => void)[] = [];
    let active = 0;
    let maxActive = 0;
    const { agent, executor } = await setup({}, {
      launchTask: async () => {
        active += 1;
        maxActive = Math.max(maxActive, active);
        await new Promise<void>((resolve) => releases.push(resolve));
        active -= 1;
      },
    });
    for (const id of ['t1', 't2', 't3']) agent.stream.send(launchEvent(id));
    agent.stream.send({ type: 'KILL', kill: { task_id: { value: 't1' } } });
    await waitFor(() => releases.length === 1);
    // The other events are read but their callbacks wait for the first launch.
    await waitFor(() => driver!.unacknowledgedTasks().length === 3);
    expect(executor.names()).toEqual(['registered', 'launchTask']);
    releases[0]!();
    await waitFor(() => releases.length === 2);
    releases[1]!();
    await waitFor(() => releases.length === 3);
    releases[2]!();
    await waitFor(() => executor.has('killTask'));
    expect(executor.names()).toEqual(['registered', 'launchTask', 'launchTask', 'launchTask', 'killTask']);
    expect(executor.argsOf('launchTask').map(([t]) => (t as { task_id: { value: string } }).task_id.value)).toEqual(['t1', 't2', 't3']);
    expect(executor.argsOf('killTask')).toEqual([[{ value: 't1' }]]);
    expect(maxActive).toBe(1);
  });

  it('delivers LAUNCH_GROUP tasks as launches in order', async () => {
    const { agent, executor } = await setup();
    const task = (id: string) => ({ name: id, task_id: { value: id }, agent_id: { value: AGENT_ID } });
    agent.stream.send({ type: 'LAUNCH_GROUP', launch_group: { task_group: { tasks: [task('g1'), task('g2')] } } });
    await waitFor(() => executor.argsOf('launchTask').length === 2);
    expect(executor.argsOf('launchTask')).toEqual([[task('g1')], [task('g2')]]);
  });

  it('passes framework messages as bytes and sends MESSAGE calls base64-encoded', async () => {
    const { agent, executor, driver } = await setup();
    agent.stream.send({ type: 'MESSAGE', message: { data: Buffer.from([0, 1, 254]).toString('base64') } });
    await waitFor(() => executor.has('frameworkMessage'));
    expect(Buffer.from(executor.argsOf('frameworkMessage')[0]![0] as Uint8Array)).toEqual(Buffer.from([0, 1, 254]));
    await driver.sendFrameworkMessage('pong');
    expect(agent.callsOf('MESSAGE')[0]!.body).toEqual({
      type: 'MESSAGE',
      framework_id: { value: FRAMEWORK_ID },
      executor_id: { value: EXECUTOR_ID },
      message: { data: Buffer.from('pong').toString('base64') },
    });
  });

  it('reports malformed records, bad events and unknown types to error() and keeps going', async () => {
    const { agent, executor } = await setup();
    agent.stream.sendRaw('8\nnot json');
    agent.stream.send({ type: 'LAUNCH', launch: {} });
    agent.stream.send({ type: 'SOMETHING_NEW' });
    agent.stream.send({ type: 'ERROR', error: { message: 'legacy' } });
    agent.stream.send(launchEvent('after'));
    await waitFor(() => executor.has('launchTask'));
    const errors = executor.argsOf('error').map(([m]) => m as string);
    expect(errors).toHaveLength(4);
    expect(errors[0]).toMatch(/not JSON/);
    expect(errors[1]).toMatch(/launch\.task must be an object/);
    expect(errors[2]).toMatch(/unknown executor event type "SOMETHING_NEW"/);
    expect(errors[3]).toMatch(/legacy/);
    expect(executor.names().at(-1)).toBe('launchTask');
  });

  it('reports a callback that throws to error() and delivers the next event', async () => {
    const { agent, executor } = await setup({}, { killTask: () => { throw new Error('kaboom'); } });
    agent.stream.send({ type: 'KILL', kill: { task_id: { value: 't' } } });
    agent.stream.send(launchEvent('next'));
    await waitFor(() => executor.has('launchTask'));
    expect(executor.argsOf('error')).toEqual([['killTask callback failed: kaboom']]);
  });
});

describe('MesosExecutorDriver - status updates', () => {
  it('sends UPDATE with a fresh uuid, SOURCE_EXECUTOR and executor_id, and keeps it until a matching ACKNOWLEDGED', async () => {
    const { agent, driver } = await setup();
    agent.stream.send(launchEvent('t1'));
    await waitFor(() => driver.unacknowledgedTasks().length === 1);
    await driver.sendStatusUpdate(running('t1'));
    await driver.sendStatusUpdate(running('t1'));
    const [first, second] = agent.callsOf('UPDATE').map((c) => (c.body!.update as { status: TaskStatus }).status);
    expect(first).toMatchObject({ task_id: { value: 't1' }, state: 'TASK_RUNNING', source: 'SOURCE_EXECUTOR', executor_id: { value: EXECUTOR_ID } });
    expect(isValidStatusUuid(first!.uuid)).toBe(true);
    expect(first!.uuid).not.toBe(second!.uuid);
    expect(typeof first!.timestamp).toBe('number');
    expect(driver.unacknowledgedUpdates().map((s) => s.uuid)).toEqual([first!.uuid, second!.uuid]);

    // Right uuid, wrong task; right task, unknown uuid: nothing changes.
    agent.stream.send({ type: 'ACKNOWLEDGED', acknowledged: { task_id: { value: 'other' }, uuid: first!.uuid } });
    agent.stream.send({ type: 'ACKNOWLEDGED', acknowledged: { task_id: { value: 't1' }, uuid: 'Flkz3I7URJWub+uCTFWF9g==' } });
    const acked: string[] = [];
    driver.events.on('acknowledged', (_t, uuid) => acked.push(uuid));
    agent.stream.send({ type: 'ACKNOWLEDGED', acknowledged: { task_id: { value: 't1' }, uuid: first!.uuid } });
    await waitFor(() => acked.length === 1);
    expect(driver.unacknowledgedUpdates().map((s) => s.uuid)).toEqual([second!.uuid]);
    expect(driver.unacknowledgedTasks()).toEqual([]);
  });

  it('refuses TASK_STAGING synchronously with InvalidArgumentError', async () => {
    const { driver } = await setup();
    expect(() => driver.sendStatusUpdate({ task_id: { value: 't' }, state: 'TASK_STAGING' })).toThrow(InvalidArgumentError);
  });

  it('rejects with MesosHttpError when the agent refuses an UPDATE, and forgets it', async () => {
    const { agent, driver } = await setup();
    agent.replyNext('UPDATE', { status: 400, body: 'Failed to validate Executor::Call: Not a valid UUID' });
    const sent = driver.sendStatusUpdate(running('t1'));
    await expect(sent).rejects.toBeInstanceOf(MesosHttpError);
    await expect(sent).rejects.toMatchObject({ status: 400, callType: 'UPDATE' });
    expect(driver.unacknowledgedUpdates()).toEqual([]);
  });

  it('sends messages in order, each after the updates sent before it (updates may overtake messages)', async () => {
    const { agent, driver } = await setup();
    await Promise.all([
      driver.sendStatusUpdate(running('a')),
      driver.sendFrameworkMessage('m1'),
      driver.sendStatusUpdate(running('b')),
      driver.sendFrameworkMessage('m2'),
    ]);
    const order = agent.calls.slice(1).map((c) => {
      const body = c.body as { update?: { status: TaskStatus }; message?: { data: string } };
      return c.type === 'UPDATE' ? body.update!.status.task_id.value : Buffer.from(body.message!.data, 'base64').toString();
    });
    expect(order).toHaveLength(4);
    expect(order.indexOf('a')).toBeLessThan(order.indexOf('m1'));
    expect(order.indexOf('m1')).toBeLessThan(order.indexOf('m2'));
    expect(order.indexOf('b')).toBeLessThan(order.indexOf('m2'));
  });

  it('pipelines many tasks\' updates without piling abort listeners on one signal (MaxListenersExceededWarning)', async () => {
    agent = await FakeAgent.start();
    const http = new HttpAgentTransport(loadAgentEnv(agent.env()));
    let mostListeners = 0;
    // The HTTP transport, noting the most abort listeners the signal of any call ever carries
    // (counted as they are added, whenever the transport adds them: before or after an await).
    const watch = (signal: AbortSignal): void => {
      const add = signal.addEventListener.bind(signal);
      signal.addEventListener = (...args: Parameters<AbortSignal['addEventListener']>) => {
        add(...args);
        mostListeners = Math.max(mostListeners, getEventListeners(signal, 'abort').length);
      };
    };
    const transport: AgentTransport = {
      subscribe: (call, signal) => http.subscribe(call, signal),
      send: (call, signal, options) => {
        if (signal !== undefined) watch(signal);
        return http.send(call, signal, options);
      },
      close: () => http.close(),
    };
    driver = new MesosExecutorDriver(new RecordingExecutor(), { env: agent.env(), transport, stopTimeoutMs: 1_000 });
    await driver.start();
    // More than the pipelining depth (16) and than Node's listener limit (10), all at once.
    await Promise.all(Array.from({ length: 40 }, (_, i) => driver!.sendStatusUpdate(running(`t${i}`))));
    expect(agent.callsOf('UPDATE')).toHaveLength(40);
    expect(mostListeners).toBe(1);
  });

  it("sends each task's updates in order while other tasks' updates are pipelined", async () => {
    const { agent, driver } = await setup();
    const states = ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED'] as const;
    await Promise.all(
      ['a', 'b', 'c'].flatMap((task) => states.map((state) => driver.sendStatusUpdate({ task_id: { value: task }, state }))),
    );
    const updates = agent.calls.filter((c) => c.type === 'UPDATE').map((c) => (c.body as { update: { status: TaskStatus } }).update.status);
    for (const task of ['a', 'b', 'c']) expect(updates.filter((u) => u.task_id.value === task).map((u) => u.state)).toEqual([...states]);
  });
});
