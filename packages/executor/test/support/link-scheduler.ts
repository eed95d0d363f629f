/**
 * The scheduler's end of a GoTask link for cluster tests: a ReliableLink whose frames go out as
 * MESSAGE calls of an HttpScheduler to one executor, and whose incoming frames are that
 * executor's MESSAGE events (relayed as they appear in `scheduler.events`).
 */
import { type TaskMsg } from '@mesosgot/common';
import { decodeLinkFrame, ReliableLink } from '@mesosgot/common/internal';
import type { HttpScheduler } from './http-scheduler.js';

/** How often new MESSAGE events are looked for; the relay is test plumbing, not under test. */
const RELAY_INTERVAL_MS = 2;

export class LinkScheduler {
  readonly link: ReliableLink;
  readonly received: TaskMsg[] = [];
  #next = 0;
  readonly #timer: NodeJS.Timeout;
  readonly #collecting: Promise<void>;

  constructor(
    private readonly scheduler: HttpScheduler,
    agentId: string,
    executorId: string,
  ) {
    this.link = new ReliableLink({
      transmit: (frame) =>
        scheduler.call({
          type: 'MESSAGE',
          message: { agent_id: { value: agentId }, executor_id: { value: executorId }, data: Buffer.from(frame).toString('base64') },
        }),
      retransmitMs: 100,
    });
    this.#timer = setInterval(() => this.#relay(), RELAY_INTERVAL_MS);
    const link = this.link;
    this.#collecting = (async () => {
      for await (const msg of link.receive()) this.received.push(msg);
    })();
  }

  send(taskName: string, data: string): Promise<void> {
    return this.link.send({ taskName, data });
  }

  /** Texts received from `taskName`, in order. */
  textsFrom(taskName: string): string[] {
    return this.received.filter((m) => m.taskName === taskName).map((m) => String(m.data));
  }

  /** Index in `scheduler.events` of the first MESSAGE whose frame carries `text` (-1 if none). */
  messageEventIndex(text: string): number {
    return this.scheduler.events.findIndex(
      (event) =>
        event.type === 'MESSAGE' &&
        decodeLinkFrame(Buffer.from((event.message as { data: string }).data, 'base64')).sections.some((s) => s.data?.messages.some((m) => m.data === text)),
    );
  }

  /** Index in `scheduler.events` of the UPDATE of `taskId` to `state` (-1 if none). */
  updateEventIndex(taskId: string, state: string): number {
    return this.scheduler.events.findIndex((event) => {
      const status = (event.update as { status?: { task_id: { value: string }; state: string } } | undefined)?.status;
      return event.type === 'UPDATE' && status?.task_id.value === taskId && status.state === state;
    });
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.link.close();
    await this.#collecting;
  }

  #relay(): void {
    const events = this.scheduler.events;
    for (; this.#next < events.length; this.#next++) {
      const event = events[this.#next]!;
      if (event.type !== 'MESSAGE') continue;
      const data = (event.message as { data: string }).data;
      this.link.onFrame(Buffer.from(data, 'base64'));
    }
  }
}
