/**
 * What crosses between the executor's main thread and a task's worker thread, and how. Only
 * plain data crosses: the task's launch (TaskInfo, args, env, context) once, then message data
 * (a string or bytes) both ways and small control messages. Functions never cross: the thread
 * loads the executor script again and looks the task function up by kind.
 *
 * Flow control is credit-based in each direction, like the link underneath: a side posts at most
 * `window` messages the other side has not yet put into the task's channel (input) or the
 * executor's output channel (output), so memory stays bounded by the channel capacities plus one
 * window, and a task that stops reading stops the link crediting the scheduler. postMessage
 * between two threads is ordered and lossless, which gives order and exactly-once.
 */
import { InvalidArgumentError, type TaskInfo, type TaskMsg } from '@mesosgot/common/internal';
import type { TaskContext } from './task-context.js';

/** workerData key that tells GoTaskExecutor.run() it is serving one task in a thread. */
export const TASK_THREAD_KEY = 'mesosgotTaskThread';

/** What a task thread is started with (its workerData under TASK_THREAD_KEY). */
export interface TaskThreadLaunch {
  taskId: string;
  kind: string;
  args: string[];
  env: Record<string, string>;
  task: TaskInfo;
  inline?: boolean;
  context: TaskContext;
  channelCapacity: number;
  /** Credit window of each direction, in messages. */
  window: number;
}

/** The data of one TaskMsg: what crosses (the executor stamps the task id on the main side). */
export type MsgData = TaskMsg['data'];

/** Main thread → task thread. */
export type ToTaskThread =
  | { t: 'in'; data: MsgData[] }
  /** Input ends after what was sent (stream closed): deliver it all, then close input. */
  | { t: 'end' }
  /** Kill or shutdown: close input now; what the task's channel cannot take at once is dropped. */
  | { t: 'close' }
  /** The main thread took `n` more output messages. */
  | { t: 'credit'; n: number }
  /** The main thread can take no more output (the link refused or closed): `reason` says why. */
  | { t: 'out-closed'; reason: string };

/** Task thread → main thread. */
export type FromTaskThread =
  /** The thread loaded the executor script and found the task's function. */
  | { t: 'started' }
  | { t: 'out'; data: MsgData[] }
  /** The task took `n` more input messages into its channel. */
  | { t: 'credit'; n: number }
  /** The task function settled (`error`: the text of what it threw). */
  | { t: 'returned'; error?: string }
  /** Every output message the task wrote has been posted (`failure`: why one could not be). */
  | { t: 'drained'; failure?: string };

/**
 * Checks one message's data before it crosses (the link would refuse the same) and adds the
 * ArrayBuffer to move to `transfer`. Bytes the executor owns (`isOwned`: decoded from a link
 * frame, referenced by nobody else) move without a copy when they fill their buffer. Bytes a
 * task wrote are copied once, exactly their length (a task may send the same buffer again, and
 * cloning a view would copy its whole underlying buffer), and the copy moves. Throws
 * InvalidArgumentError for data that is neither a string nor a Uint8Array.
 */
export function crossing(data: unknown, transfer: ArrayBuffer[], isOwned: boolean): MsgData {
  if (typeof data === 'string') return data;
  if (!(data instanceof Uint8Array)) throw new InvalidArgumentError('msg.data', data, 'must be a string or a Uint8Array');
  const fills = data.buffer instanceof ArrayBuffer && data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
  const bytes = isOwned && fills ? data : data.slice();
  if (bytes.byteLength > 0 && !transfer.includes(bytes.buffer as ArrayBuffer)) transfer.push(bytes.buffer as ArrayBuffer);
  return bytes;
}

/** A counter of credits one side may spend, with a wait for the next grant. */
export class Credits {
  #available: number;
  /** Resolvers of wait(); bound: one per waiting pump (one per direction). */
  #waiters: (() => void)[] = [];

  constructor(initial: number) {
    this.#available = initial;
  }

  get available(): number {
    return this.#available;
  }

  spend(n: number): void {
    this.#available -= n;
  }

  grant(n: number): void {
    this.#available += n;
    this.wake();
  }

  /** Resolves once credit is available or wake() is called (the caller re-checks why). */
  wait(): Promise<void> {
    if (this.#available > 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Releases every waiter (a grant, or the end of the bridge). */
  wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }
}
