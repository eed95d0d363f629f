/**
 * The two pumps between one task's channels and the executor's link to its scheduler (the
 * stream key is the task id in both directions). Each moves one message at a time and awaits
 * the other side (a batch at a time where one is waiting: what arrived together, what the task
 * queued), so backpressure crosses the network: a task that stops reading `input`
 * stops this pump, the link stops granting credit for that stream and the scheduler's sends
 * wait; a scheduler that stops reading stalls `link.send` here, the output channel fills and
 * the task's `output.send` waits. Streams are independent: one stalled task blocks nobody else.
 */
import { ChannelClosedError, type Channel, type PassingChannel, type TaskMsg } from '@mesosgot/common/internal';

/** The part of a ReliableLink the pumps use (ReliableLink satisfies it). */
export interface TaskLink {
  receive(stream: string, options?: { signal?: AbortSignal }): AsyncIterableIterator<TaskMsg>;
  /** Like receive(), yielding 1 … `max` queued messages per step. */
  receiveBatches(stream: string, options?: { signal?: AbortSignal; max?: number }): AsyncIterableIterator<TaskMsg[]>;
  send(msg: TaskMsg, options?: { signal?: AbortSignal }): Promise<void>;
  /** Queues `msg` if its stream has credit now, else false (nothing queued). */
  trySend(msg: TaskMsg): boolean;
  closeStream(stream: string): void;
}

/**
 * Moves the scheduler's messages for one task from `source` (batches of what arrived, e.g.
 * `link.receiveBatches(taskId)`) into `input`, in order. Ends when the source ends (stream or
 * link closed, `signal` aborted) or `input` is closed (kill, shutdown); closes `input` and
 * releases the source either way. Never rejects.
 */
export async function pumpInput(source: AsyncIterableIterator<TaskMsg[]>, input: Channel<TaskMsg>): Promise<void> {
  try {
    for (;;) {
      const next = await source.next();
      if (next.done === true) break;
      // Waits while the task's buffer is full: the link then holds (and stops crediting) the rest.
      await input.sendMany(next.value);
    }
  } catch {
    // Either input was closed under a waiting send (the task is stopping: the message was for a
    // task that will not read it) or the receive was aborted at the task's end. Both are the end.
  } finally {
    input.close();
    await source.return?.();
  }
}

/**
 * Moves one task's messages from `output` to the link, stamping each with `taskId` (the
 * executor says who sent it, whatever the task wrote). While it waits on an empty `output`, the
 * task's sends go straight to the link when it has credit (PassingChannel). Resolves when `output`
 * is closed and drained: with undefined, or with the error that stopped it early (a message the
 * link refuses, e.g. data that is neither string nor bytes; or ChannelClosedError once the
 * scheduler's side is gone), after closing `output` so the task's next send throws instead of
 * waiting forever.
 */
export async function pumpOutput(output: PassingChannel<TaskMsg>, taskId: string, link: TaskLink, signal: AbortSignal): Promise<Error | undefined> {
  // Anything the link refuses is left to the loop below, which reports it.
  output.sendNow = (msg) => {
    if (signal.aborted) return false;
    try {
      return link.trySend(stamp(msg, taskId));
    } catch {
      return false;
    }
  };
  // One wake-up per batch of what the task queued (at most the channel's capacity) rather than
  // per message; a batch in hand frees its room in `output`, so up to twice the capacity is
  // held: still bounded.
  const batches = output.batches();
  try {
    for (;;) {
      // Everything buffered reached the link: until a send must buffer again, sends may pass
      // (an unbuffered channel never lets them: its senders wait unseen in the channel).
      if (output.length === 0 && output.capacity > 0) output.idle = true;
      const step = await batches.next();
      output.idle = false;
      if (step.done === true) return undefined;
      for (const msg of step.value) {
        const stamped = stamp(msg, taskId);
        // Without waiting while the stream has credit: a promise only for a send that must wait.
        if (!link.trySend(stamped)) await link.send(stamped, { signal });
      }
    }
  } catch (error) {
    output.close();
    if (signal.aborted && error === signal.reason) return undefined;
    return error instanceof Error ? error : new ChannelClosedError(`output of task ${taskId}`);
  } finally {
    output.idle = false;
    output.sendNow = () => false;
  }
}

/** `msg`'s data as task `taskId`'s message (the link checks the data). */
function stamp(msg: TaskMsg, taskId: string): TaskMsg {
  const data = (msg as Partial<TaskMsg> | null | undefined)?.data as TaskMsg['data'];
  return { taskName: taskId, data };
}
