/**
 * A raw protobuf peer against the operator API of the local master and agent (docs/protobuf.md,
 * "Operator API"): calls are bytes written by hand from Mesos' master.proto/agent.proto field
 * numbers, answers are decoded with the generated schema and must carry what the JSON answer to
 * the same call carries; SUBSCRIBE streams protobuf records, also inside `application/recordio`
 * when Message-Accept asks for them.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { fromBinary } from '@bufbuild/protobuf';
import { request } from 'undici';
import { decodeRecordIO } from '@mesosgot/common/internal';
import { AGENT_CALL_CODEC, MASTER_EVENT_CODEC, MASTER_RESPONSE_CODEC, AGENT_RESPONSE_CODEC, type OperatorMessage, type WireCodec } from '@mesosgot/common/protobuf';
import { ResponseSchema as MasterResponseSchema, Response_Type } from '../../../common/src/wire/gen/mesos/v1/master/master_pb.js';
import { LocalCluster } from '../../src/cluster.js';
import { HttpScheduler } from '../support/http-scheduler.js';

const PROTOBUF = 'application/x-protobuf';
/** `Call { type = 1: <n> }`: field 1, varint. Call type numbers of Mesos 1.12. */
const callBytes = (type: number) => Uint8Array.of(0x08, type);
const GET_HEALTH = 1;
const GET_STATE = 9;
const SUBSCRIBE = 18;

async function post(url: string, body: Uint8Array | string, headers: Record<string, string>) {
  const res = await request(`${url}/api/v1`, { method: 'POST', headers, body });
  return { status: res.statusCode, headers: res.headers, body: Buffer.from(await res.body.arrayBuffer()) };
}

/** The same call answered in JSON and in protobuf: both decoded to wire objects. */
async function bothEncodings(url: string, type: string, number: number, codec: WireCodec<OperatorMessage>) {
  const json = await post(url, JSON.stringify({ type }), { 'Content-Type': 'application/json', Accept: 'application/json' });
  const proto = await post(url, callBytes(number), { 'Content-Type': PROTOBUF, Accept: PROTOBUF });
  expect(json.status).toBe(200);
  expect(proto.status).toBe(200);
  expect(proto.headers['content-type']).toBe(PROTOBUF);
  return { json: JSON.parse(json.body.toString('utf8')) as OperatorMessage, proto: codec.fromBinary(proto.body) };
}

/**
 * The JSON answer as protobuf can carry it (docs/protobuf.md, "Operator API"): without the fields
 * the schema does not describe (`parent.key` or `key`) and without empty lists (protobuf has no
 * empty repeated field to tell from an absent one); a 64-bit `nanoseconds` past 2^53 decodes as
 * a decimal string, here read back as the number JSON wrote.
 */
function asProtobufCarriesIt(value: unknown, parent = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => asProtobufCarriesIt(v, parent));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k, v]) => !NOT_IN_SCHEMA.has(k) && !NOT_IN_SCHEMA.has(`${parent}.${k}`) && !(Array.isArray(v) && v.length === 0))
      .map(([k, v]) => [k, asProtobufCarriesIt(v, k)]),
  );
}
const NOT_IN_SCHEMA = new Set(['offer_constraints', 'agent_info.checkpoint']);
const numericTimes = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value), (k, v: unknown) => (k === 'nanoseconds' && typeof v === 'string' ? Number(v) : v));

