// The properties both event decoders (scheduler and executor) are fuzzed against, written once:
// each suite gives its seeds, its event types, its decoder and its oracle of what a driver reads.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ProtocolError } from '@mesosgot/common';
import { anyJson, mutate, mutationArb } from './json-mutations.js';

const FIXTURES = fileURLToPath(new URL('../../../local/test/fixtures/real-mesos/', import.meta.url));

/** Every event a real Mesos 1.12 master or agent sent in these recordings (JSON lines). */
export function recordedEvents(files: readonly string[]): unknown[] {
  return files.flatMap((file) =>
    readFileSync(`${FIXTURES}${file}`, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as { kind: string; event?: unknown })
      .filter((line) => line.kind === 'event' && line.event !== undefined)
      .map((line) => line.event),
  );
}

export interface EventDecoderUnderTest<E> {
  seeds: readonly unknown[];
  types: readonly string[];
  decode: (input: unknown) => E;
  /** What a driver reading `event` would trip over, or undefined when every field it reads is typed right. */
  violation: (event: E) => string | undefined;
}

/** The property every input must satisfy: ProtocolError, or an event the driver can read. */
export function checkDecodeWith<E>(subject: EventDecoderUnderTest<E>, input: unknown): 'refused' | 'accepted' {
  let event: E;
  try {
    event = subject.decode(input);
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw new Error(`decodeEvent threw ${String(error)} for ${JSON.stringify(input)}`);
    return 'refused';
  }
  expect(subject.violation(event)).toBeUndefined();
  return 'accepted';
}

/** Registers properties 1–4 (random JSON, known types with random payloads, mutated real events, bad types) in the current describe. */
export function eventDecoderProperties<E>(subject: EventDecoderUnderTest<E>): void {
  const check = (input: unknown): 'refused' | 'accepted' => checkDecodeWith(subject, input);
  it('1. random JSON values (fc.jsonValue and fc.anything → JSON): ProtocolError or readable (1 500 cases)', () => {
    fc.assert(fc.property(fc.oneof(fc.jsonValue({ maxDepth: 4 }), anyJson), (value) => void check(value)), { numRuns: 1_500 });
  });

  it('2. random JSON objects with a known type: ProtocolError or readable (1 000 cases)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...subject.types), fc.dictionary(fc.string(), anyJson), anyJson, (type, extra, payload) => {
        // The payload under the type's own key (e.g. `update` for UPDATE), so validation reaches it.
        check({ ...extra, type, [type.toLowerCase()]: payload });
      }),
      { numRuns: 1_000 },
    );
  });

  it('3. real events with 1–4 fields removed or retyped: ProtocolError or readable (3 000 cases)', () => {
    let refused = 0;
    fc.assert(
      fc.property(fc.constantFrom(...subject.seeds), fc.array(mutationArb, { minLength: 1, maxLength: 4 }), (seed, mutations) => {
        if (check(mutate(seed, mutations)) === 'refused') refused++;
      }),
      { numRuns: 3_000 },
    );
    // The mutations reach required fields (not only ignored ones).
    expect(refused).toBeGreaterThan(100);
  });

  it('4. unknown or mistyped `type` values are a ProtocolError (500 cases)', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string().filter((s) => !subject.types.includes(s)), anyJson.filter((v) => typeof v !== 'string')),
        fc.constantFrom(...subject.seeds),
        (type, seed) => {
          expect(() => subject.decode({ ...(seed as Record<string, unknown>), type })).toThrow(ProtocolError);
        },
      ),
      { numRuns: 500 },
    );
  });
}
