/**
 * SchedOut: the scheduler function's `schedOut`. One channel to write, but a queue per
 * destination task behind it: a send waits only for room in its own destination's queue (which
 * empties as that task's link grants credit), never for another task's. A task that stops
 * reading therefore blocks only the sends addressed to it (no head-of-line blocking across
 * tasks); per destination, order is the order of the sends.
 *
 * A send finding nothing of its destination queued or in flight to the link (the destination is
 * `idle`) is offered to the link at once (`sendNow`): while the task's link has credit a message
 * costs no queue step and no wake-up of the destination's loop. Order is kept: the first send
 * that has to queue clears `idle`, and only the destination's loop sets it again, once
 * everything queued reached the link.
 *
 * Closing (the scheduler function returned, or the system is stopping) rejects waiting and later
 * sends with ChannelClosedError; what is queued still drains to the tasks until teardown.
 */
import {
  PassingChannel,
  ChannelClosedError,
  InvalidArgumentError,
  MessageTooLargeError,
  TASK_MSG_OVERHEAD_BYTES,
  encodedTaskMsgLength,
  type SendChannel,
  type TaskMsg,
} from '@mesosgot/common/internal';

export interface SchedOutOptions {
  /** Messages queued per destination before its sends wait (the channel capacity). */
  capacity: number;
  /** Largest encoded message accepted, in bytes; larger sends reject with MessageTooLargeError. */
  maxMessageBytes: number;
  /** Starts moving one destination's queue to its task; called once per destination. */
  startDestination: (destination: Destination) => void;
  /**
   * Hands `msg` to its task's link now if that needs no waiting (task launched, credit left);
   * false leaves it to the destination's queue. Called only while the destination is idle.
   */
  sendNow: (msg: TaskMsg) => boolean;
  /** False for a name no declared task has: the message is reported (onUnknown), not queued. */
  isKnown: (taskName: string) => boolean;
  onUnknown: (msg: TaskMsg) => void;
}

/** One destination task's queue; a send may pass it (PassingChannel) while it is `idle`. */
export class Destination {
  /** Bound: the SchedOut's capacity; its `sendNow` hands a message to the task's link. */
  readonly queue: PassingChannel<TaskMsg>;

  constructor(
    readonly name: string,
    capacity: number,
    sendNow: (msg: TaskMsg) => boolean,
  ) {
    this.queue = new PassingChannel<TaskMsg>(capacity);
    this.queue.sendNow = sendNow;
  }

  /**
   * Nothing of this destination is queued or being handed to its link: a send may go straight to
   * the link. Set only by the destination's loop as it waits on an empty queue; cleared by any
   * send that queues.
   */
  get idle(): boolean {
    return this.queue.idle;
  }

  set idle(isIdle: boolean) {
    this.queue.idle = isIdle;
  }
}

const RESOLVED: Promise<void> = Promise.resolve();

export class SchedOut implements SendChannel<TaskMsg> {
  /** One destination per task id, created on its first send. */
  private readonly destinations = new Map<string, Destination>();
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
      const destination = this.destinationFor(msg);
      if (destination === undefined) return RESOLVED;
      return destination.queue.send(msg, options);
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
      const destination = this.destinationFor(msgs[i]!);
      if (destination !== undefined) await destination.queue.sendMany(run, options);
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
    const destination = this.destinationFor(msg);
    return destination === undefined ? true : destination.queue.trySend(msg);
  }

  /** Closes every destination queue (idempotent); `why` names the cause in later errors. */
  close(why?: string): void {
    if (this.isClosed) return;
    this.isClosed = true;
    if (why !== undefined) this.closedAs = `schedOut (${why})`;
    for (const { queue } of this.destinations.values()) queue.close();
  }

  /** Messages queued and not yet handed to a link. */
  get pending(): number {
    let n = 0;
    for (const { queue } of this.destinations.values()) n += queue.length;
    return n;
  }

  /** Resolves once closed and every queue is empty. */
  async drained(): Promise<void> {
    await Promise.all([...this.destinations.values()].map(({ queue }) => queue.drained()));
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

  /** The message's destination; undefined (after reporting it) for an unknown one. */
  private destinationFor(msg: TaskMsg): Destination | undefined {
    this.check(msg);
    const name = msg.taskName;
    let destination = this.destinations.get(name);
    if (destination === undefined) {
      if (!this.options.isKnown(name)) {
        this.options.onUnknown(msg);
        return undefined;
      }
      destination = new Destination(name, this.options.capacity, this.options.sendNow);
      this.destinations.set(name, destination);
      this.options.startDestination(destination);
    }
    return destination;
  }
}
