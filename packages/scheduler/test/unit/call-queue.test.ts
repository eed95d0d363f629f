import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { setMaxListeners } from 'node:events';
import { MesosHttpError, NotSubscribedError, type MasterInfo, type SchedulerCall } from '@mesosgot/common/internal';
import { ACK_CONCURRENCY, CallQueue, ConnectionState, MAX_QUEUED_CALLS, calls, type CallSendOptions, type MasterTransport, type OpenedStream } from '@mesosgot/scheduler/internal';

const UUID = 'Pxwrfp1KTB6LL2pdTjwrGg==';
const AGENT = { value: 'A-S0' };

/** One call that reached the transport; `answer` settles it. */
interface Sent {
  call: SchedulerCall;
  options: CallSendOptions;
  /** Resolves the HTTP exchange (undefined) or rejects it with `error`. */
  answer(error?: Error): void;
  isAnswered: boolean;
}

/** A MasterTransport whose calls stay in flight until the test answers them. */
class HeldTransport implements MasterTransport {
  readonly sent: Sent[] = [];
  /** Sent and not answered yet, in sending order. */
  get inFlight(): Sent[] {
    return this.sent.filter((s) => !s.isAnswered);
  }
  subscribe(): Promise<OpenedStream> {
    throw new Error('not used');
  }
  call(_masterUrl: string, call: SchedulerCall, options: CallSendOptions): Promise<void> {
    return new Promise((resolve, reject) => {
      const sent: Sent = {
        call,
        options,
        isAnswered: false,
        answer: (error) => {
          if (sent.isAnswered) return;
          sent.isAnswered = true;
          options.signal?.removeEventListener('abort', onAbort);
          if (error === undefined) resolve();
          else reject(error);
        },
      };
      const onAbort = (): void => sent.answer(options.signal!.reason as Error);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.sent.push(sent);
    });
  }
  async close(): Promise<void> {}
}

function subscribedState(): ConnectionState {
  const state = new ConnectionState();
  const attempt = state.connecting();
  state.subscribed({
    masterUrl: 'http://127.0.0.1:5050',
    streamId: 'S1',
    frameworkId: { value: 'F1' },
    masterInfo: { id: 'M1', ip: 0, port: 5050 } as MasterInfo,
    heartbeatIntervalSeconds: undefined,
    attempt,
  });
  return state;
}

function ack(taskId: string): SchedulerCall {
  return calls.acknowledge({ task_id: { value: taskId }, agent_id: AGENT, state: 'TASK_RUNNING', uuid: UUID });
}
function decline(offerId: string): SchedulerCall {
  return calls.decline([{ value: offerId }]);
}
/** The task id of an ACKNOWLEDGE, the offer id of a DECLINE, else the call's type. */
function nameOf(call: SchedulerCall): string {
  if (call.type === 'ACKNOWLEDGE') return call.acknowledge.task_id.value;
  if (call.type === 'DECLINE') return call.decline.offer_ids[0]!.value;
  return call.type;
}
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function setup() {
  const transport = new HeldTransport();
  const close = new AbortController();
  // Each call in flight listens on it (as the driver's stop signal, which lifts the bound too).
  setMaxListeners(ACK_CONCURRENCY + 8, close.signal);
  const queue = new CallQueue(transport, subscribedState(), () => undefined, close.signal);
  return { transport, close, queue };
}

