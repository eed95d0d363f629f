/**
 * The agent's status-update manager (docs/protocol.md, "Acknowledgements", "Status update pipeline"): one FIFO stream per
 * task, only the head in flight. The head is forwarded to the master and re-sent on a timer
 * (10 s doubling to 10 min, like Mesos) until the scheduler's acknowledgement comes back
 * through `acknowledge()`; then the next update goes. Duplicate uuids are ignored, and once a
 * terminal update is queued later updates for that task are dropped (docs/protocol.md, "Executor rules", rule 6).
 */
import { isTerminalState, type TaskStatus } from '@mesosgot/common/internal';

/** Mesos' status-update retry: first after 10 s, doubling, capped at 10 min (docs/protocol.md, "Acknowledgements"). */
export const DEFAULT_STATUS_UPDATE_RETRY_MS = 10_000;
export const MAX_STATUS_UPDATE_RETRY_MS = 600_000;

/** What happened to an update handed to `enqueue`; in every case the executor gets ACKNOWLEDGED. */
export type EnqueueOutcome = 'queued' | 'duplicate' | 'after-terminal';

export interface StatusUpdateQueueOptions {
  /** Sends one update to the master. Called again for the same head on every retry. */
  forward: (frameworkId: string, status: TaskStatus) => void;
  initialRetryMs?: number;
  maxRetryMs?: number;
}

interface TaskStream {
  frameworkId: string;
  taskId: string;
  /** Unacknowledged updates, head first. Bounded by what one task's executor sends before its terminal update. */
  pending: TaskStatus[];
  uuids: Set<string>;
  terminalQueued: boolean;
  retryMs: number;
  timer: NodeJS.Timeout | undefined;
}

export class StatusUpdateQueue {
  readonly #forward: StatusUpdateQueueOptions['forward'];
  readonly #initialRetryMs: number;
  readonly #maxRetryMs: number;
  /** Live streams by framework and task; written by enqueue/acknowledge/dropFramework. */
  readonly #streams = new Map<string, TaskStream>();
  /** Tasks whose terminal update was acknowledged: later updates for them are dropped. */
  readonly #finished = new Set<string>();
  /** True while the agent is crashed: nothing is forwarded and no timer runs. */
  #paused = false;

  constructor({ forward, initialRetryMs = DEFAULT_STATUS_UPDATE_RETRY_MS, maxRetryMs = MAX_STATUS_UPDATE_RETRY_MS }: StatusUpdateQueueOptions) {
    this.#forward = forward;
    this.#initialRetryMs = initialRetryMs;
    this.#maxRetryMs = maxRetryMs;
  }

  /** Takes responsibility for a reliable update (it must carry a uuid); forwards it if it is the head. */
  enqueue(frameworkId: string, status: TaskStatus): EnqueueOutcome {
    const key = streamKey(frameworkId, status.task_id.value);
    if (this.#finished.has(key)) return 'after-terminal';
    let stream = this.#streams.get(key);
    if (!stream) {
      stream = {
        frameworkId,
        taskId: status.task_id.value,
        pending: [],
        uuids: new Set(),
        terminalQueued: false,
        retryMs: this.#initialRetryMs,
        timer: undefined,
      };
      this.#streams.set(key, stream);
    }
    const uuid = status.uuid ?? '';
    if (stream.uuids.has(uuid)) return 'duplicate';
    if (stream.terminalQueued) return 'after-terminal';
    stream.uuids.add(uuid);
    stream.terminalQueued = isTerminalState(status.state);
    stream.pending.push(status);
    if (stream.pending.length === 1) this.#sendHead(stream, true);
    return 'queued';
  }

  /**
   * The scheduler acknowledged `uuid` for this task. Pops the head if it matches (an ACK for
   * any other uuid is ignored, docs/protocol.md, "Acknowledgements") and forwards the next update. Returns whether it matched.
   */
  acknowledge(frameworkId: string, taskId: string, uuid: string): boolean {
    const key = streamKey(frameworkId, taskId);
    const stream = this.#streams.get(key);
    if (!stream || stream.pending[0]?.uuid !== uuid) return false;
    clearTimeout(stream.timer);
    stream.timer = undefined;
    const acked = stream.pending.shift()!;
    if (isTerminalState(acked.state)) {
      // The stream ends with its terminal update (docs/protocol.md, "Status update pipeline").
      this.#streams.delete(key);
      this.#finished.add(key);
    } else if (stream.pending.length > 0) {
      this.#sendHead(stream, true);
    }
    return true;
  }

  /**
   * A task with this id was launched again (after its terminal update was acknowledged, as a
   * scheduler that relaunches a failed task does): it starts a new stream. Mesos' status update
   * manager destroys a stream at its terminal acknowledgement, so an id is never "finished" for
   * good; only a stream still waiting for its terminal ack keeps dropping late updates.
   */
  taskLaunched(frameworkId: string, taskId: string): void {
    this.#finished.delete(streamKey(frameworkId, taskId));
  }

  /** Re-sends every head of this framework now (a framework re-subscribed), or of all frameworks. */
  resend(frameworkId?: string): void {
    if (this.#paused) return;
    for (const stream of this.#streams.values()) {
      if (frameworkId !== undefined && stream.frameworkId !== frameworkId) continue;
      if (stream.pending.length > 0) this.#sendHead(stream, true);
    }
  }

  /** The agent crashed: stop all timers and forwarding, keep the streams (they are "checkpointed"). */
  pause(): void {
    this.#paused = true;
    for (const stream of this.#streams.values()) {
      clearTimeout(stream.timer);
      stream.timer = undefined;
    }
  }

  /** The agent restarted: forward every head again. */
  resume(): void {
    this.#paused = false;
    this.resend();
  }

  /** Forgets every stream of a framework (not checkpointed across a crash, or removed). */
  dropFramework(frameworkId: string): void {
    for (const [key, stream] of this.#streams) {
      if (stream.frameworkId !== frameworkId) continue;
      clearTimeout(stream.timer);
      this.#streams.delete(key);
    }
    for (const key of this.#finished) if (key.startsWith(`${frameworkId}\u0000`)) this.#finished.delete(key);
  }

  /** The unacknowledged updates of one task, head first (a copy). */
  pending(frameworkId: string, taskId: string): TaskStatus[] {
    return [...(this.#streams.get(streamKey(frameworkId, taskId))?.pending ?? [])];
  }

  /** Stops every timer; the queue forwards nothing afterwards. Resolves nothing: synchronous. */
  close(): void {
    this.pause();
    this.#streams.clear();
    this.#finished.clear();
  }

  #sendHead(stream: TaskStream, resetBackoff: boolean): void {
    if (this.#paused) return;
    const head = stream.pending[0];
    if (!head) return;
    if (resetBackoff) stream.retryMs = this.#initialRetryMs;
    clearTimeout(stream.timer);
    // Arm the retry before forwarding: the master may acknowledge synchronously, and that
    // acknowledgement must find (and clear) this timer.
    stream.timer = setTimeout(() => {
      stream.timer = undefined;
      stream.retryMs = Math.min(stream.retryMs * 2, this.#maxRetryMs);
      this.#sendHead(stream, false);
    }, stream.retryMs);
    this.#forward(stream.frameworkId, head);
  }
}

function streamKey(frameworkId: string, taskId: string): string {
  return `${frameworkId}\u0000${taskId}`;
}
