import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { CallLanes, DriverStoppedError, type LaneOptions } from '../../../src/internal.js';

/** One call the lanes started; `answer` settles it. */
interface Started {
  name: string;
  options: LaneOptions;
  answer(error?: Error): void;
  isAnswered: boolean;
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** CallLanes whose calls stay in flight until the test answers them. */
function held(concurrency = 4) {
  const started: Started[] = [];
  const lanes = new CallLanes({ concurrency });
  const add = (name: string, options: LaneOptions = {}): Promise<void> =>
    lanes.add(
      () =>
        new Promise<void>((resolve, reject) => {
          const s: Started = {
            name,
            options,
            isAnswered: false,
            answer: (error) => {
              s.isAnswered = true;
              if (error) reject(error);
              else resolve();
            },
          };
          started.push(s);
        }),
      options,
    );
  const inFlight = (): Started[] => started.filter((s) => !s.isAnswered);
  return { lanes, add, started, inFlight };
}

describe('CallLanes', () => {
  it('runs repeatable calls of one key one at a time, in order, while other keys pass them', async () => {
    const { add, started, inFlight } = held(4);
    const all = [add('a1', { isRepeatable: true, key: 'a' }), add('a2', { isRepeatable: true, key: 'a' }), add('b1', { isRepeatable: true, key: 'b' }), add('a3', { isRepeatable: true, key: 'a' })];
    await flush();
    expect(inFlight().map((s) => s.name)).toEqual(['a1', 'b1']);
    started.find((s) => s.name === 'b1')!.answer();
    started.find((s) => s.name === 'a1')!.answer();
    await flush();
    expect(inFlight().map((s) => s.name)).toEqual(['a2']);
    inFlight()[0]!.answer();
    await flush();
    expect(inFlight().map((s) => s.name)).toEqual(['a3']);
    inFlight()[0]!.answer();
    await Promise.all(all);
  });

  it('holds an ordered call until the repeatable calls added before it (parked ones too) were answered', async () => {
    const { add, started, inFlight } = held(4);
    const all = [add('a1', { isRepeatable: true, key: 'a' }), add('a2', { isRepeatable: true, key: 'a' }), add('m1'), add('b1', { isRepeatable: true, key: 'b' })];
    await flush();
    expect(inFlight().map((s) => s.name)).toEqual(['a1', 'b1']);
    started.find((s) => s.name === 'a1')!.answer();
    await flush();
    expect(inFlight().map((s) => s.name)).toEqual(['b1', 'a2']);
    started.find((s) => s.name === 'a2')!.answer();
    await flush();
    expect(inFlight().map((s) => s.name)).toEqual(['b1', 'm1']);
    for (const s of inFlight()) s.answer();
    await Promise.all(all);
  });

  it('close() rejects queued and parked calls with its reason and refuses later ones', async () => {
    const { lanes, add, inFlight } = held(1);
    const first = add('a1', { isRepeatable: true, key: 'a' });
    const parked = add('a2', { isRepeatable: true, key: 'a' });
    const ordered = add('m1');
    await flush();
    const reason = new DriverStoppedError('closed');
    lanes.close(reason);
    await expect(parked).rejects.toBe(reason);
    await expect(ordered).rejects.toBe(reason);
    await expect(add('m2')).rejects.toBe(reason);
    inFlight()[0]!.answer();
    await first;
    await lanes.onIdle();
  });

  it('keeps per-key order, the concurrency bound and the ordered lane\'s barrier under any answer order (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ key: fc.constantFrom('a', 'b', 'c', undefined), isRepeatable: fc.boolean(), fails: fc.boolean() }), { minLength: 1, maxLength: 50 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 5 }),
        async (plan, picks, concurrency) => {
          const { add, started, inFlight } = held(concurrency);
          const outcomes: string[] = plan.map(() => 'pending');
          const done = plan.map((p, i) =>
            add(String(i), p.isRepeatable ? { isRepeatable: true, ...(p.key === undefined ? {} : { key: p.key }) } : {}).then(
              () => void (outcomes[i] = 'ok'),
              (e: Error) => void (outcomes[i] = e.message),
            ),
          );
          const seen = new Set<Started>();
          for (let step = 0; ; step++) {
            await flush();
            for (const s of started) {
              if (seen.has(s)) continue;
              seen.add(s);
              const i = Number(s.name);
              const earlier = plan.slice(0, i);
              if (!plan[i]!.isRepeatable) {
                earlier.forEach((p, j) => {
                  if (p.isRepeatable) expect(started.find((x) => x.name === String(j))?.isAnswered).toBe(true);
                });
              } else if (plan[i]!.key !== undefined) {
                earlier.forEach((p, j) => {
                  if (p.isRepeatable && p.key === plan[i]!.key) expect(started.find((x) => x.name === String(j))?.isAnswered).toBe(true);
                });
              }
            }
            const flying = inFlight();
            expect(flying.filter((s) => s.options.isRepeatable).length).toBeLessThanOrEqual(concurrency);
            expect(flying.filter((s) => !s.options.isRepeatable).length).toBeLessThanOrEqual(1);
            if (flying.length === 0) break;
            const s = flying[picks[step % picks.length]! % flying.length]!;
            s.answer(plan[Number(s.name)]!.fails ? new Error(`no ${s.name}`) : undefined);
          }
          await Promise.all(done);
          expect(started).toHaveLength(plan.length);
          plan.forEach((p, i) => expect(outcomes[i]).toBe(p.fails ? `no ${i}` : 'ok'));
        },
      ),
      { numRuns: 80 },
    );
  });
});
