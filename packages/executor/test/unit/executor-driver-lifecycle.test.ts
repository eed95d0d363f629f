import { afterEach, describe, expect, it } from '@jest/globals';
import { DriverStoppedError, NotSubscribedError, TimeoutError, type TaskStatus } from '@mesosgot/common';
import { waitFor } from '@mesosgot/local/testing';
import { MesosExecutorDriver, type ExecutorDriver } from '../../src/index.js';
import { FakeAgent, launchEvent } from '../support/fake-agent.js';
import { RecordingExecutor, type Hooks } from '../support/recording-executor.js';

const status = (taskId: string, state: TaskStatus['state']): TaskStatus => ({ task_id: { value: taskId }, state });
const CHECKPOINTING = { MESOS_CHECKPOINT: '1', MESOS_RECOVERY_TIMEOUT: '5secs', MESOS_SUBSCRIPTION_BACKOFF_MAX: '50ms' };

let agent: FakeAgent | undefined;
let driver: MesosExecutorDriver | undefined;

afterEach(async () => {
  await driver?.abort();
  await agent?.close();
  driver = undefined;
  agent = undefined;
});

async function setup(env: Record<string, string> = {}, hooks: Hooks = {}) {
  agent = await FakeAgent.start();
  const executor = new RecordingExecutor(hooks);
  driver = new MesosExecutorDriver(executor, { env: agent.env(env), stopTimeoutMs: 1_000 });
  await driver.start();
  return { agent, executor, driver };
}

function subscribeBody(agent: FakeAgent, n: number): Record<string, unknown> {
  return agent.callsOf('SUBSCRIBE')[n]!.body!.subscribe as Record<string, unknown>;
}

