/**
 * The executor program of the GoTask-level benchmarks: a GoTaskExecutor with one task kind,
 * `bench`. Bundled into one file at run time (gotask-bench.ts) and served to the local
 * cluster's agents through the scheduler's artifact server, as an application's
 * app_executor.bundle.mjs is.
 *
 * A `bench` task reads its input until it closes. String messages are commands, bytes are load:
 *   "expect:<n>"  start counting; after <n> more byte messages answer "got:<n>"
 *   "burst:<n>"   send <n> messages of BURST_BYTES bytes to the scheduler, then "sent:<n>"
 *   "ping:<x>"    answer "ping:<x>" (the same text back)
 *   "rss"         answer "rss:<rss> heap:<heapUsed>" (bytes) of this executor process
 *   "burn:<n>"    send "burning:<n>", compute <n> rounds of burnRounds() without yielding, then
 *                 answer "burned:<n>" (on the main thread "burning" can only leave after the burn)
 * Any other string is ignored. The process ends when the driver stops (exit 0) or aborts (1).
 *
 * The kind is registered inline (the rows about the link measure the link, not the hop to a
 * thread); the task-thread rows spawn the same kind with `inline: false`.
 */
import { GoTaskExecutor } from '@mesosgot/executor';
import { burnRounds } from '../harness/burn.js';

/** Size of one load message both ways (100-byte messages, as the goals assume). */
const BURST_BYTES = 100;
const PAYLOAD = new Uint8Array(BURST_BYTES).fill(0x78);

const exec = new GoTaskExecutor();

exec.registerTaskFunc('bench', async (input, output, args) => {
  const me = args[0]!;
  let expected = 0;
  let counted = 0;
  for await (const msg of input) {
    const data = msg.data;
    if (typeof data !== 'string') {
      if (++counted === expected) await output.send({ taskName: me, data: `got:${counted}` });
    } else if (data.startsWith('expect:')) {
      expected = Number(data.slice('expect:'.length));
      counted = 0;
    } else if (data.startsWith('burst:')) {
      const n = Number(data.slice('burst:'.length));
      for (let i = 0; i < n; i++) await output.send({ taskName: me, data: PAYLOAD });
      await output.send({ taskName: me, data: `sent:${n}` });
    } else if (data.startsWith('ping:')) {
      await output.send({ taskName: me, data });
    } else if (data.startsWith('burn:')) {
      const n = Number(data.slice('burn:'.length));
      await output.send({ taskName: me, data: `burning:${n}` });
      burnRounds(n);
      await output.send({ taskName: me, data: `burned:${n}` });
    } else if (data === 'rss') {
      const mem = process.memoryUsage();
      await output.send({ taskName: me, data: `rss:${mem.rss} heap:${mem.heapUsed}` });
    }
  }
}, { inline: true });

const status = await exec.run();
process.exitCode = status === 'DRIVER_STOPPED' ? 0 : 1;
