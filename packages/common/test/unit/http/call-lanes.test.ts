import { getEventListeners } from 'node:events';
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

  it('gives each call in flight a signal of its own: the close signal keeps one listener however many calls fly', async () => {
    const close = new AbortController();
    const callers = Array.from({ length: 40 }, () => new AbortController());
    const lanes = new CallLanes({ concurrency: 16, closeSignal: close.signal });
    const signals: AbortSignal[] = [];
    const calls = Array.from({ length: 40 }, (_, i) =>
      lanes.add(
        (signal) =>
          new Promise<void>((_resolve, reject) => {
            signals.push(signal);
            // What a transport does with its call's signal.
            signal.addEventListener('abort', () => reject(signal.reason), { once: true });
          }),
        { isRepeatable: true, key: `t${i}`, ...(i % 2 === 0 ? { signal: callers[i]!.signal } : {}) },
      ),
    );
    await flush();
    expect(signals).toHaveLength(16);
    expect(new Set(signals).size).toBe(16);
    for (const signal of signals) expect(getEventListeners(signal, 'abort')).toHaveLength(1);
    expect(getEventListeners(close.signal, 'abort')).toHaveLength(1);
    const reason = new DriverStoppedError('closing');
    close.abort(reason);
    for (const call of calls) await expect(call).rejects.toBe(reason);
    expect(signals.every((s) => s.aborted && s.reason === reason)).toBe(true);
    // The callers' listeners left with their calls.
    for (const caller of callers) expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
  });

  it("aborts only the caller's call in flight when its own signal aborts", async () => {
    const lanes = new CallLanes({ concurrency: 4 });
    const caller = new AbortController();
    const signals: AbortSignal[] = [];
    let answer!: () => void;
    const send = (signal: AbortSignal): Promise<void> =>
      new Promise<void>((resolve, reject) => {
        signals.push(signal);
        if (signals.length === 2) answer = resolve;
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    const mine = lanes.add(send, { isRepeatable: true, key: 'a', signal: caller.signal });
    const other = lanes.add(send, { isRepeatable: true, key: 'b' });
    await flush();
    caller.abort(new Error('gave up'));
    await expect(mine).rejects.toThrow('gave up');
    expect(signals[1]!.aborted).toBe(false);
    answer();
    await other;
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
