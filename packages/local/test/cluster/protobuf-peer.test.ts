/**
 * A raw protobuf peer against the local master: the SUBSCRIBE bytes a real Mesos 1.12 master
 * was sent (real-mesos/protobuf/subscribe-protobuf.json) get a protobuf stream whose records
 * decode to the recorded event types and fields, ids and times aside (docs/protobuf.md).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { type SchedulerEvent } from '@mesosgot/common/internal';
import { SCHEDULER_EVENT_CODEC } from '@mesosgot/common/protobuf';
import { clusterWithSchedulers } from '../support/cluster-with-schedulers.js';
import { HttpScheduler, post } from '../support/http-scheduler.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/real-mesos/protobuf/', import.meta.url));
const recording = JSON.parse(readFileSync(`${FIXTURES}subscribe-protobuf.json`, 'utf8')) as {
  request_protobuf_base64: string;
  records_base64: string[];
};
const recordedRequest = Buffer.from(recording.request_protobuf_base64, 'base64');
const recordedEvents = recording.records_base64.map((b) => SCHEDULER_EVENT_CODEC.fromBinary(Buffer.from(b, 'base64')));

/** Leaf paths of a wire object with their JSON types: the fields present, whatever their values. */
function shape(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v) => shape(v, `${path}[]`));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => shape(v, path === '' ? k : `${path}.${k}`));
  }
  return [`${path}:${typeof value}`];
}
const uniqueShape = (value: unknown): string[] => [...new Set(shape(value))].sort();

describe('LocalMaster with a raw protobuf scheduler', () => {
  const fixture = clusterWithSchedulers();

  it('answers the recorded protobuf SUBSCRIBE with protobuf SUBSCRIBED, HEARTBEAT, OFFERS shaped as recorded', async () => {
    const s = await HttpScheduler.subscribe(fixture.url, { user: 'root', name: 'pb-lab' }, {}, { encoding: 'protobuf', rawBody: recordedRequest });
    fixture.track(s);
    expect(s.status).toBe(200);
    expect(s.contentType).toBe('application/x-protobuf');
    await s.next('OFFERS');
    const local = s.events.slice(0, 3);
    expect(local.map((e) => e.type)).toEqual(recordedEvents.map((e) => e.type));
    for (const [i, event] of local.entries()) expect(uniqueShape(event)).toEqual(uniqueShape(recordedEvents[i]));
    const [, , offers] = local as [SchedulerEvent, SchedulerEvent, Extract<SchedulerEvent, { type: 'OFFERS' }>];
    const [recordedOffers] = recordedEvents.slice(2) as [Extract<SchedulerEvent, { type: 'OFFERS' }>];
    // Same agent resources as the recording's agent: the same resources, in the same format.
    expect(offers.offers.offers![0]!.resources).toEqual(recordedOffers.offers.offers![0]!.resources);
  });

  it('takes protobuf calls on the same framework: DECLINE is 202 and the resources come back', async () => {
    const s = await HttpScheduler.subscribe(fixture.url, { user: 'root', name: 'pb-lab' }, {}, { encoding: 'protobuf' });
    fixture.track(s);
    const first = await s.next('OFFERS');
    const answer = await s.call({
      type: 'DECLINE',
      decline: { offer_ids: [first.offers.offers![0]!.id], filters: { refuse_seconds: 0 } },
    });
    expect(answer.status).toBe(202);
    await s.next('OFFERS', (e) => e.offers.offers![0]!.id.value !== first.offers.offers![0]!.id.value);
  });

  it('launches a command task over protobuf: STARTING, RUNNING, FAILED as recorded, each acknowledged in protobuf', async () => {
    const session = readFileSync(fileURLToPath(new URL('../fixtures/real-mesos/session-scheduler.jsonl', import.meta.url)), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as { kind: string; event?: SchedulerEvent });
    const recorded = session
      .map((l) => l.event)
      .filter((e): e is Extract<SchedulerEvent, { type: 'UPDATE' }> => e?.type === 'UPDATE' && e.update.status.task_id.value === 'cmd-0');
    const s = await HttpScheduler.subscribe(fixture.url, { user: 'root', name: 'pb-cmd' }, {}, { encoding: 'protobuf' });
    fixture.track(s);
    const offer = (await s.next('OFFERS')).offers.offers![0]!;
    const task = {
      name: 'cmd-0',
      task_id: { value: 'cmd-0' },
      agent_id: offer.agent_id,
      resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } }, { name: 'mem', type: 'SCALAR', scalar: { value: 32 } }],
      command: { value: 'exit 3', shell: true },
    };
    const accepted = await s.call({ type: 'ACCEPT', accept: { offer_ids: [offer.id], operations: [{ type: 'LAUNCH', launch: { task_infos: [task] } }] } });
    expect(accepted.status).toBe(202);
    for (const expected of recorded) {
      const state = expected.update.status.state;
      const update = await s.next('UPDATE', (e) => e.update.status.task_id.value === 'cmd-0' && e.update.status.state === state, { timeoutMs: 10_000 });
      const { status } = update.update;
      // The recorded fields, ids, times and container details aside.
      expect(Object.keys(status).filter((k) => k !== 'container_status').sort()).toEqual(
        Object.keys(expected.update.status).filter((k) => k !== 'container_status').sort(),
      );
      expect(status.message).toBe(expected.update.status.message);
      expect(status.source).toBe(expected.update.status.source);
      const ack = await s.call({ type: 'ACKNOWLEDGE', acknowledge: { agent_id: offer.agent_id, task_id: status.task_id, uuid: status.uuid } });
      expect(ack.status).toBe(202);
    }
    expect(recorded.map((e) => e.update.status.state)).toEqual(['TASK_STARTING', 'TASK_RUNNING', 'TASK_FAILED']);
  });

  it.each([
    [1, 'bytes that do not decode', Buffer.from([0x0a, 0xff, 0xff]), 400, 'Failed to parse body into Call protobuf'],
    [2, 'a SUBSCRIBE without its required framework_info', Buffer.from([0x10, 0x01, 0x1a, 0x00]), 400, 'Failed to parse body into Call protobuf'],
  ])('case %i: refuses %s as Mesos does', async (_n, _what, body, status, text) => {
    const answer = await post(fixture.url, body, { 'Content-Type': 'application/x-protobuf', Accept: 'application/x-protobuf' });
    expect(answer.status).toBe(status);
    expect(answer.body).toBe(text);
  });

  it.each([
    [1, 'application/json', 'json'],
    [2, 'application/x-protobuf', 'protobuf'],
    [3, 'application/x-protobuf, application/json', 'json'],
    [4, '*/*', 'json'],
    [5, 'application/json;q=0, application/x-protobuf', 'protobuf'],
  ])('case %i: Accept %s streams %s', async (_n, accept, expected) => {
    const s = await HttpScheduler.subscribe(fixture.url, { user: 'root', name: 'accept' }, { Accept: accept }, {
      encoding: expected === 'json' ? 'json' : 'protobuf',
    });
    fixture.track(s);
    expect(s.contentType).toBe(expected === 'json' ? 'application/json' : 'application/x-protobuf');
    await s.next('SUBSCRIBED');
  });

  it('refuses an Accept that allows neither encoding with 406', async () => {
    const answer = await post(fixture.url, { type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'root', name: 'x' } } }, {
      'Content-Type': 'application/json',
      Accept: 'text/html',
    });
    expect(answer.status).toBe(406);
    expect(answer.body).toBe("Expecting 'Accept' to allow 'application/x-protobuf' or 'application/json'");
  });
});
