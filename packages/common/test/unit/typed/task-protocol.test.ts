import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import {
  Channel,
  InvalidArgumentError,
  MessageDecodeError,
  bytesCodec,
  defineProtocol,
  jsonCodec,
  stringCodec,
  type MessageCodec,
  type SchedInMsg,
  type SchedOutMsg,
  type TaskMsg,
} from '@mesosgot/common';

interface Job {
  id: number;
  text: string;
}
interface Result {
  id: number;
  words: number;
}

/** A user-supplied codec: "id:text" lines. */
const lineCodec: MessageCodec<Job> = {
  name: 'line',
  encode: (job) => `${job.id}:${job.text}`,
  decode(data) {
    const text = typeof data === 'string' ? data : new TextDecoder().decode(data);
    const colon = text.indexOf(':');
    if (colon < 0) throw new Error('no colon');
    return { id: Number(text.slice(0, colon)), text: text.slice(colon + 1) };
  },
};

const protocol = defineProtocol({
  worker: { toTask: jsonCodec<Job>(), fromTask: jsonCodec<Result>() },
  blob: { toTask: bytesCodec, fromTask: bytesCodec },
  liner: { toTask: lineCodec, fromTask: stringCodec },
});
type P = typeof protocol.kinds;

describe('typed/task-protocol', () => {
  it('types schedOut by the destination kind and schedIn as a union discriminated by kind (compile-time)', () => {
    const out: SchedOutMsg<P>[] = [
      { taskName: 'worker-3', data: { id: 1, text: 'a b' } },
      { taskName: 'blob-0', data: new Uint8Array([1]) },
      { taskName: 'liner-12', data: { id: 2, text: 'x' } },
    ];
    // @ts-expect-error worker tasks accept a Job, not a string
    out.push({ taskName: 'worker-3', data: 'not a job' });
    // @ts-expect-error a Job needs `text`
    out.push({ taskName: 'worker-1', data: { id: 1 } });
    // @ts-expect-error blob tasks take bytes
    out.push({ taskName: 'blob-1', data: { id: 1, text: '' } });
    // @ts-expect-error no task kind "nobody"
    out.push({ taskName: 'nobody-1', data: 'x' });
    const i = 4;
    out.push({ taskName: `worker-${i}`, data: { id: i, text: '' } });

    const describeIn = (m: SchedInMsg<P>): string => {
      switch (m.kind) {
        case 'worker':
          return `words=${m.data.words}`;
        case 'blob':
          return `bytes=${m.data.byteLength}`;
        case 'liner':
          // @ts-expect-error a liner sends a string, which has no `words`
          return String(m.data.words);
      }
    };
    expect(describeIn({ kind: 'worker', taskName: 'worker-0', data: { id: 0, words: 2 } })).toBe('words=2');
    expect(out).toHaveLength(8);
  });

  it('encodes JSON once into a string, passes bytes through by reference, and round-trips every JSON value', () => {
    const job = { id: 7, text: 'hello' };
    const wire = protocol.encodeToTask({ taskName: 'worker-2', data: job });
    expect(wire).toEqual({ taskName: 'worker-2', data: JSON.stringify(job) });
    const bytes = new Uint8Array([0, 255, 1]);
    expect(protocol.encodeToTask({ taskName: 'blob-0', data: bytes }).data).toBe(bytes);
    expect(protocol.decodeFromTask({ taskName: 'blob-0', data: bytes })).toEqual({ kind: 'blob', taskName: 'blob-0', data: bytes });
    const json = jsonCodec<unknown>();
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = json.encode(value);
        // What JSON itself keeps of the value (-0 arrives as 0, as with any JSON peer).
        const expected: unknown = JSON.parse(JSON.stringify(value));
        expect(json.decode(text)).toEqual(expected);
        expect(json.decode(new TextEncoder().encode(text as string))).toEqual(expected);
      }),
    );
  });

  it('decodes with a user codec and names task, kind and reason when a message cannot be decoded', () => {
    expect(protocol.decodeFromTask({ taskName: 'worker-1', data: '{"id":1,"words":3}' })).toEqual({ kind: 'worker', taskName: 'worker-1', data: { id: 1, words: 3 } });
    const cases: [TaskMsg, string, RegExp][] = [
      [{ taskName: 'worker-1', data: '{not json' }, 'worker', /json: /],
      [{ taskName: 'blob-4', data: 'text' }, 'blob', /bytes: expected bytes/],
      [{ taskName: 'liner-0', data: new Uint8Array([1]) }, 'liner', /string: expected a string/],
      [{ taskName: 'ghost-0', data: 'x' }, 'ghost', /declares no such kind/],
    ];
    for (const [msg, kind, reason] of cases) {
      let caught: unknown;
      try {
        protocol.decodeFromTask(msg);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(MessageDecodeError);
      const e = caught as MessageDecodeError;
      expect([e.taskName, e.kind]).toEqual([msg.taskName, kind]);
      expect(e.reason).toMatch(reason);
      expect(e.message).toContain(msg.taskName);
    }
  });

  it('typed schedIn reports an undecodable message and goes on, through receive, receiveMany, iteration and batches', async () => {
    const raw = new Channel<TaskMsg>(16);
    const errors: MessageDecodeError[] = [];
    const { schedIn } = protocol.schedulerChannels(raw, new Channel<TaskMsg>(), (e) => errors.push(e));
    const good = (n: number): TaskMsg => ({ taskName: `worker-${n}`, data: JSON.stringify({ id: n, words: n }) });
    const bad: TaskMsg = { taskName: 'worker-9', data: '{' };
    await raw.sendMany([bad, good(1), bad, good(2), bad, bad, good(3), good(4), bad, good(5)]);
    raw.close();
    expect((await schedIn.receive()).value).toMatchObject({ kind: 'worker', data: { id: 1 } });
    expect(schedIn.tryReceive()?.value).toMatchObject({ data: { id: 2 } });
    expect((await schedIn.receiveMany(1)).map((m) => m.data)).toEqual([{ id: 3, words: 3 }]);
    for await (const m of schedIn) {
      expect(m.data).toEqual({ id: 4, words: 4 });
      break;
    }
    const rest: number[] = [];
    for await (const batch of schedIn.batches(8)) rest.push(...batch.map((m) => (m.kind === 'worker' ? m.data.id : -1)));
    expect(rest).toEqual([5]);
    expect(errors).toHaveLength(5);
    expect(errors.every((e) => e.taskName === 'worker-9' && e.kind === 'worker')).toBe(true);
  });

  it('typed task channels decode input and encode output with the kind codecs; an encode failure rejects the send', async () => {
    const input = new Channel<TaskMsg>(4);
    const output = new Channel<TaskMsg>(4);
    const errors: MessageDecodeError[] = [];
    const typed = protocol.taskChannels('worker', input, output, (e) => errors.push(e));
    await input.sendMany([{ taskName: 'worker-0', data: 'oops' }, { taskName: 'worker-0', data: '{"id":5,"text":"a b c"}' }]);
    expect((await typed.input.receive()).value).toEqual({ taskName: 'worker-0', data: { id: 5, text: 'a b c' } });
    expect(errors.map((e) => e.kind)).toEqual(['worker']);
    await typed.output.send({ data: { id: 5, words: 3 } });
    expect((await output.receive()).value).toEqual({ taskName: '', data: '{"id":5,"words":3}' });
    const cyclic: { id: number; words: number; self?: unknown } = { id: 1, words: 1 };
    cyclic.self = cyclic;
    await expect(typed.output.send({ data: cyclic })).rejects.toThrow(TypeError);
    expect(output.length).toBe(0);
    expect(() => protocol.taskChannels('nobody' as 'worker', input, output, () => {})).toThrow(InvalidArgumentError);
  });

  it('defineProtocol refuses a kind without both codecs', () => {
    expect(() => defineProtocol({ w: { toTask: jsonCodec() } } as never)).toThrow(/w.fromTask/);
  });
});
