// Messages above the size limit used to hang without a word (48 and 64 MiB never arrived); now
// a send above `--max-message-size` rejects at once with MessageTooLargeError naming both sizes,
// and messages up to the limit arrive (their times are printed; the goal lives in npm run bench).
import { describe, expect, it } from '@jest/globals';
import { MessageTooLargeError } from '@mesosgot/common/internal';
import { acceptanceSuite, within } from '../support/gotask-acceptance.js';
import { LIFECYCLE_EXECUTOR, startApp, text } from '../support/lifecycle.js';

const suite = acceptanceSuite('message-size-limit', { lifecycle: LIFECYCLE_EXECUTOR });
const MiB = 1024 * 1024;
const LIMIT = 16 * MiB;

describe('GoTaskScheduler: message size limit', () => {
  it('rejects a message over --max-message-size naming both sizes; delivers messages up to it', async () => {
    const times: string[] = [];
    let refused: unknown;
    const app = await startApp(suite, {
      flags: ['--max-message-size', String(LIMIT)],
      spawn: (sched) => sched.spawnTask('echo', 1, { cpus: 0.2, mem: 512 }),
      schedFunc: async (schedIn, schedOut) => {
        const replies = schedIn[Symbol.asyncIterator]();
        // A first small echo: the times below then exclude the launch.
        await schedOut.send({ taskName: 'echo-0', data: 'warm-up' });
        await within(60_000, 'the warm-up echo', replies.next());
        refused = await schedOut.send({ taskName: 'echo-0', data: new Uint8Array(LIMIT + 1) }).then(() => undefined, (e: unknown) => e);
        // The largest that fits: the limit less the encoded name and the 9 bytes of framing.
        for (const size of [MiB, 4 * MiB, 8 * MiB, LIMIT - 9 - 'echo-0'.length]) {
          const started = performance.now();
          await schedOut.send({ taskName: 'echo-0', data: new Uint8Array(size) });
          const reply = await within(60_000, `the echo of ${size} bytes`, replies.next());
          expect(text(reply.value.data)).toBe(`echo-0:${size}`);
          times.push(`${size} B in ${Math.round(performance.now() - started)} ms`);
        }
      },
    });
    expect(await within(120_000, 'run() to settle', app.outcome)).toBeUndefined();
    expect(refused).toBeInstanceOf(MessageTooLargeError);
    expect((refused as Error).message).toContain(String(LIMIT + 1 + 9 + 'echo-0'.length));
    expect((refused as Error).message).toContain(String(LIMIT));
    console.log(`[message-size-limit] ${times.join('; ')}`);
  }, 180_000);
});