describe('MesosExecutorDriver - shutdown and stop', () => {
  it('on SHUTDOWN calls shutdown(), sends its TASK_KILLED, then stops and closes the stream', async () => {
    const { agent, executor, driver } = await setup({}, {
      shutdown: async (d: ExecutorDriver) => {
        await d.sendStatusUpdate(status('t1', 'TASK_KILLED'));
      },
    });
    agent.stream.send(launchEvent('t1'));
    agent.stream.send({ type: 'SHUTDOWN' });
    expect(await driver.join()).toBe('DRIVER_STOPPED');
    expect(agent.callsOf('UPDATE').map((c) => (c.body!.update as { status: TaskStatus }).status.state)).toEqual(['TASK_KILLED']);
    expect(await driver.closed()).toBeUndefined();
    expect(executor.names()).toEqual(['registered', 'launchTask', 'shutdown']);
    await waitFor(() => !agent.stream.isOpen, { what: 'the stream to close' });
    await expect(driver.sendFrameworkMessage('late')).rejects.toBeInstanceOf(NotSubscribedError);
  });

  it('after SHUTDOWN waits for no ACKNOWLEDGED: the agent of a framework being torn down never sends one', async () => {
    // A real agent drops the updates of a terminating framework unacknowledged (slave.cpp
    // statusUpdate). With an hour of grace, a driver waiting for the ACK would not end here.
    const { agent, driver } = await setup({ MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD: '1hrs' }, {
      shutdown: async (d: ExecutorDriver) => {
        await d.sendStatusUpdate(status('t1', 'TASK_KILLED'));
      },
    });
    agent.isAutoAcknowledging = false;
    agent.stream.send(launchEvent('t1'));
    agent.stream.send({ type: 'SHUTDOWN' });
    let ended: string | undefined;
    void driver.join().then((s) => (ended = s));
    expect(await waitFor(() => ended, { what: 'the driver to end without an ACKNOWLEDGED', timeoutMs: 5_000 })).toBe('DRIVER_STOPPED');
    // The update went out (202) and is still unacknowledged: the driver did not wait for it.
    expect(agent.callsOf('UPDATE').map((c) => c.status)).toEqual([202]);
    expect(driver.unacknowledgedUpdates().map((u) => u.state)).toEqual(['TASK_KILLED']);
  });

  it('gives up on a shutdown callback that outlives the grace period: DRIVER_ABORTED with a TimeoutError', async () => {
    const { agent, driver } = await setup({ MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD: '300ms' }, {
      shutdown: () => new Promise<void>(() => undefined),
    });
    const began = Date.now();
    agent.stream.send({ type: 'SHUTDOWN' });
    expect(await driver.join()).toBe('DRIVER_ABORTED');
    expect(Date.now() - began).toBeLessThan(1_000);
    expect(await driver.closed()).toBeInstanceOf(TimeoutError);
  });

  it('stop() waits for in-flight updates to be acknowledged (bounded), then closes', async () => {
    const { agent, driver } = await setup();
    await driver.sendStatusUpdate(status('t1', 'TASK_FINISHED'));
    const stopping = driver.stop();
    let isStopped = false;
    void stopping.then(() => (isStopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(isStopped).toBe(false);
    const uuid = driver.unacknowledgedUpdates()[0]!.uuid!;
    agent.stream.send({ type: 'ACKNOWLEDGED', acknowledged: { task_id: { value: 't1' }, uuid } });
    expect(await stopping).toBe('DRIVER_STOPPED');
    expect(driver.unacknowledgedUpdates()).toEqual([]);
  });

  it('stop() closes anyway after stopTimeoutMs when no ACKNOWLEDGED comes', async () => {
    const { driver } = await setup();
    await driver.sendStatusUpdate(status('t1', 'TASK_FINISHED'));
    const began = Date.now();
    expect(await driver.stop()).toBe('DRIVER_STOPPED');
    expect(Date.now() - began).toBeGreaterThanOrEqual(900);
  });

  it('abort() cuts a stop() short and resolves DRIVER_ABORTED', async () => {
    const { driver } = await setup();
    await driver.sendStatusUpdate(status('t1', 'TASK_FINISHED'));
    const stopping = driver.stop();
    expect(await driver.abort()).toBe('DRIVER_ABORTED');
    expect(await stopping).toBe('DRIVER_ABORTED');
  });

  it('stop() can be called from inside a callback', async () => {
    const { agent, driver } = await setup({}, { launchTask: async (d) => void (await d.stop()) });
    agent.stream.send(launchEvent('t1'));
    expect(await driver.join()).toBe('DRIVER_STOPPED');
  });

  it('stop() before start() resolves DRIVER_STOPPED and start() then refuses', async () => {
    agent = await FakeAgent.start();
    driver = new MesosExecutorDriver({}, { env: agent.env() });
    expect(await driver.stop()).toBe('DRIVER_STOPPED');
    await expect(driver.start()).rejects.toThrow(/only once/);
    expect(agent.calls).toHaveLength(0);
  });
});

describe('MesosExecutorDriver - agent connection lost', () => {
  it('without checkpointing: disconnected, then shutdown, then DRIVER_ABORTED', async () => {
    const { agent, executor, driver } = await setup({ MESOS_CHECKPOINT: '0' });
    agent.goDown();
    expect(await driver.join()).toBe('DRIVER_ABORTED');
    expect(executor.names()).toEqual(['registered', 'disconnected', 'shutdown']);
    const reason = await driver.closed();
    expect(reason).toBeInstanceOf(DriverStoppedError);
    expect(reason!.message).toMatch(/MESOS_CHECKPOINT is not 1/);
    expect(agent.callsOf('SUBSCRIBE')).toHaveLength(1);
  });

  it('with checkpointing: re-SUBSCRIBEs with the unacknowledged tasks and updates, then reregistered', async () => {
    const { agent, executor, driver } = await setup(CHECKPOINTING);
    agent.stream.send(launchEvent('t1'));
    agent.stream.send(launchEvent('t2'));
    await waitFor(() => executor.argsOf('launchTask').length === 2);
    await driver.sendStatusUpdate(status('t1', 'TASK_RUNNING'));
    const sent = driver.unacknowledgedUpdates()[0]!;
    agent.goDown();
    await waitFor(() => executor.has('disconnected'));
    expect(driver.connectionState).toBe('reconnecting');
    // Sent while disconnected: kept, resolved, and replayed by the re-SUBSCRIBE.
    await driver.sendStatusUpdate(status('t2', 'TASK_RUNNING'));
    await expect(driver.sendFrameworkMessage('x')).rejects.toBeInstanceOf(NotSubscribedError);
    const updatesBefore = agent.callsOf('UPDATE').length;
    agent.comeBack();
    await waitFor(() => executor.has('reregistered'));
    const body = subscribeBody(agent, agent.callsOf('SUBSCRIBE').length - 1);
    expect((body.unacknowledged_tasks as { task_id: { value: string } }[]).map((t) => t.task_id.value)).toEqual(['t1', 't2']);
    const replayed = (body.unacknowledged_updates as { status: TaskStatus }[]).map((u) => u.status);
    expect(replayed).toHaveLength(2);
    expect(replayed[0]).toEqual(sent);
    expect(replayed[1]).toMatchObject({ task_id: { value: 't2' }, state: 'TASK_RUNNING', source: 'SOURCE_EXECUTOR' });
    expect(agent.callsOf('UPDATE')).toHaveLength(updatesBefore);
    expect(executor.names()).toEqual(['registered', 'launchTask', 'launchTask', 'disconnected', 'reregistered']);
    expect(driver.connectionState).toBe('subscribed');
    await driver.sendFrameworkMessage('back');
    expect(driver.driverStatus).toBe('DRIVER_RUNNING');
  });

  it('with checkpointing: retries through refused connections and a 503 until the agent is back', async () => {
    const { agent, executor } = await setup(CHECKPOINTING);
    agent.goDown();
    await waitFor(() => executor.has('disconnected'));
    agent.replyNext('SUBSCRIBE', { status: 503, body: 'Agent has not finished recovery' });
    agent.comeBack();
    await waitFor(() => executor.has('reregistered'));
    expect(agent.callsOf('SUBSCRIBE').map((c) => c.status)).toEqual([200, 503, 200]);
  });

  it('with checkpointing: gives up after MESOS_RECOVERY_TIMEOUT, calls shutdown and ends DRIVER_ABORTED', async () => {
    const { agent, executor, driver } = await setup({ ...CHECKPOINTING, MESOS_RECOVERY_TIMEOUT: '400ms' });
    const began = Date.now();
    agent.goDown();
    expect(await driver.join()).toBe('DRIVER_ABORTED');
    const elapsed = Date.now() - began;
    expect(elapsed).toBeGreaterThanOrEqual(390);
    expect(elapsed).toBeLessThan(2_000);
    expect(executor.names()).toEqual(['registered', 'disconnected', 'shutdown']);
    const reason = await driver.closed();
    expect(reason!.message).toMatch(/recovery timeout/);
    expect((reason as DriverStoppedError).cause).toBeInstanceOf(TimeoutError);
  });

  it('with checkpointing: a re-SUBSCRIBE the agent refuses (executor unknown after restart) ends the driver', async () => {
    const { agent, executor, driver } = await setup(CHECKPOINTING);
    agent.goDown();
    await waitFor(() => executor.has('disconnected'));
    agent.subscribeReply = { status: 400, body: 'Executor cannot be found' };
    agent.comeBack();
    expect(await driver.join()).toBe('DRIVER_ABORTED');
    expect(executor.names()).toEqual(['registered', 'disconnected', 'shutdown']);
    expect((await driver.closed())!.message).toMatch(/refused SUBSCRIBE.*400/);
  });

  it('with checkpointing: start() keeps trying an agent that is not up yet', async () => {
    agent = await FakeAgent.start();
    agent.goDown();
    const executor = new RecordingExecutor();
    driver = new MesosExecutorDriver(executor, { env: agent.env(CHECKPOINTING) });
    const started = driver.start();
    await waitFor(() => agent!.refusedConnections >= 2, { what: 'two refused SUBSCRIBE attempts' });
    agent.comeBack();
    await started;
    expect(executor.names()).toEqual(['registered']);
    expect(agent.callsOf('SUBSCRIBE')).toHaveLength(1);
  });
});
