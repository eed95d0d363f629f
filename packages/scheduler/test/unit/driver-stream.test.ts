import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { ProtocolError, type FrameworkInfo } from '@mesosgot/common';
import { encodeRecord } from '@mesosgot/common/internal';
import { FakeMaster, recordedEvents, waitFor, type RecordedEvent } from '@mesosgot/local/testing';
import { MesosSchedulerDriver } from '@mesosgot/scheduler';
import { recordingScheduler, type Hooks } from './recording-scheduler.js';

const FIXTURES = new URL('../../../local/test/fixtures/real-mesos/', import.meta.url);
const FRAMEWORK: FrameworkInfo = { user: 'tester', name: 'stream-test', failover_timeout: 60 };
const AGENT = { value: 'A-S0' };
const UUID = 'Pxwrfp1KTB6LL2pdTjwrGg==';

// A driver must never leave a rejection unhandled, whatever the master sends.
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
beforeAll(() => void process.on('unhandledRejection', onUnhandled));
afterAll(() => void process.off('unhandledRejection', onUnhandled));

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
  expect(unhandled).toEqual([]);
});

async function setup(masterOptions: Parameters<typeof FakeMaster.start>[0] = {}, hooks: Hooks = {}, info = FRAMEWORK, options = {}) {
  const master = await FakeMaster.start(masterOptions);
  cleanup.push(() => master.close());
  const rec = recordingScheduler(hooks);
  const driver = new MesosSchedulerDriver(rec.scheduler, info, master.url, { backoff: { initialMs: 5, maxMs: 20 }, ...options });
  cleanup.push(() => driver.abort());
  return { master, driver, ...rec };
}

/** Events of the first subscription of a recording (up to its stream_closed). */
function firstSubscription(file: string): RecordedEvent[] {
  const events = recordedEvents(new URL(file, FIXTURES).pathname);
  const second = events.findIndex((e, i) => i > 0 && e.event.type === 'SUBSCRIBED');
  return second < 0 ? events : events.slice(0, second);
}

function recordedAcks(file: string): unknown[] {
  return readFileSync(new URL(file, FIXTURES), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { kind: string; body?: { type?: string; acknowledge?: unknown } })
    .filter((r) => r.kind === 'call' && r.body?.type === 'ACKNOWLEDGE')
    .map((r) => r.body!.acknowledge);
}

describe('MesosSchedulerDriver against recorded real-Mesos streams', () => {
  it.each([['session-scheduler.jsonl'], ['faults-scheduler.jsonl']])('replays %s byte for byte: callbacks and implicit ACKs match the recording', async (file) => {
    const events = firstSubscription(file);
    const frameworkId = (events[0]!.event.subscribed as { framework_id: { value: string } }).framework_id.value;
    const { master, driver, seen, names } = await setup({ isAutoSubscribed: false, assignFrameworkId: () => frameworkId });
    await driver.start();
    const stream = await master.waitForStream(0);
    for (const e of events) stream.sendRaw(encodeRecord(e.bytes));
    const updates = events.filter((e) => e.event.type === 'UPDATE').length;
    await waitFor(() => seen.filter((s) => s.name === 'statusUpdate').length === updates);
    const expectedAcks = recordedAcks(file).slice(0, events.filter((e) => JSON.stringify(e.event).includes('"uuid"')).length);
    await waitFor(() => master.callsOf('ACKNOWLEDGE').length === expectedAcks.length);
    await driver.reviveOffers(); // every ACK made before this call has been sent
    // ACKNOWLEDGEs of different tasks may overtake each other (they are pipelined); per task they keep the recorded order.
    const byTask = (acks: { task_id: { value: string } }[]) => [...acks].sort((a, b) => (a.task_id.value < b.task_id.value ? -1 : a.task_id.value > b.task_id.value ? 1 : 0));
    expect(byTask(master.callsOf('ACKNOWLEDGE').map((c) => c.body!.acknowledge as { task_id: { value: string } }))).toEqual(byTask(expectedAcks as { task_id: { value: string } }[]));
    const expected: string[] = [];
    for (const { event } of events) {
      const failure = event.failure as { executor_id?: unknown } | undefined;
      const map: Record<string, string[]> = {
        SUBSCRIBED: ['registered'],
        HEARTBEAT: [],
        OFFERS: ['resourceOffers'],
        UPDATE: ['statusUpdate'],
        MESSAGE: ['frameworkMessage'],
        FAILURE: failure?.executor_id ? ['executorLost'] : ['slaveLost', 'agentLost'],
      };
      expected.push(...map[event.type]!);
    }
    await waitFor(() => names().length >= expected.length);
    expect(names()).toEqual(expected);
    if (file.startsWith('faults')) {
      expect(seen.find((s) => s.name === 'executorLost')!.args).toEqual([{ value: 'exec-crashy-0' }, { value: `${frameworkId.slice(0, -5)}-S0` }, 1280]);
    }
  });

  it('takes the raw head of a real subscription stream (session-stream-head.recordio)', async () => {
    const head = readFileSync(new URL('session-stream-head.recordio', FIXTURES));
    const frameworkId = /"framework_id":\{"value":"([^"]+)"/.exec(head.toString('utf8'))![1]!;
    const { master, driver, names } = await setup({ isAutoSubscribed: false, assignFrameworkId: () => frameworkId });
    await driver.start();
    (await master.waitForStream(0)).sendRaw(head);
    await waitFor(() => names().length === 4);
    expect(names()).toEqual(['registered', 'resourceOffers', 'statusUpdate', 'resourceOffers']);
  });
});

