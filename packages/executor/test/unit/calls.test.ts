import { describe, it, expect } from '@jest/globals';
import { InvalidArgumentError, isValidStatusUuid, newStatusUuid, type TaskStatus } from '@mesosgot/common';
import { heartbeat, message, stampStatus, subscribe, update } from '../../src/calls/index.js';

const IDS = { frameworkId: 'fw-0000', executorId: 'exec-1' };
const ENVELOPE = { framework_id: { value: 'fw-0000' }, executor_id: { value: 'exec-1' } };
const RUNNING: TaskStatus = { task_id: { value: 't1' }, state: 'TASK_RUNNING' };

describe('calls', () => {
  const cases: [number, string, unknown, unknown][] = [
    [1, 'empty subscribe is "subscribe":{}', subscribe(IDS), { type: 'SUBSCRIBE', ...ENVELOPE, subscribe: {} }],
    [2, 'subscribe with empty lists omits them', subscribe(IDS, { tasks: [], updates: [] }), { type: 'SUBSCRIBE', ...ENVELOPE, subscribe: {} }],
    [
      3,
      'subscribe carries unacknowledged_tasks and unacknowledged_updates[].status',
      subscribe(IDS, { tasks: [{ name: 't', task_id: { value: 't1' }, agent_id: { value: 'a' } }], updates: [RUNNING] }),
      {
        type: 'SUBSCRIBE',
        ...ENVELOPE,
        subscribe: {
          unacknowledged_tasks: [{ name: 't', task_id: { value: 't1' }, agent_id: { value: 'a' } }],
          unacknowledged_updates: [{ status: RUNNING }],
        },
      },
    ],
    [4, 'update wraps the status', update(IDS, RUNNING), { type: 'UPDATE', ...ENVELOPE, update: { status: RUNNING } }],
    [5, 'message base64-encodes text as UTF-8', message(IDS, 'pong é'), { type: 'MESSAGE', ...ENVELOPE, message: { data: Buffer.from('pong é').toString('base64') } }],
    [6, 'message base64-encodes bytes', message(IDS, new Uint8Array([0, 255, 1])), { type: 'MESSAGE', ...ENVELOPE, message: { data: 'AP8B' } }],
    [7, 'heartbeat has only the ids', heartbeat(IDS), { type: 'HEARTBEAT', ...ENVELOPE }],
  ];
  it.each(cases)('case %i: %s', (_n, _what, actual, expected) => {
    expect(actual).toEqual(expected);
  });

  it('message encodes only the view of a subarray', () => {
    const bytes = new Uint8Array([9, 9, 1, 2, 9]).subarray(2, 4);
    expect(message(IDS, bytes)).toMatchObject({ message: { data: Buffer.from([1, 2]).toString('base64') } });
  });
});

describe('stampStatus', () => {
  it('sets uuid, SOURCE_EXECUTOR, executor_id and a timestamp', () => {
    const uuid = newStatusUuid();
    const stamped = stampStatus(IDS, { ...RUNNING, message: 'up' }, uuid, 1234.5);
    expect(stamped).toEqual({ ...RUNNING, message: 'up', source: 'SOURCE_EXECUTOR', executor_id: { value: 'exec-1' }, timestamp: 1234.5, uuid });
    expect(isValidStatusUuid(stamped.uuid)).toBe(true);
  });

  const bad: [number, string, TaskStatus][] = [
    [1, 'status.state', { task_id: { value: 't1' }, state: 'TASK_STAGING' }],
    [2, 'status.task_id', { task_id: { value: '' }, state: 'TASK_RUNNING' }],
    [3, 'status.executor_id', { ...RUNNING, executor_id: { value: 'other' } }],
    [4, 'status.source', { ...RUNNING, source: 'SOURCE_AGENT' }],
  ];
  it.each(bad)('case %i: refuses a bad %s with InvalidArgumentError', (_n, field, status) => {
    expect(() => stampStatus(IDS, status, newStatusUuid())).toThrow(InvalidArgumentError);
    expect(() => stampStatus(IDS, status, newStatusUuid())).toThrow(field);
  });
});
