/**
 * The scheduler-endpoint contract, as a table (docs/protocol.md, "Stream id", "Scheduler endpoint answers"), seeded from what a
 * real Mesos 1.12 master answered (packages/local/test/fixtures/real-mesos/scheduler-contract.json).
 * `WIRE_CASES` are raw requests run against any master (the FakeMaster, the LocalCluster) and must
 * get the recorded status and body. `DRIVER_CASES` say how the driver reacts to each answer.
 */
import { readFileSync } from 'node:fs';
import { Client } from 'undici';
import type { FakeReply } from '@mesosgot/local/testing';

interface RecordedAnswer {
  status: number;
  body: string;
  headers: Record<string, string>;
}

const RECORDED = JSON.parse(
  readFileSync(new URL('../../local/test/fixtures/real-mesos/scheduler-contract.json', import.meta.url), 'utf8'),
) as Record<string, RecordedAnswer>;

/** Framework and stream ids as they appear in the recorded bodies, to be replaced by the live ones. */
const RECORDED_FRAMEWORK_ID = 'f3f8a733-332a-4315-91a0-4f916b390132-0000';
const RECORDED_STALE_STREAM_ID = 'd9c9fd91-8274-44a2-810d-36bedc52996b';

export interface WireRequest {
  method: 'GET' | 'POST';
  contentType?: string;
  accept?: string;
  /** A string is sent as is; an object as JSON with `$FID` replaced by the live framework id. */
  body?: string | object;
  /** Which Mesos-Stream-Id header to send. */
  streamId: 'none' | 'current' | 'wrong' | 'stale';
}

export interface WireCase {
  n: number;
  /** The key in scheduler-contract.json. */
  note: string;
  request: WireRequest;
  /** `exact`: body equal to the recording (ids substituted); `prefix`: the part before the parser detail. */
  bodyMatch: 'exact' | 'prefix';
}

const SUB = { type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'root', name: 'x' } } };
const JSON_POST = { method: 'POST', contentType: 'application/json', accept: 'application/json' } as const;

export const WIRE_CASES: WireCase[] = [
  { n: 1, note: 'GET is 405', request: { ...JSON_POST, method: 'GET', streamId: 'none' }, bodyMatch: 'exact' },
  { n: 2, note: 'text/plain content-type is 415', request: { ...JSON_POST, contentType: 'text/plain', body: { type: 'SUBSCRIBE' }, streamId: 'none' }, bodyMatch: 'exact' },
  { n: 3, note: 'json with charset is 415?', request: { ...JSON_POST, contentType: 'application/json; charset=utf-8', body: SUB, streamId: 'none' }, bodyMatch: 'exact' },
  { n: 4, note: 'Accept text/html is 406', request: { ...JSON_POST, accept: 'text/html', body: SUB, streamId: 'none' }, bodyMatch: 'exact' },
  { n: 5, note: 'malformed json is 400', request: { ...JSON_POST, body: '{not json', streamId: 'none' }, bodyMatch: 'prefix' },
  { n: 6, note: 'unknown type is 400', request: { ...JSON_POST, body: { type: 'FLY' }, streamId: 'none' }, bodyMatch: 'exact' },
  { n: 7, note: 'missing framework_info is 400', request: { ...JSON_POST, body: { type: 'SUBSCRIBE', subscribe: {} }, streamId: 'none' }, bodyMatch: 'exact' },
  { n: 8, note: 'DECLINE unknown framework is 400', request: { ...JSON_POST, body: { type: 'DECLINE', framework_id: { value: 'nope' }, decline: { offer_ids: [{ value: 'x' }] } }, streamId: 'none' }, bodyMatch: 'exact' },
  { n: 9, note: 'DECLINE without framework_id is 400', request: { ...JSON_POST, body: { type: 'DECLINE', decline: { offer_ids: [{ value: 'x' }] } }, streamId: 'none' }, bodyMatch: 'exact' },
  { n: 10, note: 'call without Mesos-Stream-Id is 400', request: { ...JSON_POST, body: { framework_id: { value: '$FID' }, type: 'REVIVE' }, streamId: 'none' }, bodyMatch: 'exact' },
  { n: 11, note: 'call with wrong Mesos-Stream-Id is 400', request: { ...JSON_POST, body: { framework_id: { value: '$FID' }, type: 'REVIVE' }, streamId: 'wrong' }, bodyMatch: 'exact' },
  { n: 12, note: 'old stream id after resubscribe is 400', request: { ...JSON_POST, body: { framework_id: { value: '$FID' }, type: 'REVIVE' }, streamId: 'stale' }, bodyMatch: 'exact' },
];

