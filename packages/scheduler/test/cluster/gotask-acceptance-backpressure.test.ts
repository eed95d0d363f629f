// GoTask acceptance, backpressure across the network on the embedded cluster with a real
// executor process, through the public API: a task that stops reading its input makes the
// scheduler's `schedOut.send` wait — it does not resolve all N sends for a huge N — while the
// scheduler process's heap stays bounded; when the task reads again, everything is delivered,
// in order, exactly once.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { waitFor } from '@mesosgot/local/testing';
import { GoTaskScheduler, parseSchedulerConfig, type SchedEvent } from '@mesosgot/scheduler';
import { acceptanceSuite, collectEvents, eventsOf, text, within } from '../support/gotask-acceptance.js';

/** Sends offered while the task does not read: 200 000 × 1 KiB ≈ 200 MB if nothing pushed back. */
const HUGE = 200_000;
const PAYLOAD_BYTES = 1024;
/** Sends still to make once the task reads again (keeps the test short). */
const AFTER_RESUME = 3_000;
/** The heap may grow by this much at most while sends are blocked (the buffers are bounded). */
const HEAP_BOUND = 64 * 1024 * 1024;
/** No send resolved for this long: the sender is blocked. */
const QUIET_MS = 1_000;

const suite = acceptanceSuite('gotask-acceptance-backpressure');

describe('GoTask acceptance: backpressure', () => {
  it('a task that stops reading makes schedOut.send wait with bounded memory; when it reads again everything arrives in order', async () => {
    const s = await suite.scratch('gotask-acceptance-bp');
    const config = parseSchedulerConfig(['--executor', suite.bundle, '--local-agents', '1'], {});
    const sched = new GoTaskScheduler(config);
    sched.spawnTask('stall', 1, { cpus: 0.1, mem: 64 }, { env: { MARK_DIR: s.marks } });
    const events: SchedEvent[] = [];
    let sent = 0;
    let stopAt = HUGE;
    let sendPending = false;
    let lastProgress = 0;
    let baseline = 0;
    let peakWhileBlocked = 0;
    let peakOverall = 0;
    let sentWhenBlocked = -1;
    let pendingWhenBlocked = false;
    let reply = '';
    sched.registerSchedFunc(async (schedIn, schedOut, schedEvents) => {
      void collectEvents(schedEvents, events);
      const ready = await within(15_000, 'ready', schedIn.receive());
      expect(ready.ok && text(ready.value)).toBe('ready');
      baseline = process.memoryUsage().heapUsed;
      const sampler = setInterval(() => {
        peakOverall = Math.max(peakOverall, process.memoryUsage().heapUsed - baseline);
      }, 20);
      try {
        lastProgress = Date.now();
        const sending = (async () => {
          for (let i = 0; i < stopAt; i++) {
            sendPending = true;
            // A fresh 1 KiB string per message: what is buffered really takes heap.
            await schedOut.send({ taskName: 'stall-0', data: `${i}:${'x'.repeat(PAYLOAD_BYTES)}` });
            sendPending = false;
            sent = i + 1;
            lastProgress = Date.now();
          }
          await schedOut.send({ taskName: 'stall-0', data: 'end' });
        })();
        // The sender must get stuck well before HUGE: no send resolved for QUIET_MS.
        await waitFor(() => sent === HUGE || Date.now() - lastProgress >= QUIET_MS, { timeoutMs: 20_000, intervalMs: 20, what: 'the sender to block' });
        sentWhenBlocked = sent;
        pendingWhenBlocked = sendPending;
        peakWhileBlocked = peakOverall;
        stopAt = Math.min(HUGE, sent + AFTER_RESUME);
        // The task reads again.
        writeFileSync(join(s.marks, 'resume'), '');
        await within(20_000, 'every send after the resume', sending);
        const got = await within(10_000, 'the task\'s count', schedIn.receive());
        reply = got.ok ? text(got.value) : '(schedIn closed)';
      } finally {
        clearInterval(sampler);
      }
      await waitFor(() => eventsOf(events, 'TaskFinished').length === 1, { timeoutMs: 10_000, what: 'TaskFinished' });
    });
    await sched.run();

    expect(sentWhenBlocked).toBeGreaterThan(0);
    expect(sentWhenBlocked).toBeLessThan(HUGE);
    expect(pendingWhenBlocked).toBe(true);
    expect(peakWhileBlocked).toBeLessThan(HEAP_BOUND);
    // Everything sent before and after the pause arrived, in order, exactly once.
    expect(reply).toBe(`got:${stopAt}:ok`);
    expect(stopAt).toBe(sentWhenBlocked + AFTER_RESUME);
    expect(events.filter((e) => e.type === 'Error' || e.type === 'TaskFailed')).toEqual([]);
    process.stdout.write(
      `[gotask-acceptance] backpressure: sender blocked after ${sentWhenBlocked} of ${HUGE} sends (${PAYLOAD_BYTES} B each); ` +
        `heap growth peak ${(peakWhileBlocked / 2 ** 20).toFixed(1)} MiB while blocked, ${(peakOverall / 2 ** 20).toFixed(1)} MiB overall\n`,
    );
  }, 45_000);
});
