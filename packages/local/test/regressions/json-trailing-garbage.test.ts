/**
 * Regression (found by test/cluster/bad-request-flood.test.ts): the local master parsed the first
 * JSON value of a scheduler call body and ignored what followed, so `{…REVIVE…}garbage` was
 * accepted (202) and random bytes starting with a digit got a protobuf-conversion error. A real
 * master parses with stout's JSON::parse, which refuses non-whitespace after the value:
 * 400 `Failed to parse body into JSON: Parsed JSON included non-whitespace trailing characters: …`.
 */
import { describe, expect, it } from '@jest/globals';
import { parseSchedulerCall } from '../../src/master/call-validation.js';

const REVIVE = '{"type":"REVIVE","framework_id":{"value":"f"}}';
const PREFIX = 'Failed to parse body into JSON: Parsed JSON included non-whitespace trailing characters: ';

describe('regression: json-trailing-garbage', () => {
  it.each([
    [1, `${REVIVE}garbage`, 'garbage'],
    [2, `${REVIVE} \n x y \r\n`, ' \n x y'],
    [3, `${REVIVE}${REVIVE}`, REVIVE],
    [4, '5\u0001\u00ff', '\u0001\u00ff'],
    [5, '[] ]', ' ]'],
  ])('%i. a body with trailing text is refused, quoting the text up to its last visible character', (_n, body, trailing) => {
    expect(parseSchedulerCall(body)).toEqual({ ok: false, body: PREFIX + trailing });
  });

  it.each([
    [6, REVIVE],
    [7, ` \t${REVIVE} \r\n\t `],
  ])('%i. whitespace around the value is still accepted', (_n, body) => {
    expect(parseSchedulerCall(body)).toMatchObject({ ok: true, call: { type: 'REVIVE' } });
  });

  it('8. three MB of spaces and one letter after the value is refused in linear time', () => {
    const started = Date.now();
    const result = parseSchedulerCall(`${REVIVE}${' '.repeat(3 * 1024 * 1024)}x`);
    expect(result.ok).toBe(false);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