export interface WireResult {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
  /** The recording's answer with the live ids substituted. */
  expected: RecordedAnswer;
}

const WRONG_STREAM_ID = '00000000-0000-0000-0000-000000000000';

/**
 * Runs one wire case against `masterUrl`: subscribes a framework first (twice for `stale`, keeping
 * the streams open while the request is made), sends the request, closes everything it opened.
 */
export async function runWireCase(masterUrl: string, c: WireCase): Promise<WireResult> {
  const streams: Client[] = [];
  const calls = new Client(masterUrl);
  try {
    const first = await openStream(masterUrl, SUB, streams);
    let current = first;
    if (c.request.streamId === 'stale') {
      current = await openStream(masterUrl, { ...SUB, framework_id: { value: first.frameworkId }, subscribe: { framework_info: { ...SUB.subscribe.framework_info, id: { value: first.frameworkId } } } }, streams);
    }
    const streamId = { none: undefined, current: current.streamId, wrong: WRONG_STREAM_ID, stale: first.streamId }[c.request.streamId];
    const body = c.request.body === undefined ? undefined : typeof c.request.body === 'string' ? c.request.body : JSON.stringify(c.request.body).replaceAll('$FID', current.frameworkId);
    const headers: Record<string, string> = {};
    if (c.request.contentType !== undefined) headers['content-type'] = c.request.contentType;
    if (c.request.accept !== undefined) headers.accept = c.request.accept;
    if (streamId !== undefined) headers['mesos-stream-id'] = streamId;
    const res = await calls.request({ path: '/api/v1/scheduler', method: c.request.method, headers, ...(body === undefined ? {} : { body }) });
    const text = await res.body.text();
    const recorded = RECORDED[c.note];
    if (recorded === undefined) throw new Error(`no recording for ${c.note}`);
    const expected = {
      ...recorded,
      body: recorded.body.replaceAll(RECORDED_FRAMEWORK_ID, current.frameworkId).replaceAll(RECORDED_STALE_STREAM_ID, first.streamId),
    };
    return { status: res.statusCode, body: text, headers: res.headers, expected };
  } finally {
    await calls.close();
    await Promise.all(streams.map((s) => s.destroy()));
  }
}

async function openStream(masterUrl: string, body: object, streams: Client[]): Promise<{ streamId: string; frameworkId: string }> {
  const client = new Client(masterUrl);
  streams.push(client);
  const res = await client.request({
    path: '/api/v1/scheduler',
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.statusCode !== 200) throw new Error(`SUBSCRIBE answered ${res.statusCode}: ${await res.body.text()}`);
  const streamId = String(res.headers['mesos-stream-id']);
  // The first record is SUBSCRIBED; its framework id is all we need. Read with a listener, not
  // `for await`: leaving that loop would destroy the body and so close the stream.
  return new Promise((resolve, reject) => {
    let buffered = '';
    res.body.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const match = /"framework_id":\{"value":"([^"]+)"\}/.exec(buffered);
      if (match) resolve({ streamId, frameworkId: match[1]! });
    });
    res.body.on('error', reject);
    res.body.on('end', () => reject(new Error('SUBSCRIBE stream ended before SUBSCRIBED')));
  });
}

