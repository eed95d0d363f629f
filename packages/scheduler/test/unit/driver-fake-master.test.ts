import { afterEach, describe, expect, it } from '@jest/globals';
import { MesosHttpError, NotSubscribedError, type FrameworkInfo } from '@mesosgot/common';
import { FakeMaster, waitFor } from '@mesosgot/local/testing';
import { MesosSchedulerDriver, type ConnectionStatus } from '@mesosgot/scheduler';
import { recordingScheduler } from './recording-scheduler.js';

const FRAMEWORK: FrameworkInfo = { user: 'tester', name: 'driver-test', failover_timeout: 60, roles: ['*'], capabilities: [{ type: 'MULTI_ROLE' }] };
const AGENT = { value: 'A-S0' };
const UUID = 'Pxwrfp1KTB6LL2pdTjwrGg==';
const FAST = { backoff: { initialMs: 10, maxMs: 50 } };

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function setup(options: ConstructorParameters<typeof MesosSchedulerDriver>[3] = {}, hooks = {}, info = FRAMEWORK) {
  const master = await FakeMaster.start();
  cleanup.push(() => master.close());
  const rec = recordingScheduler(hooks);
  const driver = new MesosSchedulerDriver(rec.scheduler, info, master.url, { ...FAST, ...options });
  cleanup.push(() => driver.abort());
  return { master, driver, ...rec };
}

function update(taskId: string, state: string, uuid?: string) {
  return { type: 'UPDATE', update: { status: { task_id: { value: taskId }, state, source: 'SOURCE_EXECUTOR', agent_id: AGENT, ...(uuid ? { uuid } : {}) } } };
}

