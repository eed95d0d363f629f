/**
 * A plain-HTTP scheduler for master tests, written against the protocol reference only
 * (docs/protocol.md, "Endpoints", "A session on the wire"): one stream connection, one connection for calls, RecordIO
 * JSON events collected in order.
 */
import { Agent, request } from 'undici';
import { type FrameworkInfo, type SchedulerEvent } from '@mesosgot/common';
import { decodeJsonRecords } from '@mesosgot/common/internal';
import { waitFor } from '@mesosgot/local/testing';

export interface HttpAnswer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** POSTs `body` (an object is JSON-encoded) to the scheduler endpoint with the given headers. */
export async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' },
  method = 'POST',
): Promise<HttpAnswer> {
  const res = await request(`${url}/api/v1/scheduler`, {
    method: method as 'POST',
    headers,
    body: method === 'GET' ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.statusCode, body: await res.body.text(), headers: res.headers };
}

export class HttpScheduler {
  readonly events: SchedulerEvent[] = [];
  streamId = '';
  frameworkId = '';
  status = 0;
  /** True once the master ended the stream (or it broke). */
  ended = false;
  readonly #url: string;
  readonly #streamAgent = new Agent({ connections: 1 });
  readonly #abort = new AbortController();
  #reader: Promise<void> | undefined;

  private constructor(url: string) {
    this.#url = url;
  }

  /** Opens a SUBSCRIBE stream; resolves once the 200 head arrived (events keep coming in). */
  static async subscribe(
    url: string,
    info: FrameworkInfo,
    extraHeaders: Record<string, string> = {},
  ): Promise<HttpScheduler> {
    const s = new HttpScheduler(url);
    const body = { type: 'SUBSCRIBE', ...(info.id ? { framework_id: info.id } : {}), subscribe: { framework_info: info } };
    const res = await request(`${url}/api/v1/scheduler`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...extraHeaders },
      body: JSON.stringify(body),
      dispatcher: s.#streamAgent,
      signal: s.#abort.signal,
    });
    s.status = res.statusCode;
    s.streamId = String(res.headers['mesos-stream-id'] ?? '');
    s.#reader = (async () => {
      try {
        for await (const event of decodeJsonRecords<SchedulerEvent>(res.body)) {
          if (event.type === 'SUBSCRIBED') s.frameworkId = event.subscribed.framework_id.value;
          s.events.push(event);
        }
      } catch {
        // The stream was cut (by us or a fault): `ended` tells the test, which is all it needs.
      } finally {
        s.ended = true;
      }
    })();
    return s;
  }

  /** Waits for the first event (from index `from`) matching `match`; returns it. */
  async next<T extends SchedulerEvent['type']>(
    type: T,
    match: (e: Extract<SchedulerEvent, { type: T }>) => boolean = () => true,
    { from = 0, timeoutMs = 5_000 } = {},
  ): Promise<Extract<SchedulerEvent, { type: T }>> {
    return waitFor(
      () =>
        this.events
          .slice(from)
          .find((e): e is Extract<SchedulerEvent, { type: T }> => e.type === type && match(e as Extract<SchedulerEvent, { type: T }>)),
      { timeoutMs, what: `${type} event` },
    );
  }

  updates(taskId: string): Extract<SchedulerEvent, { type: 'UPDATE' }>[] {
    return this.events.filter(
      (e): e is Extract<SchedulerEvent, { type: 'UPDATE' }> => e.type === 'UPDATE' && e.update.status.task_id.value === taskId,
    );
  }

  /** Sends a call with this subscription's framework id and stream id (unless overridden). */
  async call(call: Record<string, unknown>, headers: Record<string, string> = {}): Promise<HttpAnswer> {
    return post(this.#url, { framework_id: { value: this.frameworkId }, ...call }, {
      'Content-Type': 'application/json',
      'Mesos-Stream-Id': this.streamId,
      ...headers,
    });
  }

  /** Closes our end of the stream and waits until the reader is done. */
  async close(): Promise<void> {
    this.#abort.abort();
    await this.#reader;
    await this.#streamAgent.destroy();
  }
}