/** How the driver must react to one answer of the master. */
export interface DriverCase {
  n: number;
  name: string;
  /** Which request gets the scripted answer. */
  on: 'SUBSCRIBE' | 'REVIVE';
  reply: FakeReply;
  /**
   * SUBSCRIBE: `aborted` (error callback with MesosHttpError, DRIVER_ABORTED) or `retried` (subscribes
   * on the next attempt). REVIVE: `rejected` (the call rejects with MesosHttpError, the driver stays
   * subscribed) or `resubscribed` (rejected, and the driver re-subscribes).
   */
  outcome: 'aborted' | 'retried' | 'rejected' | 'resubscribed';
}

const text = (status: number, body: string): FakeReply => ({ status, body, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
const rec = (note: string): FakeReply => text(RECORDED[note]!.status, RECORDED[note]!.body);

export const DRIVER_CASES: DriverCase[] = [
  { n: 1, name: 'SUBSCRIBE 400 (invalid call)', on: 'SUBSCRIBE', reply: rec('missing framework_info is 400'), outcome: 'aborted' },
  { n: 2, name: 'SUBSCRIBE 401 (bad credentials)', on: 'SUBSCRIBE', reply: { ...text(401, ''), headers: { 'WWW-Authenticate': 'Basic realm="mesos-master-scheduler"' } }, outcome: 'aborted' },
  { n: 3, name: 'SUBSCRIBE 403 (principal without value)', on: 'SUBSCRIBE', reply: text(403, ''), outcome: 'aborted' },
  { n: 4, name: 'SUBSCRIBE 405', on: 'SUBSCRIBE', reply: rec('GET is 405'), outcome: 'aborted' },
  { n: 5, name: 'SUBSCRIBE 406', on: 'SUBSCRIBE', reply: rec('Accept text/html is 406'), outcome: 'aborted' },
  { n: 6, name: 'SUBSCRIBE 409', on: 'SUBSCRIBE', reply: text(409, 'Conflict'), outcome: 'aborted' },
  { n: 7, name: 'SUBSCRIBE 415', on: 'SUBSCRIBE', reply: rec('text/plain content-type is 415'), outcome: 'aborted' },
  { n: 8, name: 'SUBSCRIBE 503 no leader', on: 'SUBSCRIBE', reply: text(503, 'No leader elected'), outcome: 'retried' },
  { n: 9, name: 'SUBSCRIBE 503 recovering', on: 'SUBSCRIBE', reply: text(503, 'Master has not finished recovery'), outcome: 'retried' },
  { n: 10, name: 'SUBSCRIBE 500', on: 'SUBSCRIBE', reply: text(500, 'oops'), outcome: 'retried' },
  { n: 11, name: 'SUBSCRIBE 200 without Mesos-Stream-Id', on: 'SUBSCRIBE', reply: { status: 200, headers: { 'Content-Type': 'application/json' }, body: '20\n{"type":"HEARTBEAT"}' }, outcome: 'retried' },
  { n: 12, name: 'SUBSCRIBE 307 without Location', on: 'SUBSCRIBE', reply: { status: 307 }, outcome: 'retried' },
  { n: 13, name: 'call 400 (validation)', on: 'REVIVE', reply: rec('unknown type is 400'), outcome: 'rejected' },
  { n: 14, name: 'call 401', on: 'REVIVE', reply: text(401, ''), outcome: 'rejected' },
  { n: 15, name: 'call 409', on: 'REVIVE', reply: text(409, 'Conflict'), outcome: 'rejected' },
  { n: 16, name: 'call 503', on: 'REVIVE', reply: text(503, 'Master has not finished recovery'), outcome: 'rejected' },
  { n: 17, name: 'call 403 Framework is not subscribed', on: 'REVIVE', reply: text(403, 'Framework is not subscribed'), outcome: 'resubscribed' },
  { n: 18, name: 'call 400 wrong stream id', on: 'REVIVE', reply: rec('call with wrong Mesos-Stream-Id is 400'), outcome: 'resubscribed' },
  { n: 19, name: 'call 400 Framework cannot be found', on: 'REVIVE', reply: rec('DECLINE unknown framework is 400'), outcome: 'resubscribed' },
];
