/**
 * An executor-side ExecutorLink wired back to back with a scheduler-side ReliableLink, in
 * process: each frame is delivered to the other side on a later turn, as a framework message
 * would be. A fake TaskHost on top records status updates and what the scheduler side had
 * received when each was sent.
 */
import { type TaskInfo, type TaskMsg, type TaskStatus } from '@mesosgot/common';
import { ReliableLink } from '@mesosgot/common/internal';
import { ExecutorLink } from '../../../src/gotask/executor-link.js';
import type { AppTaskExecutor } from '../../../src/gotask/task-func.js';
import type { TaskHost } from '../../../src/gotask/task-runner.js';

export interface RecordedUpdate {
  status: TaskStatus;
  /** Messages the scheduler link had received (delivered to its inbox) when this update was sent. */
  schedulerReceived: number;
}

export class LinkPair {
  readonly executor: ExecutorLink;
  readonly scheduler: ReliableLink;
  readonly updates: RecordedUpdate[] = [];
  readonly errors: Error[] = [];
  /** Everything the scheduler side received, in order (filled by collect()). */
  readonly received: TaskMsg[] = [];
  #collecting: Promise<void> | undefined;

  constructor() {
    this.scheduler = new ReliableLink({ transmit: async (frame) => {
      setImmediate(() => this.executor.onFrame(frame));
    }, retransmitMs: 50 });
    this.executor = new ExecutorLink(async (frame) => {
      setImmediate(() => this.scheduler.onFrame(frame));
    }, { retransmitMs: 50 });
  }

  host(appTaskExecutor: AppTaskExecutor, overrides: Partial<TaskHost> = {}): TaskHost {
    return {
      link: this.executor,
      appTaskExecutor,
      channelCapacity: 4,
      defaultKillGraceMs: 200,
      sendStatusUpdate: async (status) => {
        this.updates.push({ status, schedulerReceived: this.scheduler.stats().messagesDelivered });
      },
      flushSignal: () => AbortSignal.timeout(2_000),
      flush: (_taskId, signal) => this.executor.drain(signal),
      onError: (error) => this.errors.push(error),
      ...overrides,
    };
  }

  /** Starts consuming every stream of the scheduler side into `received`. */
  collect(): void {
    this.#collecting ??= (async () => {
      for await (const m of this.scheduler.receive()) this.received.push(m);
    })();
  }

  statesOf(taskId: string): string[] {
    return this.updates.filter((u) => u.status.task_id.value === taskId).map((u) => u.status.state);
  }

  update(taskId: string, state: string): RecordedUpdate | undefined {
    return this.updates.find((u) => u.status.task_id.value === taskId && u.status.state === state);
  }

  async close(): Promise<void> {
    await this.scheduler.close();
    await this.executor.close();
    await this.#collecting;
  }
}

export function taskInfo(taskId: string, extra: Partial<TaskInfo> = {}): TaskInfo {
  return { name: taskId, task_id: { value: taskId }, agent_id: { value: 'agent-0' }, resources: [], ...extra };
}
