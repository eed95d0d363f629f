/**
 * The custom executor of the driver-level benchmarks, run by the local cluster's agents as a
 * real child process (`node <this file>` from bench/dist, which resolves @mesosgot/executor
 * through the workspace's node_modules, so no bundle is needed).
 *
 * Per task: TASK_RUNNING on launch, TASK_KILLED on kill or shutdown. Framework messages (UTF-8):
 *   "expect:<n>"  start counting; after <n> more messages answer "got:<n>"
 *   "ping:<x>"    answer "pong:<x>"
 *   "rss"         answer "rss:<bytes>" (this process's resident set size)
 *   "burst:<n>"   send <n> messages of BURST_BYTES bytes, one MESSAGE call each (not awaited
 *                 one by one: the driver keeps them in order), then "sent:<n>"
 *   anything else counts toward the current "expect".
 * Exits 0 after DRIVER_STOPPED, 1 otherwise.
 */
import type { TaskStatus } from '@mesosgot/common';
import { MesosExecutorDriver, type Executor, type ExecutorDriver } from '@mesosgot/executor';

const live = new Set<string>();
let expected = 0;
let counted = 0;
/** Size of one burst message (the unbatched baseline uses 100-byte messages). */
const BURST_BYTES = 100;
const BURST_PAYLOAD = 'y'.repeat(BURST_BYTES);

function status(taskId: string, state: TaskStatus['state']): TaskStatus {
  return { task_id: { value: taskId }, state };
}

const executor: Executor = {
  async launchTask(driver, task) {
    live.add(task.task_id.value);
    await driver.sendStatusUpdate(status(task.task_id.value, 'TASK_RUNNING'));
  },
  async killTask(driver, taskId) {
    if (live.delete(taskId.value)) await driver.sendStatusUpdate(status(taskId.value, 'TASK_KILLED'));
  },
  async frameworkMessage(driver, data) {
    const text = Buffer.from(data).toString('utf8');
    if (text.startsWith('expect:')) {
      expected = Number(text.slice('expect:'.length));
      counted = 0;
    } else if (text.startsWith('ping:')) {
      await driver.sendFrameworkMessage(`pong:${text.slice('ping:'.length)}`);
    } else if (text.startsWith('burst:')) {
      const n = Number(text.slice('burst:'.length));
      const sends: Promise<unknown>[] = [];
      for (let i = 0; i < n; i++) sends.push(driver.sendFrameworkMessage(BURST_PAYLOAD));
      await Promise.all(sends);
      await driver.sendFrameworkMessage(`sent:${n}`);
    } else if (text === 'rss') {
      await driver.sendFrameworkMessage(`rss:${process.memoryUsage().rss}`);
    } else if (++counted === expected) {
      await driver.sendFrameworkMessage(`got:${counted}`);
    }
  },
  async shutdown(driver: ExecutorDriver) {
    const killed = [...live].map((taskId) => driver.sendStatusUpdate(status(taskId, 'TASK_KILLED')));
    live.clear();
    // The agent may already be gone (cluster stopping): nothing left to tell it.
    await Promise.allSettled(killed);
  },
};

const final = await new MesosExecutorDriver(executor).run();
process.exit(final === 'DRIVER_STOPPED' ? 0 : 1);
