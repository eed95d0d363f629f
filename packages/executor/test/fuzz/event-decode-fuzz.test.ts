/**
 * Chaos for the executor's event decoder (docs/design.md, "Bad input"): random JSON, real-agent events
 * with fields removed or retyped, unknown types. `decodeEvent` must either refuse with a
 * ProtocolError or return an event whose every field MesosExecutorDriver#handleEvent reads has
 * its Mesos type — never a TypeError later, inside a callback.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { EXECUTOR_EVENT_TYPES, ProtocolError, type ExecutorEvent } from '@mesosgot/common';
import { decodeEvent } from '@mesosgot/executor/internal';
import { checkDecodeWith, eventDecoderProperties, recordedEvents } from '../../../common/test/support/event-decoder-fuzz.js';

/** Every event a real Mesos 1.12 agent sent in the recordings. */
const RECORDED = recordedEvents(['session-executor.jsonl', 'faults-executor.jsonl']);

const id = (value: string): { value: string } => ({ value });
/** The event types the recordings lack, written from docs/protocol.md, "Executor events". */
const HAND_MADE: unknown[] = [
  {
    type: 'LAUNCH_GROUP',
    launch_group: { task_group: { tasks: [{ name: 'a', task_id: id('t-1'), agent_id: id('s') }, { name: 'b', task_id: id('t-2'), agent_id: id('s') }] } },
  },
  { type: 'ERROR', error: { message: 'Executor is terminating' } },
  { type: 'HEARTBEAT' },
];
const SEEDS = [...RECORDED, ...HAND_MADE];

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown): boolean => isObject(v) && typeof v.value === 'string';
const isTask = (v: unknown): boolean => isObject(v) && isId(v.task_id);

/** What MesosExecutorDriver#handleEvent and an Executor read, checked without trusting the decoder. */
function violation(event: ExecutorEvent): string | undefined {
  switch (event.type) {
    case 'SUBSCRIBED': {
      const s: unknown = event.subscribed;
      if (!isObject(s) || !isObject(s.executor_info) || !isId(s.executor_info.executor_id)) return 'subscribed.executor_info';
      if (!isObject(s.framework_info) || !isObject(s.agent_info)) return 'subscribed.framework_info / agent_info';
      return s.agent_info.id === undefined || isId(s.agent_info.id) ? undefined : 'subscribed.agent_info.id';
    }
    case 'LAUNCH':
      return isObject(event.launch) && isTask(event.launch.task) ? undefined : 'launch.task';
    case 'LAUNCH_GROUP': {
      const tasks: unknown = isObject(event.launch_group) && isObject(event.launch_group.task_group) ? event.launch_group.task_group.tasks : null;
      return tasks === undefined || (Array.isArray(tasks) && tasks.every(isTask)) ? undefined : 'launch_group.task_group.tasks';
    }
    case 'KILL':
      return isObject(event.kill) && isId(event.kill.task_id) ? undefined : 'kill.task_id';
    case 'ACKNOWLEDGED':
      return isObject(event.acknowledged) && isId(event.acknowledged.task_id) && typeof event.acknowledged.uuid === 'string'
        ? undefined
        : 'acknowledged';
    case 'MESSAGE':
      return isObject(event.message) && typeof event.message.data === 'string' ? undefined : 'message.data';
    case 'ERROR':
      return isObject(event.error) && typeof event.error.message === 'string' ? undefined : 'error.message';
    case 'SHUTDOWN':
    case 'HEARTBEAT':
      return undefined;
    default:
      return `type ${String((event as { type: unknown }).type)}`;
  }
}

const SUBJECT = { seeds: SEEDS, types: EXECUTOR_EVENT_TYPES, decode: decodeEvent, violation };
const checkDecode = (input: unknown): 'refused' | 'accepted' => checkDecodeWith(SUBJECT, input);

describe('executor event decoder fuzz', () => {
  it('0. every seed event decodes, and the oracle catches unreadable events', () => {
    expect(SEEDS.length).toBeGreaterThanOrEqual(8);
    for (const seed of SEEDS) expect(checkDecode(seed)).toBe('accepted');
    const unreadable = [
      { type: 'LAUNCH', launch: { task: { name: 'x' } } },
      { type: 'ACKNOWLEDGED', acknowledged: { task_id: id('t') } },
      { type: 'LAUNCH_GROUP', launch_group: { task_group: { tasks: {} } } },
      { type: 'SUBSCRIBED', subscribed: { executor_info: {}, framework_info: {}, agent_info: {} } },
    ];
    for (const event of unreadable) expect(violation(event as unknown as ExecutorEvent)).toBeDefined();
  });

  eventDecoderProperties(SUBJECT);

  it('5. corrupted bytes of real events, when still JSON: ProtocolError or readable (1 000 cases)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SEEDS), fc.nat(), fc.integer({ min: 0x20, max: 0x7e }), (seed, at, byte) => {
        const b = Buffer.from(JSON.stringify(seed));
        b[at % b.length] = byte;
        let json: unknown;
        try {
          json = JSON.parse(b.toString('utf8'));
        } catch {
          // Not JSON any more: decodeJsonRecords refuses it before the event decoder (recordio fuzz).
          return;
        }
        checkDecode(json);
      }),
      { numRuns: 1_000 },
    );
  });

  it('6. a field nested 100 000 deep is refused with a ProtocolError, not a RangeError', () => {
    const deep: unknown = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    for (const event of [{ type: deep }, { type: 'KILL', kill: { task_id: deep } }, { type: 'MESSAGE', message: { data: deep } }]) {
      expect(() => decodeEvent(event)).toThrow(ProtocolError);
    }
  });
});
