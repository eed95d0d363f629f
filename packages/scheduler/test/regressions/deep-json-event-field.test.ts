/**
 * Regression (found by test/fuzz/event-decode-fuzz.test.ts): a deeply nested JSON value in a
 * field the decoder refuses made its error message (`show`, JSON.stringify) throw a RangeError,
 * so a garbage event escaped as "Maximum call stack size exceeded" instead of a ProtocolError.
 */
import { describe, expect, it } from '@jest/globals';
import { ProtocolError } from '@mesosgot/common';
import { decodeEvent } from '@mesosgot/scheduler/internal';

const deep = (depth: number): unknown => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`);

describe('regression: deep-json-event-field', () => {
  it.each([
    [1, 'type', (v: unknown) => ({ type: v })],
    [2, 'update.status', (v: unknown) => ({ type: 'UPDATE', update: { status: v } })],
    [3, 'offers.offers[0].id', (v: unknown) => ({ type: 'OFFERS', offers: { offers: [{ id: v, agent_id: { value: 'a' } }] } })],
    [4, 'error.message', (v: unknown) => ({ type: 'ERROR', error: { message: v } })],
  ])('%i. a 200 000-deep array in %s is a ProtocolError naming the field', (_n, field, build) => {
    const attempt = (): unknown => decodeEvent(build(deep(200_000)));
    expect(attempt).toThrow(ProtocolError);
    expect(attempt).toThrow(field === 'type' ? /event\.type/ : new RegExp(field.replace(/[.[\]]/g, '\\$&')));
  });
});
