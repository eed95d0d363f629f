/**
 * Regression (found by test/fuzz/event-decode-fuzz.test.ts): a deeply nested JSON value in a
 * field the decoder refuses (or in `type`) made the error message's JSON.stringify throw a
 * RangeError, so a garbage event escaped as "Maximum call stack size exceeded" instead of a
 * ProtocolError.
 */
import { describe, expect, it } from '@jest/globals';
import { ProtocolError } from '@mesosgot/common';
import { decodeEvent } from '@mesosgot/executor/internal';

const deep = (depth: number): unknown => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`);

describe('regression: deep-json-event-field', () => {
  it.each([
    [1, 'unknown executor event type', (v: unknown) => ({ type: v })],
    [2, 'kill.task_id', (v: unknown) => ({ type: 'KILL', kill: { task_id: v } })],
    [3, 'launch.task', (v: unknown) => ({ type: 'LAUNCH', launch: { task: v } })],
    [4, 'error.message', (v: unknown) => ({ type: 'ERROR', error: { message: v } })],
  ])('%i. a 200 000-deep array is a ProtocolError mentioning %s', (_n, text, build) => {
    const attempt = (): unknown => decodeEvent(build(deep(200_000)));
    expect(attempt).toThrow(ProtocolError);
    expect(attempt).toThrow(text);
  });
});
