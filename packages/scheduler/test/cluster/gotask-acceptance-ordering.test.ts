// GoTask acceptance: ordering and exactly-once across the network, 10 tasks × 10 000 messages
// each way at once, sequence numbers in the payload, checked per task in both directions (the
// scheduler checks what it receives, each task checks its input and reports). Also prints the
// one-way rates (not asserted: the machine is noisy).
import { describe, expect, it } from '@jest/globals';
import { waitFor } from '@mesosgot/local/testing';
import { GoTaskScheduler, parseSchedulerConfig, type SchedEvent } from '@mesosgot/scheduler';
import { acceptanceSuite, collectEvents, eventsOf, text, within } from '../support/gotask-acceptance.js';

const TASKS = 10;
const N = 10_000;

const suite = acceptanceSuite('gotask-acceptance-ordering');

interface PerTask {
  /** Next sequence number expected from the task. */
  next: number;
  /** Messages received before the verdict. */
  count: number;
  problems: string[];
  verdict: string | undefined;
  firstAt: number;
  lastAt: number;
}

describe('GoTask acceptance: ordering and exactly-once', () => {
  it(`${TASKS} tasks × ${N} messages each way: exact counts, no gaps, no duplicates, in order, per task and direction`, async () => {
    const config = parseSchedulerConfig(['--executor', suite.bundle, '--local-agents', '2'], {});
    const sched = new GoTaskScheduler(config);
    sched.spawnTask('seq', TASKS, { cpus: 0.1, mem: 32 }, { args: [String(N)] });
    const ids = Array.from({ length: TASKS }, (_, t) => `seq-${t}`);
    const perTask = new Map<string, PerTask>(ids.map((id) => [id, { next: 0, count: 0, problems: [], verdict: undefined, firstAt: 0, lastAt: 0 }]));
    const strangers: string[] = [];
    const events: SchedEvent[] = [];
    let sendStart = 0;
    let sendEnd = 0;
    sched.registerSchedFunc(async (schedIn, schedOut, schedEvents) => {
      void collectEvents(schedEvents, events);
      sendStart = Date.now();
      // Round-robin over the tasks, as fast as backpressure lets us.
      const sending = (async () => {
        for (let i = 0; i < N; i++) for (const taskName of ids) await schedOut.send({ taskName, data: `s:${i}` });
        sendEnd = Date.now();
      })();
      let verdicts = 0;
      await within(45_000, 'every task\'s messages and verdict', (async () => {
        for await (const m of schedIn) {
          const task = perTask.get(m.taskName);
          if (task === undefined) {
            strangers.push(m.taskName);
            continue;
          }
          const got = text(m);
          if (got.startsWith('in:')) {
            task.verdict = got;
            if (++verdicts === TASKS) break;
            continue;
          }
          const now = Date.now();
          if (task.count === 0) task.firstAt = now;
          task.lastAt = now;
          if (got !== `s:${task.next}` && task.problems.length < 5) task.problems.push(`after ${task.count}: expected s:${task.next}, got ${got}`);
          task.next = Number(got.slice(2)) + 1;
          task.count++;
        }
      })());
      await within(10_000, 'the last sends', sending);
      await waitFor(() => eventsOf(events, 'TaskFinished').length === TASKS, { timeoutMs: 10_000, what: 'every TaskFinished' });
    });
    await sched.run();

    expect(strangers).toEqual([]);
    for (const [id, task] of perTask) {
      // Task → scheduler, checked here.
      expect({ id, count: task.count, problems: task.problems }).toEqual({ id, count: N, problems: [] });
      // Scheduler → task, checked by the task: exactly N, in order (its verdict: `in:<count>:ok:<first>:<last>`).
      expect(task.verdict).toMatch(new RegExp(`^in:${N}:ok:\\d+:\\d+$`));
    }
    expect(eventsOf(events, 'TaskFinished').map((e) => e.taskId).sort()).toEqual([...ids].sort());
    expect(events.filter((e) => e.type === 'Error' || e.type === 'TaskFailed' || e.type === 'TaskLost')).toEqual([]);

    // Rates, for the report. Task → scheduler: first to last arrival here. Scheduler → task: first
    // to last arrival in the tasks (same host clock), and until the last send was buffered.
    const upFirst = Math.min(...[...perTask.values()].map((t) => t.firstAt));
    const upLast = Math.max(...[...perTask.values()].map((t) => t.lastAt));
    const inTimes = [...perTask.values()].map((t) => t.verdict!.split(':').slice(3).map(Number) as [number, number]);
    const downFirst = Math.min(...inTimes.map(([f]) => f));
    const downLast = Math.max(...inTimes.map(([, l]) => l));
    const total = TASKS * N;
    process.stdout.write(
      `[gotask-acceptance] ordering: ${total} msgs each way concurrently; task→scheduler ${Math.round(total / ((upLast - upFirst) / 1000))} msgs/s, ` +
        `scheduler→task ${Math.round(total / ((downLast - downFirst) / 1000))} msgs/s (sends all buffered after ${sendEnd - sendStart} ms)\n`,
    );
  }, 60_000);
});
