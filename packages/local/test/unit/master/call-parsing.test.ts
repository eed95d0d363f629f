/**
 * The converter's leniencies (null = unset, a lone object for a one-element repeated message
 * field) give the same call as the plain body, and a plain body is taken as parsed.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { parseSchedulerCall } from '../../../src/master/call-validation.js';

const id = (value: string) => ({ value });
const scalar = (name: string, value: number) => ({ name, type: 'SCALAR', scalar: { value } });

/** A task as a scheduler writes it, optional fields present or not. */
const task = fc.record(
  {
    name: fc.string({ maxLength: 8 }),
    task_id: fc.stringMatching(/^[a-z]{1,8}$/).map(id),
    agent_id: fc.constant(id('a-S0')),
    resources: fc.array(fc.constantFrom(scalar('cpus', 0.5), scalar('mem', 8), scalar('disk', 1)), { minLength: 1, maxLength: 3 }),
    command: fc.record({ value: fc.string({ maxLength: 8 }), shell: fc.boolean() }, { requiredKeys: ['value'] }),
    labels: fc.record({ labels: fc.array(fc.record({ key: fc.string({ maxLength: 4 }), value: fc.string({ maxLength: 4 }) }), { minLength: 1, maxLength: 2 }) }),
  },
  { requiredKeys: ['name', 'task_id', 'agent_id', 'resources', 'command'] },
);

const accept = fc.array(task, { minLength: 1, maxLength: 4 }).map((tasks) => ({
  type: 'ACCEPT',
  framework_id: id('f'),
  accept: { offer_ids: [id('o1')], operations: [{ type: 'LAUNCH', launch: { task_infos: tasks } }], filters: { refuse_seconds: 5 } },
}));

/** Repeated message fields the converter also takes as a lone object. */
const REPEATED = new Set(['offer_ids', 'operations', 'task_infos', 'resources']);

/** The same call written leniently: tasks with `null` for absent fields, lone objects for one-element repeated message fields. */
function lenient(value: unknown, choices: () => boolean): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const items = Array.isArray(v) ? v.map((item) => lenient(item, choices)) : undefined;
    out[key] = items === undefined ? lenient(v, choices) : REPEATED.has(key) && items.length === 1 && choices() ? items[0] : items;
  }
  if ('task_id' in out) {
    if (choices()) out['executor'] ??= null;
    if (choices()) out['data'] ??= null;
  }
  return out;
}

describe('parseSchedulerCall', () => {
  it('reads nulls and lone objects as the plain call, and takes a plain call as parsed (fast-check)', () => {
    fc.assert(
      fc.property(accept, fc.infiniteStream(fc.boolean()), (call, bools) => {
        const plain = parseSchedulerCall(JSON.stringify(call));
        expect(plain).toEqual({ ok: true, call });
        const choices = bools[Symbol.iterator]();
        const body = JSON.stringify(lenient(call, () => choices.next().value as boolean));
        expect(parseSchedulerCall(body)).toEqual(plain);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses an array where a message belongs, naming the field, and a lone scalar where a repeated message belongs', () => {
    const base = { type: 'DECLINE', framework_id: id('f') };
    expect(parseSchedulerCall(JSON.stringify({ ...base, decline: [{ offer_ids: [] }] }))).toEqual({
      ok: false,
      body: "Failed to convert JSON into Call protobuf: Not expecting a JSON array for field 'decline'",
    });
    expect(parseSchedulerCall(JSON.stringify({ ...base, decline: { offer_ids: 5 } }))).toEqual({
      ok: false,
      body: "Failed to convert JSON into Call protobuf: Not expecting a JSON number for field 'decline.offer_ids'",
    });
  });
});