describe('MesosSchedulerDriver (fake master)', () => {
  it('subscribes, calls registered with the framework id and master info, then resolves calls with DRIVER_RUNNING', async () => {
    const { master, driver, seen } = await setup();
    expect(await driver.start()).toBe('DRIVER_RUNNING');
    await waitFor(() => seen.find((s) => s.name === 'registered'));
    const subscribe = master.callsOf('SUBSCRIBE')[0]!;
    expect(subscribe.headers['content-type']).toBe('application/json');
    expect(subscribe.body).toEqual({ type: 'SUBSCRIBE', subscribe: { framework_info: FRAMEWORK } });
    const [frameworkId, masterInfo] = seen[0]!.args as [{ value: string }, { id: string }];
    expect(frameworkId.value).toBe(master.streams[0]!.frameworkId);
    expect(masterInfo.id).toBe(master.masterId);
    expect(await driver.reviveOffers()).toBe('DRIVER_RUNNING');
    const revive = master.callsOf('REVIVE')[0]!;
    expect(revive.headers['mesos-stream-id']).toBe(master.streams[0]!.streamId);
    expect(revive.body).toEqual({ type: 'REVIVE', framework_id: { value: frameworkId.value } });
  });

  it('sends every driver call with the wire shape of docs/protocol.md, "Scheduler calls", in call order (an ACKNOWLEDGE may overtake)', async () => {
    const { master, driver, seen } = await setup({ implicitAcknowledgements: false });
    await driver.start();
    await waitFor(() => seen.length > 0);
    const offer = { value: 'O1' };
    const task = { name: 't', task_id: { value: 't1' }, agent_id: AGENT, resources: [] };
    await Promise.all([
      driver.launchTasks([offer], [task], { refuse_seconds: 1 }),
      driver.acceptOffers([offer], [{ type: 'LAUNCH', launch: { task_infos: [task] } }]),
      driver.declineOffer(offer, { refuse_seconds: 10 }),
      driver.killTask({ value: 't1' }, AGENT),
      driver.reviveOffers(['*']),
      driver.suppressOffers(),
      driver.acknowledgeStatusUpdate({ task_id: { value: 't1' }, state: 'TASK_RUNNING', agent_id: AGENT, uuid: UUID }),
      driver.sendFrameworkMessage({ value: 'e1' }, AGENT, 'ping'),
      driver.reconcileTasks([{ task_id: { value: 't1' }, agent_id: AGENT }]),
      driver.requestResources([{ agent_id: AGENT }]),
      driver.shutdownExecutor({ value: 'e1' }, AGENT),
    ]);
    const types = master.calls.slice(1).map((c) => c.type);
    // ACKNOWLEDGEs have a lane of their own; a later call still waits for the ones queued before it.
    expect(types.filter((t) => t !== 'ACKNOWLEDGE')).toEqual(['ACCEPT', 'ACCEPT', 'DECLINE', 'KILL', 'REVIVE', 'SUPPRESS', 'MESSAGE', 'RECONCILE', 'REQUEST', 'SHUTDOWN']);
    expect(types.filter((t) => t === 'ACKNOWLEDGE')).toHaveLength(1);
    expect(types.indexOf('ACKNOWLEDGE')).toBeLessThan(types.indexOf('MESSAGE'));
    expect(master.callsOf('MESSAGE')[0]!.body!.message).toEqual({ agent_id: AGENT, executor_id: { value: 'e1' }, data: 'cGluZw==' });
    expect(master.callsOf('ACKNOWLEDGE')[0]!.body!.acknowledge).toEqual({ agent_id: AGENT, task_id: { value: 't1' }, uuid: UUID });
    for (const call of master.calls.slice(1)) expect(call.status).toBe(202);
  });

  it('delivers every event type to its callback, in stream order, one at a time', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const slow = async () => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setImmediate(r));
      inFlight -= 1;
    };
    const { master, driver, seen, names } = await setup({}, { resourceOffers: slow, statusUpdate: slow, frameworkMessage: slow });
    await driver.start();
    const stream = await master.waitForStream(0);
    const offer = { id: { value: 'O1' }, framework_id: { value: stream.frameworkId }, agent_id: AGENT, hostname: 'h' };
    stream.send({ type: 'OFFERS', offers: { offers: [offer] } });
    stream.send({ type: 'RESCIND', rescind: { offer_id: { value: 'O1' } } });
    stream.send(update('t1', 'TASK_LOST'));
    stream.send({ type: 'MESSAGE', message: { agent_id: AGENT, executor_id: { value: 'e1' }, data: 'cG9uZw==' } });
    stream.send({ type: 'FAILURE', failure: { agent_id: AGENT, executor_id: { value: 'e1' }, status: 1280 } });
    stream.send({ type: 'FAILURE', failure: { agent_id: AGENT } });
    stream.send({ type: 'INVERSE_OFFERS', inverse_offers: { inverse_offers: [{ id: { value: 'I1' }, framework_id: { value: stream.frameworkId } }] } });
    stream.send({ type: 'RESCIND_INVERSE_OFFER', rescind_inverse_offer: { inverse_offer_id: { value: 'I1' } } });
    stream.send({ type: 'UPDATE_OPERATION_STATUS', update_operation_status: { status: { state: 'OPERATION_FINISHED' } } });
    stream.send({ type: 'HEARTBEAT' });
    await waitFor(() => seen.some((s) => s.name === 'operationStatusUpdate'));
    expect(names()).toEqual([
      'registered',
      'resourceOffers',
      'offerRescinded',
      'statusUpdate',
      'frameworkMessage',
      'executorLost',
      'slaveLost',
      'agentLost',
      'inverseOffers',
      'inverseOfferRescinded',
      'operationStatusUpdate',
    ]);
    expect(maxInFlight).toBe(1);
    const message = seen.find((s) => s.name === 'frameworkMessage')!.args;
    expect(Buffer.from(message[2] as Uint8Array).toString()).toBe('pong');
    expect(seen.find((s) => s.name === 'executorLost')!.args).toEqual([{ value: 'e1' }, AGENT, 1280]);
  });

  it('emits the same callbacks on driver.events', async () => {
    const { master, driver } = await setup();
    const emitted: string[] = [];
    driver.events.on('registered', () => emitted.push('registered'));
    driver.events.on('offerRescinded', (id) => emitted.push(`rescinded ${id.value}`));
    await driver.start();
    (await master.waitForStream(0)).send({ type: 'RESCIND', rescind: { offer_id: { value: 'O9' } } });
    await waitFor(() => emitted.length === 2);
    expect(emitted).toEqual(['registered', 'rescinded O9']);
  });

  it('acknowledges implicitly after the statusUpdate callback settles, and never an update without uuid', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { master, driver, seen } = await setup({}, { statusUpdate: () => gate });
    await driver.start();
    const stream = await master.waitForStream(0);
    stream.send(update('lost-1', 'TASK_LOST'));
    stream.send(update('run-1', 'TASK_RUNNING', UUID));
    await waitFor(() => seen.some((s) => s.name === 'statusUpdate'));
    expect(master.callsOf('ACKNOWLEDGE')).toHaveLength(0);
    release();
    const ack = await master.waitForCall((c) => c.type === 'ACKNOWLEDGE');
    expect(ack.body!.acknowledge).toEqual({ agent_id: AGENT, task_id: { value: 'run-1' }, uuid: UUID });
    await driver.reviveOffers(); // a later call: by now every ack would have been sent
    expect(master.callsOf('ACKNOWLEDGE')).toHaveLength(1);
  });

  it('with implicitAcknowledgements false sends no ACK until acknowledgeStatusUpdate', async () => {
    const { master, driver, seen } = await setup({ implicitAcknowledgements: false });
    await driver.start();
    (await master.waitForStream(0)).send(update('run-1', 'TASK_RUNNING', UUID));
    await waitFor(() => seen.some((s) => s.name === 'statusUpdate'));
    await driver.reviveOffers();
    expect(master.callsOf('ACKNOWLEDGE')).toHaveLength(0);
    const status = seen.find((s) => s.name === 'statusUpdate')!.args[0] as never;
    expect(await driver.acknowledgeStatusUpdate(status)).toBe('DRIVER_RUNNING');
    expect(master.callsOf('ACKNOWLEDGE')).toHaveLength(1);
  });

  it('refuses acknowledgeStatusUpdate in implicit mode', async () => {
    const { driver, seen } = await setup();
    await driver.start();
    await waitFor(() => seen.length > 0);
    await expect(driver.acknowledgeStatusUpdate({ task_id: { value: 't' }, state: 'TASK_RUNNING', agent_id: AGENT, uuid: UUID })).rejects.toMatchObject({
      code: 'MESOSGOT_INVALID_ARGUMENT',
    });
  });

  it('rejects a refused call with MesosHttpError carrying status and body', async () => {
    const { master, driver, seen } = await setup();
    await driver.start();
    await waitFor(() => seen.length > 0);
    master.script('DECLINE', { status: 400, body: 'Failed to validate scheduler::Call: nope' });
    const error = await driver.declineOffer({ value: 'O1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MesosHttpError);
    expect(error).toMatchObject({ status: 400, body: 'Failed to validate scheduler::Call: nope', callType: 'DECLINE' });
    expect(await driver.reviveOffers()).toBe('DRIVER_RUNNING');
  });

  it('fails calls fast with NotSubscribedError before SUBSCRIBED and returns the status when not running', async () => {
    const master = await FakeMaster.start({ isAutoSubscribed: false });
    cleanup.push(() => master.close());
    const { scheduler } = recordingScheduler();
    const driver = new MesosSchedulerDriver(scheduler, FRAMEWORK, master.url, FAST);
    cleanup.push(() => driver.abort());
    expect(await driver.reviveOffers()).toBe('DRIVER_NOT_STARTED');
    await driver.start();
    await master.waitForStream(0);
    await expect(driver.reviveOffers()).rejects.toBeInstanceOf(NotSubscribedError);
    expect(await driver.abort()).toBe('DRIVER_ABORTED');
    expect(await driver.reviveOffers()).toBe('DRIVER_ABORTED');
    expect(await driver.join()).toBe('DRIVER_ABORTED');
    expect(master.callsOf('REVIVE')).toHaveLength(0);
  });

  it('reconciles after every SUBSCRIBED when asked', async () => {
    const { master, driver } = await setup({ reconcileOnSubscribe: () => [{ task_id: { value: 'x' }, agent_id: AGENT }] });
    await driver.start();
    const first = await master.waitForCall('RECONCILE');
    expect(first.body!.reconcile).toEqual({ tasks: [{ task_id: { value: 'x' }, agent_id: AGENT }] });
    master.streams[0]!.cut();
    await master.waitForCall('RECONCILE', { from: first.index + 1 });
  });

  it('publishes connection status as an async iterable that ends after stopped', async () => {
    const { driver } = await setup();
    const statuses: ConnectionStatus['type'][] = [];
    const reading = (async () => {
      for await (const s of driver.status()) statuses.push(s.type);
    })();
    await driver.start();
    await waitFor(() => statuses.includes('connected'));
    await driver.stop();
    await reading;
    expect(statuses).toEqual(['connecting', 'connected', 'stopped']);
  });
});
