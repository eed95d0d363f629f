/**
 * SchedOut: the scheduler function's `schedOut`. One channel to write, but a queue per
 * destination task behind it: a send waits only for room in its own destination's queue (which
 * empties as that task's link grants credit), never for another task's. A task that stops
 * reading therefore blocks only the sends addressed to it (no head-of-line blocking across
 * tasks); per destination, order is the order of the sends.
 *
 * Closing (the scheduler function returned, or the system is stopping) rejects waiting and later
 * sends with ChannelClosedError; what is queued still drains to the tasks until teardown.
 */
import {
  Channel,
  ChannelClosedError,
  InvalidArgumentError,
  MessageTooLargeError,
  TASK_MSG_OVERHEAD_BYTES,
  encodedTaskMsgLength,
  type ReceiveChannel,
  type SendChannel,
  type TaskMsg,
} from '@mesosgot/common/internal';

export interface SchedOutOptions {
  /** Messages queued per destination before its sends wait (the channel capacity). */
  capacity: number;
  /** Largest encoded message accepted, in bytes; larger sends reject with MessageTooLargeError. */
  maxMessageBytes: number;
  /** Starts moving one destination's queue to its task; called once per destination. */
  startDestination: (taskName: string, queue: ReceiveChannel<TaskMsg>) => void;
  /** False for a name no declared task has: the message is reported (onUnknown), not queued. */
  isKnown: (taskName: string) => boolean;
  onUnknown: (msg: TaskMsg) => void;
}

export class SchedOut implements SendChannel<TaskMsg> {
  /** One queue per destination task id, created on its first send. Bound: `capacity` each. */
  private readonly queues = new Map<string, Channel<TaskMsg>>();
  private isClosed = false;
  /** Set by close(): why later sends are refused. */
  private closedAs = 'schedOut';

  constructor(private readonly options: SchedOutOptions) {}

  get closed(): boolean {
    return this.isClosed;
  }

  /**
   * Resolves once the message is queued for its destination; waits while that destination's
   * queue is full. Rejects with ChannelClosedError once closed, InvalidArgumentError for a
   * message without a string `taskName`, MessageTooLargeError above the size limit, and
   * `signal.reason` on abort.
   */
  send(msg: TaskMsg, options?: { signal?: AbortSignal }): Promise<void> {
    try {
      const queue = this.queueFor(msg);
      if (queue === undefined) return Promise.resolve();
      return queue.send(msg, options);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Sends `msgs` in order: each run of messages to one destination goes to that destination's
   * queue as a batch, waiting only for that queue's room. Rejects like send(); the messages
   * before the one that failed were sent, none after it.
   */
  async sendMany(msgs: readonly TaskMsg[], options?: { signal?: AbortSignal }): Promise<void> {
    for (let i = 0; i < msgs.length; ) {
      const name = msgs[i]!.taskName;
      let end = i + 1;
      while (end < msgs.length && msgs[end]!.taskName === name) end++;
      const run = msgs.slice(i, end);
      for (const msg of run) this.check(msg);
      const queue = this.queueFor(msgs[i]!);
      if (queue !== undefined) await queue.sendMany(run, options);
      else for (const msg of run.slice(1)) this.options.onUnknown(msg);
      i = end;
    }
  }

  /** Sends the longest prefix of `msgs` that fits without waiting; returns its length. */
  trySendMany(msgs: readonly TaskMsg[]): number {
    let sent = 0;
    for (const msg of msgs) {
      if (!this.trySend(msg)) break;
      sent++;
    }
    return sent;
  }

  trySend(msg: TaskMsg): boolean {
    return this.queueFor(msg)?.trySend(msg) ?? true;
  }

  /** Closes every destination queue (idempotent); `why` names the cause in later errors. */
  close(why?: string): void {
    if (this.isClosed) return;
    this.isClosed = true;
    if (why !== undefined) this.closedAs = `schedOut (${why})`;
    for (const queue of this.queues.values()) queue.close();
  }

  /** Messages queued and not yet handed to a link. */
  get pending(): number {
    let n = 0;
    for (const queue of this.queues.values()) n += queue.length;
    return n;
  }

  /** Resolves once closed and every queue is empty. */
  async drained(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.drained()));
  }

  /** Throws what send() rejects with for a closed schedOut, a nameless or an oversized message. */
  private check(msg: TaskMsg): void {
    if (this.isClosed) throw new ChannelClosedError(this.closedAs);
    const name = msg?.taskName;
    if (typeof name !== 'string') throw new InvalidArgumentError('taskName', name, 'a TaskMsg names its destination task id');
    // Exact size only near the limit: UTF-8 takes at most 3 bytes per UTF-16 unit.
    const bound = TASK_MSG_OVERHEAD_BYTES + 3 * name.length + (typeof msg.data === 'string' ? 3 * msg.data.length : msg.data.length);
    if (bound <= this.options.maxMessageBytes) return;
    const size = encodedTaskMsgLength(msg);
    if (size > this.options.maxMessageBytes) throw new MessageTooLargeError(name, size, this.options.maxMessageBytes);
  }

  /** The destination's queue; undefined (after reporting it) for an unknown destination. */
  private queueFor(msg: TaskMsg): Channel<TaskMsg> | undefined {
    this.check(msg);
    const name = msg.taskName;
    let queue = this.queues.get(name);
    if (queue === undefined) {
      if (!this.options.isKnown(name)) {
        this.options.onUnknown(msg);
        return undefined;
      }
      queue = new Channel<TaskMsg>(this.options.capacity);
      this.queues.set(name, queue);
      this.options.startDestination(name, queue);
    }
    return queue;
  }
}
