/**
 * The task thread's side of the bridge (thread-bridge.ts). A task thread is a worker thread
 * started on the executor script itself; when that script calls GoTaskExecutor.run(), run()
 * finds the launch in workerData and calls serveTaskThread instead of subscribing to the agent:
 * the script's registrations are there again, so the task function is looked up by kind, exactly
 * as on the main thread.
 */
import { isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { Channel, type TaskMsg } from '@mesosgot/common/internal';
import type { AppTaskExecutor, TaskFunc } from './task-func.js';
import { TASK_THREAD_KEY, type FromTaskThread, type MsgData, type TaskThreadLaunch, type ToTaskThread } from './thread-bridge.js';
import { ThreadOutput } from './thread-output.js';

/** The launch this thread serves, or undefined on the main thread (or a worker not started by us). */
export function taskThreadLaunch(): TaskThreadLaunch | undefined {
  if (isMainThread || parentPort === null) return undefined;
  const data = workerData as Record<string, unknown> | null | undefined;
  return (data?.[TASK_THREAD_KEY] as TaskThreadLaunch | undefined) ?? undefined;
}

/**
 * Runs the launched task with channels bridged to the main thread. Never settles: the main thread
 * terminates this thread once the task's output is drained (or its grace ran out), so code after
 * `await exec.run()` in the executor script runs on the main thread only.
 */
export function serveTaskThread(appTaskExecutor: AppTaskExecutor, launch: TaskThreadLaunch): Promise<never> {
  const port = parentPort as MessagePort;
  const post = (msg: FromTaskThread, transfer: ArrayBuffer[] = []): void => port.postMessage(msg, transfer);
  const input = new Channel<TaskMsg>(launch.channelCapacity);
  const output = new ThreadOutput(launch.channelCapacity, launch.window, (data, transfer) => post({ t: 'out', data }, transfer));

  // Input: posted batches wait here (at most one window) until the task's channel takes them.
  const queued: MsgData[] = [];
  let inputEnding = false;
  let wakeInput: (() => void) | undefined;
  const feedInput = async (): Promise<void> => {
    try {
      for (;;) {
        if (queued.length === 0) {
          if (inputEnding || input.closed) break;
          await new Promise<void>((resolve) => (wakeInput = resolve));
          continue;
        }
        let taken = 0;
        while (queued.length > 0) {
          await input.send({ taskName: launch.taskId, data: queued[0]! });
          queued.shift();
          // Credit back in halves of the window, so the main thread keeps sending meanwhile.
          if (++taken * 2 >= launch.window) {
            post({ t: 'credit', n: taken });
            taken = 0;
          }
        }
        if (taken > 0) post({ t: 'credit', n: taken });
      }
    } catch {
      // The input was closed by a kill while a send waited: the rest was for a task that stops.
    } finally {
      input.close();
    }
  };

  port.on('message', (msg: ToTaskThread) => {
    switch (msg.t) {
      case 'in':
        queued.push(...msg.data);
        break;
      case 'end':
        inputEnding = true;
        break;
      case 'close':
        // Like a kill on the main thread: what the channel holds still drains, the rest is dropped.
        while (queued.length > 0 && input.trySend({ taskName: launch.taskId, data: queued[0]! })) queued.shift();
        queued.length = 0;
        input.close();
        break;
      case 'credit':
        output.grant(msg.n);
        return;
      case 'out-closed':
        output.refuse(msg.reason);
        return;
    }
    wakeInput?.();
    wakeInput = undefined;
  });

  let fn: TaskFunc;
  try {
    fn = appTaskExecutor.taskFunc({ taskId: launch.taskId, kind: launch.kind, args: [...launch.args], env: { ...launch.env }, task: launch.task, ...(launch.inline === undefined ? {} : { inline: launch.inline }) });
  } catch (error) {
    post({ t: 'returned', error: error instanceof Error ? error.message : String(error) });
    post({ t: 'drained' });
    return new Promise<never>(() => undefined);
  }
  post({ t: 'started' });
  void feedInput();
  void (async () => {
    let error: string | undefined;
    try {
      await fn(input, output, [...launch.args], { ...launch.env }, launch.context);
    } catch (thrown) {
      error = thrown instanceof Error ? thrown.message : String(thrown);
    }
    output.close();
    input.close();
    post({ t: 'returned', ...(error === undefined ? {} : { error }) });
    await output.drained();
    const failure = output.failure;
    post({ t: 'drained', ...(failure === undefined ? {} : { failure }) });
  })();
  return new Promise<never>(() => undefined);
}

/**
 * True inside a task thread: the executor script is being loaded again to serve one task. Top
 * level code with side effects (opening files, starting servers) can skip itself there.
 */
export function isTaskThread(): boolean {
  return taskThreadLaunch() !== undefined;
}
