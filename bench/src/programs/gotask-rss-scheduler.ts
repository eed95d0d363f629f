/**
 * The scheduler program of the "scheduler RSS" benchmark (benchmarks/memory.ts), run as a child
 * process so its resident set is the GoTaskScheduler's alone, not the bench's or the local
 * cluster's (which stays in the bench process):
 *
 *   node gotask-rss-scheduler.js <master-url> <executor-bundle> <tasks> <task-resources-json>
 *
 * Launches <tasks> `bench` tasks, waits until all are RUNNING, sends each task one ping and
 * waits for every answer (so every link and task entry is in use), then prints one JSON line
 * `{"rss":…,"heapUsed":…}` (bytes) and returns from the scheduler function; exit 0 after the
 * teardown, 1 on any failure.
 */
import type { ResourceMap } from '@mesosgot/common';
import { GoTaskScheduler, parseSchedulerConfig } from '@mesosgot/scheduler';

const [masterUrl, bundle, tasksText, resourcesJson] = process.argv.slice(2);
const tasks = Number(tasksText);
if (!masterUrl || !bundle || !(tasks > 0) || !resourcesJson) {
  process.stderr.write('usage: gotask-rss-scheduler.js <master-url> <executor-bundle> <tasks> <task-resources-json>\n');
  process.exit(2);
}
const config = parseSchedulerConfig(['--master', masterUrl, '--executor', bundle, '--name', 'mesosgot-bench-rss', '--hold-timeout', '60'], {});
const sched = new GoTaskScheduler(config, { nodeCommand: process.execPath });
sched.spawnTask('bench', tasks, JSON.parse(resourcesJson) as ResourceMap);
sched.registerSchedFunc(async (schedIn, schedOut, schedEvents) => {
  let running = 0;
  for await (const e of schedEvents) {
    if (e.type === 'TaskFailed' || e.type === 'TaskLost' || e.type === 'TaskKilled' || e.type === 'Error' || e.type === 'ExecutorLost') {
      throw new Error(`${e.type}: ${JSON.stringify(e).slice(0, 300)}`);
    }
    if (e.type === 'TaskRunning' && ++running === tasks) break;
  }
  const sending = (async () => {
    for (let i = 0; i < tasks; i++) await schedOut.send({ taskName: `bench-${i}`, data: `ping:${i}` });
  })();
  let answers = 0;
  for await (const _ of schedIn) if (++answers === tasks) break;
  await sending;
  const mem = process.memoryUsage();
  process.stdout.write(`${JSON.stringify({ rss: mem.rss, heapUsed: mem.heapUsed })}\n`);
});
try {
  await sched.run();
} catch (err) {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
}
