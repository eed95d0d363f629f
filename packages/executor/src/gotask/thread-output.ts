/**
 * A task's `output` inside its thread. A message sent while the main thread has credit is posted
 * before the task's code goes on (at the end of the current microtask run), so a task that sends
 * and then computes for a long time has its message on the way already. Without credit, messages
 * wait in a buffer of `capacity` (then `send` waits, as on any channel) and go when credit comes.
 * Bytes are copied at `send` (the copy then moves to the main thread without another).
 */
import { Channel, ChannelClosedError, InvalidArgumentError, type SendChannel, type TaskMsg } from '@mesosgot/common/internal';
import { crossing, type MsgData } from './thread-bridge.js';

const RESOLVED: Promise<void> = Promise.resolve();

export class ThreadOutput implements SendChannel<TaskMsg> {
  /** Messages waiting for credit, in order; sends wait while it is full. */
  readonly #buffered: Channel<MsgData>;
  /** Messages given credit and not yet posted, with the buffers they move; flushed in a microtask. */
  #staged: MsgData[] = [];
  #transfer: ArrayBuffer[] = [];
  #isFlushQueued = false;
  #credits: number;
  #isClosed = false;
  /** Why output stopped early: data that may not cross, or the main thread's refusal. */
  #failure: string | undefined;
  readonly #post: (data: MsgData[], transfer: ArrayBuffer[]) => void;
  #resolveDrained: (() => void) | undefined;

  /** `post` moves one batch to the main thread; `credits` is how many it may take at first. */
  constructor(capacity: number, credits: number, post: (data: MsgData[], transfer: ArrayBuffer[]) => void) {
    this.#buffered = new Channel<MsgData>(capacity);
    this.#credits = credits;
    this.#post = post;
  }

  get closed(): boolean {
    return this.#isClosed;
  }

  /** Why output stopped early, once it did. */
  get failure(): string | undefined {
    return this.#failure;
  }

  send(msg: TaskMsg, options?: { signal?: AbortSignal }): Promise<void> {
    if (this.#isClosed) return Promise.reject(new ChannelClosedError());
    const data = this.#check(msg);
    if (data === undefined) return RESOLVED;
    if (this.#credits > 0 && this.#buffered.length === 0) {
      this.#stage(data);
      return RESOLVED;
    }
    return this.#buffered.send(data, options);
  }

  trySend(msg: TaskMsg): boolean {
    if (this.#isClosed) throw new ChannelClosedError();
    const data = this.#check(msg);
    if (data === undefined) return true;
    if (this.#credits > 0 && this.#buffered.length === 0) {
      this.#stage(data);
      return true;
    }
    return this.#buffered.trySend(data);
  }

  /** Sends in order: what fits goes at once (one post for the lot), then one at a time as credit comes. */
  async sendMany(msgs: readonly TaskMsg[], options?: { signal?: AbortSignal }): Promise<void> {
    let i = this.trySendMany(msgs);
    while (i < msgs.length) await this.send(msgs[i++]!, options);
  }

  trySendMany(msgs: readonly TaskMsg[]): number {
    let i = 0;
    while (i < msgs.length && this.trySend(msgs[i]!)) i++;
    return i;
  }

  close(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.#buffered.close();
    this.#checkDrained();
  }

  /** The main thread took `n` more: what waits for credit goes now. */
  grant(n: number): void {
    this.#credits += n;
    while (this.#credits > 0) {
      const next = this.#buffered.tryReceive();
      if (next === undefined || !next.ok) break;
      this.#stage(next.value);
    }
    this.#checkDrained();
  }

  /** The main thread takes no more (`reason`): output closes, what waits is dropped. */
  refuse(reason: string): void {
    this.#failure ??= reason;
    this.close();
    while (this.#buffered.tryReceive()?.ok === true) {
      // Dropped: the link behind the main thread is gone, nothing can carry it any more.
    }
    this.#checkDrained();
  }

  /** Resolves once output is closed and everything sent was posted (or dropped by refuse). */
  drained(): Promise<void> {
    return new Promise((resolve) => {
      this.#resolveDrained = resolve;
      this.#checkDrained();
    });
  }

  /** The data that crosses, or undefined when it may not (output then fails and closes). */
  #check(msg: TaskMsg): MsgData | undefined {
    const data = (msg as Partial<TaskMsg> | null | undefined)?.data;
    if (typeof data === 'string') return data;
    // Copied now, exactly its length: the task may reuse or change its buffer once send resolved.
    if (data instanceof Uint8Array) return data.slice();
    // As on the main thread: the message is refused, output closes, the task's next send throws.
    this.#failure ??= new InvalidArgumentError('msg.data', data, 'must be a string or a Uint8Array').message;
    this.close();
    return undefined;
  }

  #stage(data: MsgData): void {
    this.#credits--;
    this.#staged.push(crossing(data, this.#transfer, true));
    if (this.#isFlushQueued) return;
    this.#isFlushQueued = true;
    queueMicrotask(() => this.#flush());
  }

  #flush(): void {
    this.#isFlushQueued = false;
    if (this.#staged.length === 0) return;
    const batch = this.#staged;
    const transfer = this.#transfer;
    this.#staged = [];
    this.#transfer = [];
    this.#post(batch, transfer);
    this.#checkDrained();
  }

  #checkDrained(): void {
    if (this.#resolveDrained === undefined || !this.#isClosed || this.#buffered.length > 0 || this.#staged.length > 0) return;
    const resolve = this.#resolveDrained;
    this.#resolveDrained = undefined;
    resolve();
  }
}