describe('operator API in protobuf', () => {
  let cluster: LocalCluster;
  let url: string;
  let scheduler: HttpScheduler;

  beforeEach(async () => {
    cluster = new LocalCluster({ agents: 1, allocationIntervalMs: 50, executorShutdownGracePeriodMs: 1_000 });
    url = await cluster.start();
    // One framework with a running task, and no outstanding offers (declined for an hour), so two
    // answers to the same call in a row describe the same state.
    scheduler = await HttpScheduler.subscribe(url, { user: 'root', name: 'pb-operator', roles: ['*'], capabilities: [{ type: 'MULTI_ROLE' }] });
    const offer = (await scheduler.next('OFFERS')).offers.offers![0]!;
    await scheduler.call({
      type: 'ACCEPT',
      accept: {
        offer_ids: [offer.id],
        operations: [{ type: 'LAUNCH', launch: { task_infos: [{ name: 'sleeper', task_id: { value: 'sleeper' }, agent_id: offer.agent_id, resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } }, { name: 'mem', type: 'SCALAR', scalar: { value: 32 } }], command: { value: 'sleep 60' } }] } }],
        filters: { refuse_seconds: 3600 },
      },
    });
    const status = (await scheduler.next('UPDATE', (e) => e.update.status.state === 'TASK_STARTING', { timeoutMs: 15_000 })).update.status;
    await scheduler.call({ type: 'ACKNOWLEDGE', acknowledge: { agent_id: status.agent_id, task_id: status.task_id, uuid: status.uuid } });
    const running = (await scheduler.next('UPDATE', (e) => e.update.status.state === 'TASK_RUNNING', { timeoutMs: 15_000 })).update.status;
    await scheduler.call({ type: 'ACKNOWLEDGE', acknowledge: { agent_id: running.agent_id, task_id: running.task_id, uuid: running.uuid } });
  });

  afterEach(async () => {
    await scheduler.close();
    await cluster.stop();
  });

  it('answers GET_HEALTH with the exact protobuf bytes of Response { type: GET_HEALTH, get_health { healthy: true } }', async () => {
    const answer = await post(url, callBytes(GET_HEALTH), { 'Content-Type': PROTOBUF, Accept: PROTOBUF });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe(PROTOBUF);
    expect([...answer.body]).toEqual([0x08, 0x01, 0x12, 0x02, 0x08, 0x01]);
    const decoded = fromBinary(MasterResponseSchema, answer.body);
    expect(decoded.type).toBe(Response_Type.GET_HEALTH);
    expect(decoded.getHealth?.healthy).toBe(true);
  });

  it("answers the master's GET_STATE in protobuf with what the JSON answer carries", async () => {
    const { json, proto } = await bothEncodings(url, 'GET_STATE', GET_STATE, MASTER_RESPONSE_CODEC);
    expect(proto.type).toBe('GET_STATE');
    expect(numericTimes(proto)).toEqual(asProtobufCarriesIt(json));
    const state = proto.get_state as { get_tasks: { tasks: { task_id: { value: string }; state: string }[] }; get_agents: { agents: unknown[] } };
    expect(state.get_tasks.tasks.map((t) => [t.task_id.value, t.state])).toEqual([['sleeper', 'TASK_RUNNING']]);
    expect(state.get_agents.agents).toHaveLength(1);
  });

  it("answers an agent's GET_STATE in protobuf with what the JSON answer carries", async () => {
    const agentUrl = `http://${cluster.agents[0]!.endpoint}`;
    const { json, proto } = await bothEncodings(agentUrl, 'GET_STATE', GET_STATE, AGENT_RESPONSE_CODEC);
    expect(numericTimes(proto)).toEqual(asProtobufCarriesIt(json));
    const tasks = (proto.get_state as { get_tasks: { launched_tasks: { task_id: { value: string } }[] } }).get_tasks.launched_tasks;
    expect(tasks.map((t) => t.task_id.value)).toEqual(['sleeper']);
  });

  it("answers an agent's LIST_FILES and READ_FILE of a sandbox in protobuf as in JSON", async () => {
    const agentUrl = `http://${cluster.agents[0]!.endpoint}`;
    const sandbox = `/frameworks/${scheduler.frameworkId}/executors/sleeper/runs/latest`;
    for (const call of [
      { type: 'LIST_FILES', list_files: { path: sandbox } },
      { type: 'READ_FILE', read_file: { path: `${sandbox}/stdout`, offset: 0 } },
    ]) {
      const json = await post(agentUrl, JSON.stringify(call), { 'Content-Type': 'application/json', Accept: 'application/json' });
      const proto = await post(agentUrl, AGENT_CALL_CODEC.toBinary(call), { 'Content-Type': PROTOBUF, Accept: PROTOBUF });
      expect([json.status, proto.status]).toEqual([200, 200]);
      const decoded = AGENT_RESPONSE_CODEC.fromBinary(proto.body);
      expect(numericTimes(decoded)).toEqual(asProtobufCarriesIt(JSON.parse(json.body.toString('utf8'))));
      expect(decoded.type).toBe(call.type);
    }
  });

  it.each([
    ['application/x-protobuf', {}, PROTOBUF, undefined],
    ['application/recordio', { 'Message-Accept': PROTOBUF }, 'application/recordio', PROTOBUF],
  ] as const)('streams SUBSCRIBE as protobuf records (Accept %s)', async (accept, extra, contentType, messageContentType) => {
    const controller = new AbortController();
    const res = await request(`${url}/api/v1`, {
      method: 'POST',
      headers: { 'Content-Type': PROTOBUF, Accept: accept, ...extra },
      body: callBytes(SUBSCRIBE),
      signal: controller.signal,
    });
    try {
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe(contentType);
      expect(res.headers['message-content-type']).toBe(messageContentType);
      const events: OperatorMessage[] = [];
      let killed = false;
      for await (const record of decodeRecordIO(res.body)) {
        const event = MASTER_EVENT_CODEC.fromBinary(record);
        events.push(event);
        if (event.type === 'HEARTBEAT' && !killed) {
          killed = true;
          await scheduler.call({ type: 'KILL', kill: { task_id: { value: 'sleeper' } } });
        }
        if (event.type === 'TASK_UPDATED') break;
      }
      expect(events.map((e) => e.type).slice(0, 2)).toEqual(['SUBSCRIBED', 'HEARTBEAT']);
      const subscribed = events[0]!.subscribed as { heartbeat_interval_seconds: number; get_state: { get_tasks: { tasks: { task_id: { value: string } }[] } } };
      expect(subscribed.heartbeat_interval_seconds).toBeGreaterThan(0);
      expect(subscribed.get_state.get_tasks.tasks.map((t) => t.task_id.value)).toEqual(['sleeper']);
      expect(events.at(-1)).toMatchObject({ type: 'TASK_UPDATED', task_updated: { framework_id: { value: scheduler.frameworkId }, state: 'TASK_KILLED' } });
    } finally {
      controller.abort();
    }
  });

  it('refuses a body that is not a Call with 400, and an Accept it cannot meet with 406', async () => {
    const garbage = await post(url, Uint8Array.of(0x0a, 0xff), { 'Content-Type': PROTOBUF, Accept: PROTOBUF });
    expect([garbage.status, garbage.body.toString()]).toEqual([400, 'Failed to parse body into Call protobuf']);
    const typeless = await post(url, Uint8Array.of(), { 'Content-Type': PROTOBUF, Accept: PROTOBUF });
    expect([typeless.status, typeless.body.toString()]).toEqual([400, "Failed to validate master::Call: Expecting 'type' to be present"]);
    const unacceptable = await post(url, callBytes(GET_STATE), { 'Content-Type': PROTOBUF, Accept: 'text/html' });
    expect(unacceptable.status).toBe(406);
    const recordioForCall = await post(url, callBytes(GET_STATE), { 'Content-Type': PROTOBUF, Accept: 'application/recordio', 'Message-Accept': PROTOBUF });
    expect(recordioForCall.status).toBe(406);
  });
});