describe('CallQueue', () => {
  it('sends ordered calls one at a time, in send order, stamped with the framework id', async () => {
    const { transport, queue } = setup();
    const done = [queue.send(decline('O1')), queue.send(decline('O2')), queue.send(decline('O3'))];
    await flush();
    expect(transport.sent.map((s) => nameOf(s.call))).toEqual(['O1']);
    for (let i = 0; i < 3; i++) {
      expect(transport.inFlight).toHaveLength(1);
      expect(transport.inFlight[0]!.options).toEqual(expect.not.objectContaining({ isRepeatable: true }));
      transport.inFlight[0]!.answer();
      await flush();
    }
    await Promise.all(done);
    expect(transport.sent.map((s) => nameOf(s.call))).toEqual(['O1', 'O2', 'O3']);
    expect(transport.sent.every((s) => s.call.framework_id?.value === 'F1')).toBe(true);
  });

  it(`keeps up to ${ACK_CONCURRENCY} ACKNOWLEDGEs in flight at once, marked repeatable`, async () => {
    const { transport, queue } = setup();
    const n = ACK_CONCURRENCY * 2 + 3;
    const done = Array.from({ length: n }, (_, i) => queue.send(ack(`t${i}`)));
    await flush();
    expect(transport.inFlight).toHaveLength(ACK_CONCURRENCY);
    expect(transport.inFlight.every((s) => s.options.isRepeatable === true)).toBe(true);
    // Answering out of order frees slots for the next ones.
    transport.inFlight[5]!.answer();
    transport.inFlight[0]!.answer();
    await flush();
    expect(transport.inFlight).toHaveLength(ACK_CONCURRENCY);
    while (transport.inFlight.length > 0) {
      for (const s of transport.inFlight) s.answer();
      await flush();
    }
    await Promise.all(done);
    expect(transport.sent.map((s) => nameOf(s.call)).sort()).toEqual(Array.from({ length: n }, (_, i) => `t${i}`).sort());
  });

  it('holds an ordered call until every ACKNOWLEDGE queued before it was answered; later ones may overtake it', async () => {
    const { transport, queue } = setup();
    const first = queue.send(ack('t1'));
    const accept = queue.send(decline('O1'));
    const later = queue.send(ack('t2'));
    await flush();
    expect(transport.inFlight.map((s) => s.call.type)).toEqual(['ACKNOWLEDGE', 'ACKNOWLEDGE']);
    transport.inFlight.find((s) => nameOf(s.call) === 't2')!.answer();
    await flush();
    expect(transport.inFlight.map((s) => s.call.type)).toEqual(['ACKNOWLEDGE']);
    transport.inFlight[0]!.answer();
    await flush();
    expect(transport.inFlight.map((s) => s.call.type)).toEqual(['DECLINE']);
    transport.inFlight[0]!.answer();
    await Promise.all([first, accept, later]);
  });

  it('rejects only the failed call; the calls after it still go out', async () => {
    const { transport, queue } = setup();
    const refused = queue.send(decline('O1'));
    const next = queue.send(decline('O2'));
    const ackRefused = queue.send(ack('t1'));
    await flush();
    transport.inFlight.find((s) => s.call.type === 'ACKNOWLEDGE')!.answer(new MesosHttpError(500, 'boom', 'ACKNOWLEDGE'));
    transport.inFlight.find((s) => s.call.type === 'DECLINE')!.answer(new MesosHttpError(400, 'bad', 'DECLINE'));
    await expect(refused).rejects.toThrow('DECLINE refused: 400 bad');
    await expect(ackRefused).rejects.toThrow('ACKNOWLEDGE refused: 500 boom');
    await flush();
    transport.inFlight[0]!.answer();
    await next;
    expect(transport.sent.map((s) => nameOf(s.call))).toEqual(['O1', 't1', 'O2']);
  });

  it('fails fast while not subscribed, and at sending time when the subscription went away while queued', async () => {
    const transport = new HeldTransport();
    const state = subscribedState();
    const queue = new CallQueue(transport, state, () => undefined, new AbortController().signal);
    const first = queue.send(decline('O1'));
    const queued = queue.send(decline('O2'));
    await flush();
    state.disconnected(state.attempt);
    transport.inFlight[0]!.answer();
    await first;
    await expect(queued).rejects.toBeInstanceOf(NotSubscribedError);
    await expect(queue.send(ack('t1'))).rejects.toBeInstanceOf(NotSubscribedError);
    expect(transport.sent).toHaveLength(1);
  });

  it('cancels a queued call on its own signal without sending it', async () => {
    const { transport, queue } = setup();
    const first = queue.send(decline('O1'));
    const caller = new AbortController();
    const cancelled = queue.send(decline('O2'), { signal: caller.signal });
    const after = queue.send(decline('O3'));
    await flush();
    caller.abort(new Error('not wanted'));
    await expect(cancelled).rejects.toThrow('not wanted');
    transport.inFlight[0]!.answer();
    await flush();
    transport.inFlight[0]!.answer();
    await Promise.all([first, after]);
    expect(transport.sent.map((s) => nameOf(s.call))).toEqual(['O1', 'O3']);
  });

  it('rejects every queued and in-flight call with the close reason, then is idle', async () => {
    const { transport, close, queue } = setup();
    const all = [queue.send(decline('O1')), queue.send(decline('O2')), queue.send(ack('t1')), ...Array.from({ length: ACK_CONCURRENCY + 2 }, (_, i) => queue.send(ack(`u${i}`)))];
    await flush();
    const reason = new Error('driver aborted');
    close.abort(reason);
    for (const p of all) await expect(p).rejects.toBe(reason);
    await queue.onIdle();
    await expect(queue.send(decline('O9'))).rejects.toBe(reason);
    expect(transport.sent.filter((s) => s.call.type === 'DECLINE')).toHaveLength(1);
  });

  it(`makes the caller wait beyond ${MAX_QUEUED_CALLS} queued calls per lane, and loses none`, async () => {
    const { transport, queue } = setup();
    const n = MAX_QUEUED_CALLS + ACK_CONCURRENCY + 50;
    let accepted = 0;
    const done = Array.from({ length: n }, (_, i) => queue.send(ack(`t${i}`)).then(() => accepted++));
    await flush();
    expect(transport.inFlight).toHaveLength(ACK_CONCURRENCY);
    while (accepted < n) {
      for (const s of transport.inFlight) s.answer();
      await flush();
    }
    await Promise.all(done);
    expect(new Set(transport.sent.map((s) => nameOf(s.call))).size).toBe(n);
    expect(transport.sent).toHaveLength(n);
    await queue.onIdle();
  });

  it('under any answer order and failures, every call is sent once and settles with its own outcome, in the lanes\' order (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ isAck: fc.boolean(), fails: fc.boolean() }), { minLength: 1, maxLength: 60 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 40 }),
        async (plan, picks) => {
          const { transport, queue } = setup();
          const outcomes: string[] = new Array(plan.length).fill('pending');
          const promises = plan.map((p, i) =>
            queue.send(p.isAck ? ack(`t${i}`) : decline(`O${i}`)).then(
              () => void (outcomes[i] = 'ok'),
              (error: Error) => void (outcomes[i] = error.message),
            ),
          );
          const indexOf = (s: Sent): number => Number(nameOf(s.call).slice(1));
          const checkedStart = new Set<Sent>();
          let step = 0;
          for (;;) {
            await flush();
            for (const s of transport.sent) {
              if (checkedStart.has(s)) continue;
              checkedStart.add(s);
              const i = indexOf(s);
              expect(s.options.isRepeatable === true).toBe(plan[i]!.isAck);
              if (!plan[i]!.isAck) {
                // Every ACK queued before an ordered call was answered before it left.
                for (let j = 0; j < i; j++) if (plan[j]!.isAck) expect(transport.sent.some((x) => indexOf(x) === j && x.isAnswered && x !== s)).toBe(true);
              }
            }
            const inFlight = transport.inFlight;
            expect(inFlight.filter((s) => s.call.type !== 'ACKNOWLEDGE').length).toBeLessThanOrEqual(1);
            expect(inFlight.filter((s) => s.call.type === 'ACKNOWLEDGE').length).toBeLessThanOrEqual(ACK_CONCURRENCY);
            if (inFlight.length === 0) break;
            const s = inFlight[picks[step++ % picks.length]! % inFlight.length]!;
            const i = indexOf(s);
            s.answer(plan[i]!.fails ? new MesosHttpError(500, `no ${i}`, s.call.type) : undefined);
          }
          await Promise.all(promises);
          expect(transport.sent).toHaveLength(plan.length);
          plan.forEach((p, i) => expect(outcomes[i]).toBe(p.fails ? `${p.isAck ? 'ACKNOWLEDGE' : 'DECLINE'} refused: 500 no ${i}` : 'ok'));
          const ordered = transport.sent.filter((s) => s.call.type === 'DECLINE').map(indexOf);
          expect(ordered).toEqual([...ordered].sort((a, b) => a - b));
          await queue.onIdle();
        },
      ),
      { numRuns: 60 },
    );
  });
});
