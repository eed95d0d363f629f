/**
 * A plain-HTTP scheduler for master tests, written against the protocol reference only
 * (docs/protocol.md, "Endpoints", "A session on the wire"): one stream connection, one connection for calls, RecordIO
 * JSON events collected in order.
 */
import { Agent, request } from 'undici';
import { type FrameworkInfo, type SchedulerCall, type SchedulerEvent } from '@mesosgot/common';
import { decodeRecordIO, MEDIA_TYPES, type ContentType } from '@mesosgot/common/internal';
import { SCHEDULER_CALL_CODEC, SCHEDULER_EVENT_CODEC } from '@mesosgot/common/protobuf';
import { waitFor } from '@mesosgot/local/testing';

export interface HttpAnswer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** POSTs `body` (an object is JSON-encoded; bytes go as they are) to the scheduler endpoint with the given headers. */
export async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' },
  method = 'POST',
): Promise<HttpAnswer> {
  const res = await request(`${url}/api/v1/scheduler`, {
    method: method as 'POST',
    headers,
    body: method === 'GET' ? undefined : typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
  });
  return { status: res.statusCode, body: await res.body.text(), headers: res.headers };
}

export class HttpScheduler {
  readonly events: SchedulerEvent[] = [];
  streamId = '';
  /** The stream's Content-Type as the master answered it. */
  contentType = '';
  frameworkId = '';
  status = 0;
  /** True once the master ended the stream (or it broke). */
  ended = false;
  readonly #url: string;
  /** Encoding of our calls and of the records we asked for. */
  readonly #encoding: ContentType;
  readonly #streamAgent = new Agent({ connections: 1 });
  readonly #abort = new AbortController();
  #reader: Promise<void> | undefined;

  private constructor(url: string, encoding: ContentType) {
    this.#url = url;
    this.#encoding = encoding;
  }

  /**
   * Opens a SUBSCRIBE stream; resolves once the 200 head arrived (events keep coming in).
   * `encoding` is the Content-Type and Accept of every exchange (calls, records); `rawBody`
   * replaces the encoded SUBSCRIBE (recorded request bytes).
   */
  static async subscribe(
    url: string,
    info: FrameworkInfo,
    extraHeaders: Record<string, string> = {},
    { encoding = 'json', rawBody }: { encoding?: ContentType; rawBody?: Uint8Array } = {},
  ): Promise<HttpScheduler> {
    const s = new HttpScheduler(url, encoding);
    const call = { type: 'SUBSCRIBE', ...(info.id ? { framework_id: info.id } : {}), subscribe: { framework_info: info } } as const;
    const res = await request(`${url}/api/v1/scheduler`, {
      method: 'POST',
      headers: { 'Content-Type': MEDIA_TYPES[encoding], Accept: MEDIA_TYPES[encoding], ...extraHeaders },
      body: rawBody ?? SCHEDULER_CALL_CODEC.encode(call, encoding),
      dispatcher: s.#streamAgent,
      signal: s.#abort.signal,
    });
    s.status = res.statusCode;
    s.contentType = String(res.headers['content-type'] ?? '');
    s.streamId = String(res.headers['mesos-stream-id'] ?? '');
    s.#reader = (async () => {
      try {
        for await (const record of decodeRecordIO(res.body)) {
          const event = SCHEDULER_EVENT_CODEC.decode(record, encoding);
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
    const body = { framework_id: { value: this.frameworkId }, ...call } as unknown as SchedulerCall;
    return post(this.#url, this.#encoding === 'json' ? body : Buffer.from(SCHEDULER_CALL_CODEC.toBinary(body)), {
      'Content-Type': MEDIA_TYPES[this.#encoding],
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
