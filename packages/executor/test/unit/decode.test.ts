import { describe, it, expect } from '@jest/globals';
import { ProtocolError } from '@mesosgot/common';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeEvent } from '../../src/events/decode.js';

const FIXTURES = ['session-executor.jsonl', 'faults-executor.jsonl'];

function recordedEvents(): unknown[] {
  return FIXTURES.flatMap((name) => {
    const url = new URL(`../../../local/test/fixtures/real-mesos/${name}`, import.meta.url);
    return readFileSync(fileURLToPath(url), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as { kind: string; event?: unknown })
      .filter((entry) => entry.kind === 'event')
      .map((entry) => entry.event);
  });
}

describe('events/decode', () => {
  it('accepts every event a real agent sent, unchanged', () => {
    const events = recordedEvents();
    expect(events.length).toBeGreaterThan(10);
    for (const event of events) expect(decodeEvent(event)).toBe(event);
  });

  const good: [number, unknown][] = [
    [1, { type: 'HEARTBEAT' }],
    [2, { type: 'SHUTDOWN' }],
    [3, { type: 'MESSAGE', message: { data: '' } }],
    [4, { type: 'ERROR', error: { message: 'boom' } }],
    [5, { type: 'LAUNCH_GROUP', launch_group: { task_group: { tasks: [{ name: 'a', task_id: { value: 'a' }, agent_id: { value: 's' } }] } } }],
    [6, { type: 'KILL', kill: { task_id: { value: 't' }, kill_policy: { grace_period: { nanoseconds: 1 } } } }],
    [7, { type: 'ACKNOWLEDGED', acknowledged: { task_id: { value: 't' }, uuid: 'Flkz3I7URJWub+uCTFWF9g==' } }],
  ];
  it.each(good)('case %i: accepts %j', (_n, event) => {
    expect(decodeEvent(event)).toBe(event);
  });

  const bad: [number, unknown, RegExp][] = [
    [1, null, /event must be an object/],
    [2, [], /event must be an object/],
    [3, { type: 'NOPE' }, /unknown executor event type "NOPE"/],
    [4, {}, /unknown executor event type undefined/],
    [5, { type: 'LAUNCH' }, /launch must be an object \(missing\)/],
    [6, { type: 'LAUNCH', launch: { task: { name: 'x' } } }, /launch\.task\.task_id/],
    [7, { type: 'LAUNCH', launch: { task: { task_id: { value: '' } } } }, /launch\.task\.task_id\.value must be a non-empty string/],
    [8, { type: 'KILL', kill: { task_id: 't' } }, /kill\.task_id must be an object/],
    [9, { type: 'ACKNOWLEDGED', acknowledged: { task_id: { value: 't' } } }, /acknowledged\.uuid must be a string/],
    [10, { type: 'MESSAGE', message: { data: 'not base64!' } }, /message\.data must be standard base64/],
    [11, { type: 'MESSAGE', message: {} }, /message\.data must be a string/],
    [12, { type: 'SUBSCRIBED', subscribed: { executor_info: {}, framework_info: {}, agent_info: {} } }, /subscribed\.executor_info\.executor_id/],
    [13, { type: 'SUBSCRIBED', subscribed: { executor_info: { executor_id: { value: 'e' } }, framework_info: {} } }, /subscribed\.agent_info/],
    [14, { type: 'ERROR', error: {} }, /error\.message/],
    [15, { type: 'LAUNCH_GROUP', launch_group: { task_group: { tasks: {} } } }, /tasks must be an array/],
    [16, { type: 'LAUNCH_GROUP', launch_group: { task_group: { tasks: [{}] } } }, /tasks\[0\]\.task_id/],
  ];
  it.each(bad)('case %i: rejects %j with ProtocolError naming the field', (_n, event, message) => {
    expect(() => decodeEvent(event)).toThrow(ProtocolError);
    expect(() => decodeEvent(event)).toThrow(message);
  });
});