describe('MesosSchedulerDriver stream decoding and bad input', () => {
  it('decodes records split at every chunk size 1..64, multi-byte UTF-8 included', async () => {
    const { master, driver, seen } = await setup();
    await driver.start();
    const stream = await master.waitForStream(0);
    const status = (n: number) => ({ task_id: { value: `t-${n}` }, state: 'TASK_RUNNING', message: `héllo ✓ ${n} 🚀`, agent_id: AGENT, timestamp: 1724445540.5 });
    for (let size = 1; size <= 64; size++) await stream.sendInChunks({ type: 'UPDATE', update: { status: status(size) } }, size);
    await waitFor(() => seen.filter((s) => s.name === 'statusUpdate').length === 64);
    const got = seen.filter((s) => s.name === 'statusUpdate').map((s) => s.args[0]);
    expect(got).toEqual(Array.from({ length: 64 }, (_, i) => status(i + 1)));
  });

  it.each([
    [1, 'a non-digit RecordIO length', 'x5\n{}'],
    [2, 'a record that is not JSON', '9\n{not json'],
    [3, 'invalid UTF-8 in a record', Buffer.concat([Buffer.from('4\n"'), Buffer.from([0xff, 0xfe]), Buffer.from('"')])],
  ])('bad stream %i (%s): error callback with ProtocolError, then re-subscribes', async (_n, _name, bytes) => {
    const { master, driver, seen, names } = await setup();
    await driver.start();
    await waitFor(() => names().includes('registered'));
    master.streams[0]!.sendRaw(bytes);
    await waitFor(() => names().includes('reregistered'));
    expect(names()).toEqual(['registered', 'error', 'disconnected', 'reregistered']);
    expect(seen[1]!.args[1]).toBeInstanceOf(ProtocolError);
  });

  it('reports and skips an unknown event type or a malformed event, keeping the subscription', async () => {
    const { master, driver, seen, names } = await setup();
    await driver.start();
    const stream = await master.waitForStream(0);
    stream.send({ type: 'TELEPORT', teleport: {} });
    stream.send({ type: 'UPDATE', update: { status: { state: 'TASK_RUNNING' } } });
    stream.send({ type: 'RESCIND', rescind: { offer_id: { value: 'O1' } } });
    await waitFor(() => names().includes('offerRescinded'));
    expect(names()).toEqual(['registered', 'error', 'error', 'offerRescinded']);
    expect(seen[1]!.args[0]).toMatch(/unknown scheduler event type "TELEPORT"/);
    expect(seen[2]!.args[0]).toMatch(/update\.status\.task_id/);
    expect(master.streams).toHaveLength(1);
  });

  it('a stream closed mid-record by the master (terminating chunk) is reported as truncated and re-subscribed', async () => {
    const { master, driver, seen, names } = await setup();
    await driver.start();
    await waitFor(() => names().includes('registered'));
    master.streams[0]!.sendRaw('100\n{"type":"HEART');
    master.streams[0]!.end();
    await waitFor(() => names().includes('reregistered'));
    expect(names()).toEqual(['registered', 'error', 'disconnected', 'reregistered']);
    expect(String(seen[1]!.args[0])).toMatch(/truncated/);
  });

  it('a socket cut mid-record is a disconnection (no error callback) and re-subscribes', async () => {
    const { master, driver, names } = await setup();
    await driver.start();
    await waitFor(() => names().includes('registered'));
    master.streams[0]!.sendRaw('100\n{"type":"HEART');
    master.streams[0]!.cut();
    await waitFor(() => names().includes('reregistered'));
    expect(names()).toEqual(['registered', 'disconnected', 'reregistered']);
  });

  it('a first event other than SUBSCRIBED is a protocol error; the driver retries', async () => {
    const { master, driver, names } = await setup({ isAutoSubscribed: false });
    await driver.start();
    (await master.waitForStream(0)).send({ type: 'HEARTBEAT' });
    const second = await master.waitForStream(1);
    second.send({ type: 'SUBSCRIBED', subscribed: { framework_id: { value: second.frameworkId }, master_info: master.masterInfo } });
    await waitFor(() => names().includes('registered'));
    expect(names()).toEqual(['error', 'registered']);
  });

  it('an ERROR event mid-stream: error callback, disconnected, re-subscribe', async () => {
    const { master, driver, seen, names } = await setup();
    await driver.start();
    await waitFor(() => names().includes('registered'));
    master.streams[0]!.send({ type: 'ERROR', error: { message: 'Something odd' } });
    await waitFor(() => names().includes('reregistered'));
    expect(names()).toEqual(['registered', 'error', 'disconnected', 'reregistered']);
    expect(seen[1]!.args[0]).toBe('Something odd');
  });

  it('ERROR "Framework has been removed" mid-stream aborts the driver for good', async () => {
    const { master, driver, names } = await setup();
    await driver.start();
    await waitFor(() => names().includes('registered'));
    master.streams[0]!.send({ type: 'ERROR', error: { message: 'Framework has been removed' } });
    expect(await driver.join()).toBe('DRIVER_ABORTED');
    expect(names()).toEqual(['registered', 'error']);
    expect(master.callsOf('SUBSCRIBE')).toHaveLength(1);
  });

  it('a re-subscribe refused with a first-record ERROR (removed framework) aborts with the message', async () => {
    const { master, driver, seen } = await setup({}, {}, { ...FRAMEWORK, id: { value: 'gone-0000' } });
    master.removeFramework('gone-0000');
    expect(await driver.run()).toBe('DRIVER_ABORTED');
    expect(seen.map((s) => [s.name, s.args[0]])).toEqual([['error', 'Framework has been removed']]);
    expect((await driver.closed())?.message).toMatch(/Framework has been removed/);
  });

  it('a second scheduler failing over the same framework id aborts the first ("Framework failed over")', async () => {
    const { master, driver, names } = await setup();
    await driver.start();
    await waitFor(() => names().includes('registered'));
    const frameworkId = master.streams[0]!.frameworkId;
    const other = recordingScheduler();
    const second = new MesosSchedulerDriver(other.scheduler, { ...FRAMEWORK, id: { value: frameworkId } }, master.url);
    cleanup.push(() => second.abort());
    await second.start();
    expect(await driver.join()).toBe('DRIVER_ABORTED');
    expect(names()).toEqual(['registered', 'error']);
    await waitFor(() => other.names().includes('reregistered'));
  });

  it('a callback that throws aborts the driver; closed() resolves with that error', async () => {
    const boom = new Error('callback bug');
    const { master, driver } = await setup({}, { offerRescinded: () => Promise.reject(boom) });
    await driver.start();
    (await master.waitForStream(0)).send({ type: 'RESCIND', rescind: { offer_id: { value: 'O1' } } });
    expect(await driver.join()).toBe('DRIVER_ABORTED');
    expect(await driver.closed()).toBe(boom);
  });

  it('a failed implicit ACK is published on the status iterable, not thrown', async () => {
    const { master, driver, names } = await setup();
    const failures: string[] = [];
    void (async () => {
      for await (const s of driver.status()) if (s.type === 'acknowledgementFailed') failures.push(s.taskId);
    })();
    await driver.start();
    await waitFor(() => names().includes('registered'));
    master.script('ACKNOWLEDGE', { status: 400, body: 'Failed to validate scheduler::Call: Not a valid UUID' });
    master.streams[0]!.send({ type: 'UPDATE', update: { status: { task_id: { value: 't9' }, state: 'TASK_RUNNING', agent_id: AGENT, uuid: UUID } } });
    await waitFor(() => failures.length === 1);
    expect(failures).toEqual(['t9']);
    expect(driver.driverStatus).toBe('DRIVER_RUNNING');
  });
});
