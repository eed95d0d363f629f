import { describe, expect, it } from '@jest/globals';
import type { TaskMsg } from '@mesosgot/common';
import { PassingChannel } from '@mesosgot/common/internal';
import { waitFor } from '@mesosgot/local/testing';
import { pumpOutput, type TaskLink } from '../../../src/gotask/message-pump.js';

/** A link stand-in with credit the test controls; `send` waits for credit, in order. */
class FakeLink implements TaskLink {
  credit = 0;
  readonly admitted: string[] = [];
  readonly #waiting: { msg: TaskMsg; resolve: () => void }[] = [];
  receive(): AsyncIterableIterator<TaskMsg> {
    throw new Error('not used');
  }
  receiveBatches(): AsyncIterableIterator<TaskMsg[]> {
    throw new Error('not used');
  }
  closeStream(): void {}
  trySend(msg: TaskMsg): boolean {
    if (this.#waiting.length > 0 || this.credit === 0) return false;
    this.credit--;
    this.admitted.push(`${msg.taskName}:${String(msg.data)}`);
    return true;
  }
  send(msg: TaskMsg): Promise<void> {
    if (this.trySend(msg)) return Promise.resolve();
    return new Promise((resolve) => this.#waiting.push({ msg, resolve }));
  }
  grant(n: number): void {
    this.credit += n;
    while (this.#waiting.length > 0 && this.credit > 0) {
      const w = this.#waiting.shift()!;
      this.credit--;
      this.admitted.push(`${w.msg.taskName}:${String(w.msg.data)}`);
      w.resolve();
    }
  }
}

const msg = (data: string): TaskMsg => ({ taskName: 'anything', data });

describe('a task\'s output (PassingChannel) with pumpOutput', () => {
  it('goes straight to the link while nothing is buffered and credit lasts, and keeps the order when it has to buffer', async () => {
    const link = new FakeLink();
    link.credit = 3;
    const output = new PassingChannel<TaskMsg>(4);
    const pumped = pumpOutput(output, 't-0', link, new AbortController().signal);
    // Idle pump, credit: admitted during the send itself, stamped with the task id, nothing buffered.
    await output.send(msg('a'));
    expect(output.trySend(msg('b'))).toBe(true);
    expect(link.admitted).toEqual(['t-0:a', 't-0:b']);
    expect(output.length).toBe(0);
    // A batch passes as far as credit goes; the rest is buffered and, from then on, so is
    // everything after it even when credit comes back, until the pump caught up.
    await output.sendMany([msg('c'), msg('d'), msg('e')]);
    expect(link.admitted).toEqual(['t-0:a', 't-0:b', 't-0:c']);
    expect(output.idle).toBe(false);
    expect(output.trySendMany([msg('f'), msg('g')])).toBe(2);
    link.grant(100);
    await output.send(msg('h'));
    await waitFor(() => link.admitted.length === 8, { what: 'the buffered messages to reach the link' });
    expect(link.admitted).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((d) => `t-0:${d}`));
    // Caught up: idle again, and the next send goes straight through.
    await waitFor(() => output.idle, { what: 'the pump to wait again' });
    await output.send(msg('i'));
    expect(link.admitted.at(-1)).toBe('t-0:i');
    output.close();
    expect(await pumped).toBeUndefined();
    await expect(output.send(msg('j'))).rejects.toThrow(/closed/);
  });

  it('an unbuffered output never passes (its waiting senders are not visible), and a refused message still fails the pump', async () => {
    const link = new FakeLink();
    link.credit = 10;
    const output = new PassingChannel<TaskMsg>(0);
    const pumped = pumpOutput(output, 't-1', link, new AbortController().signal);
    await output.send(msg('a'));
    expect(output.idle).toBe(false);
    await waitFor(() => link.admitted.length === 1);
    const bad = new PassingChannel<TaskMsg>(4);
    const refusing = new FakeLink();
    refusing.trySend = () => {
      throw new Error('refused');
    };
    const failed = pumpOutput(bad, 't-2', refusing, new AbortController().signal);
    // The shortcut leaves a refusal to the pump, which reports it and closes the output.
    await bad.send(msg('x'));
    expect((await failed)?.message).toBe('refused');
    expect(bad.closed).toBe(true);
    output.close();
    await pumped;
  });
});
