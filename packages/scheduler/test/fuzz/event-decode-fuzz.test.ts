/**
 * Chaos for the scheduler's event decoder (docs/design.md, "Bad input"): random JSON, real-Mesos
 * events with fields removed or retyped, unknown types, random bytes. `decodeEvent` must either
 * refuse with a ProtocolError or return an event whose every field the driver reads (through
 * `callbacksFor`, and the SUBSCRIBED handling of driver/subscription.ts) has its Mesos type —
 * never a TypeError later, inside a callback.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ProtocolError, SCHEDULER_EVENT_TYPES, type SchedulerEvent } from '@mesosgot/common';
import { callbacksFor, decodeEvent } from '@mesosgot/scheduler/internal';
import { decodeEventBytes } from '../../src/events/decode.js';
import { checkDecodeWith, eventDecoderProperties, recordedEvents } from '../../../common/test/support/event-decoder-fuzz.js';

/** Every event a real Mesos 1.12 master sent in the recordings. */
const RECORDED = recordedEvents(['session-scheduler.jsonl', 'faults-scheduler.jsonl']);

/** The event types the recordings lack, written from docs/protocol.md, "Scheduler events". */
const id = (value: string): { value: string } => ({ value });
const HAND_MADE: unknown[] = [
  { type: 'RESCIND', rescind: { offer_id: id('o-1') } },
  { type: 'INVERSE_OFFERS', inverse_offers: { inverse_offers: [{ id: id('io-1'), framework_id: id('f'), unavailability: {} }] } },
  { type: 'RESCIND_INVERSE_OFFER', rescind_inverse_offer: { inverse_offer_id: id('io-1') } },
  { type: 'UPDATE_OPERATION_STATUS', update_operation_status: { status: { state: 'OPERATION_FINISHED', operation_id: id('op') } } },
  { type: 'ERROR', error: { message: 'Framework has been removed' } },
  { type: 'FAILURE', failure: { agent_id: id('a'), executor_id: id('e'), status: 9 } },
  { type: 'FAILURE', failure: { agent_id: id('a') } },
];
const SEEDS = [...RECORDED, ...HAND_MADE];

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown): boolean => isObject(v) && typeof v.value === 'string';

/**
 * What the driver and a Scheduler read from each callback, checked without trusting the decoder:
 * returns the first violation, or undefined.
 */
function violation(event: SchedulerEvent): string | undefined {
  if (event.type === 'SUBSCRIBED') {
    const hb: unknown = event.subscribed.heartbeat_interval_seconds;
    if (hb !== undefined && (typeof hb !== 'number' || !(hb > 0))) return 'heartbeat_interval_seconds';
  }
  for (const isReregistration of [false, true]) {
    for (const cb of callbacksFor(event, { isReregistration })) {
      const args = cb.args as unknown[];
      const bad = (ok: boolean, what: string): string | undefined => (ok ? undefined : `${cb.name}: ${what}`);
      let problem: string | undefined;
      switch (cb.name) {
        case 'registered':
          problem = bad(isId(args[0]) && isObject(args[1]), 'framework_id / master_info');
          break;
        case 'reregistered':
          problem = bad(isObject(args[0]), 'master_info');
          break;
        case 'resourceOffers':
          problem = bad(Array.isArray(args[0]) && args[0].every((o) => isObject(o) && isId(o.id) && isId(o.agent_id)), 'offers');
          break;
        case 'inverseOffers':
          problem = bad(Array.isArray(args[0]) && args[0].every((o) => isObject(o) && isId(o.id)), 'inverse offers');
          break;
        case 'offerRescinded':
        case 'inverseOfferRescinded':
        case 'slaveLost':
        case 'agentLost':
          problem = bad(isId(args[0]), 'id');
          break;
        case 'statusUpdate': {
          const s = args[0];
          problem = bad(isObject(s) && isId(s.task_id) && typeof s.state === 'string' && (s.uuid === undefined || typeof s.uuid === 'string'), 'status');
          break;
        }
        case 'operationStatusUpdate':
          problem = bad(isObject(args[0]) && typeof args[0].state === 'string', 'operation status');
          break;
        case 'frameworkMessage':
          problem = bad(isId(args[0]) && isId(args[1]) && args[2] instanceof Uint8Array, 'message');
          break;
        case 'executorLost':
          problem = bad(isId(args[0]) && isId(args[1]) && Number.isInteger(args[2]), 'executor lost');
          break;
        case 'error':
          problem = bad(typeof args[0] === 'string', 'message');
          break;
        case 'disconnected':
          problem = 'disconnected is never dispatched from an event';
          break;
      }
      if (problem !== undefined) return problem;
    }
  }
  return undefined;
}

const SUBJECT = { seeds: SEEDS, types: SCHEDULER_EVENT_TYPES, decode: decodeEvent, violation };
const checkDecode = (input: unknown): 'refused' | 'accepted' => checkDecodeWith(SUBJECT, input);

describe('scheduler event decoder fuzz', () => {
  it('0. every seed event decodes (the seeds are valid)', () => {
    expect(SEEDS.length).toBeGreaterThanOrEqual(10);
    for (const seed of SEEDS) expect(checkDecode(seed)).toBe('accepted');
    // The oracle itself can fail: events a driver could not read are caught by `violation`.
    const unreadable = [
      { type: 'OFFERS', offers: { offers: [{ id: id('o') }] } },
      { type: 'UPDATE', update: { status: { task_id: id('t') } } },
      { type: 'MESSAGE', message: { agent_id: id('a'), executor_id: {}, data: '' } },
      { type: 'ERROR', error: {} },
    ];
    for (const event of unreadable) expect(violation(event as unknown as SchedulerEvent)).toBeDefined();
  });

  eventDecoderProperties(SUBJECT);

  it('5. random bytes and corrupted real events through decodeEventBytes: ProtocolError or readable (1 000 cases)', () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 64 }),
      fc
        .tuple(fc.constantFrom(...SEEDS), fc.nat(), fc.integer({ min: 0, max: 255 }))
        .map(([seed, at, byte]) => {
          const b = Buffer.from(JSON.stringify(seed));
          b[at % b.length] = byte;
          return new Uint8Array(b);
        }),
    );
    fc.assert(
      fc.property(bytes, (payload) => {
        try {
          expect(violation(decodeEventBytes(payload))).toBeUndefined();
        } catch (error) {
          if (!(error instanceof ProtocolError)) throw error;
        }
      }),
      { numRuns: 1_000 },
    );
  });

  it('6. a field nested 100 000 deep is refused with a ProtocolError, not a RangeError', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    for (const text of [`{"type":${deep}}`, `{"type":"UPDATE","update":{"status":${deep}}}`, `{"type":"RESCIND","rescind":{"offer_id":${deep}}}`]) {
      expect(() => decodeEventBytes(Buffer.from(text))).toThrow(ProtocolError);
    }
  });
});
