/**
 * One framework's event stream (docs/protocol.md, "Connections", "Stream id", "Heartbeats"): a 200 response whose
 * body is RecordIO-framed JSON events, a fresh `Mesos-Stream-Id`, SUBSCRIBED then at once
 * HEARTBEAT, then a HEARTBEAT every `heartbeat_interval_seconds`.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { encodeRecord, MEDIA_TYPES, type ContentType, type SchedulerEvent } from '@mesosgot/common/internal';
import { SCHEDULER_EVENT_CODEC } from '@mesosgot/common/protobuf';
import { writeInTurn } from '../http/turn-batched-writes.js';

/** Mesos' fixed heartbeat interval (docs/protocol.md, "Heartbeats"). */
export const DEFAULT_HEARTBEAT_INTERVAL_SECONDS = 15;

/**
 * Bytes we let queue on one stream for a subscriber that does not read. Past it the stream is
 * closed, which the framework sees as a disconnection: memory stays bounded, nothing hangs.
 */
const MAX_QUEUED_STREAM_BYTES = 64 * 1024 * 1024;

/** RecordIO framing (docs/protocol.md, "RecordIO"): decimal byte length, LF, payload in Mesos' JSON (docs/protobuf.md). */
export function recordOf(event: SchedulerEvent, contentType: ContentType = 'json'): Buffer {
  return encodeRecord(SCHEDULER_EVENT_CODEC.serialize(event, contentType));
}

export interface SubscriptionOptions {
  heartbeatIntervalSeconds: number;
  /** Record encoding the subscriber's `Accept` chose (docs/protobuf.md); JSON when absent. */
  contentType?: ContentType;
  /** Called once if the subscriber goes away (socket closed) before we closed the stream. */
  onGone: (subscription: Subscription) => void;
}

/**
 * A live event stream. Created by the scheduler API on SUBSCRIBE; the response head is written
 * by the constructor (status 200, `Content-Type: application/json`, `Mesos-Stream-Id`).
 * `close()` ends the body; the heartbeat timer dies with the stream.
 */
export class Subscription {
  readonly streamId: string = randomUUID();
  readonly #res: ServerResponse;
  readonly #options: SubscriptionOptions;
  /** Encoding of every record on this stream, fixed at SUBSCRIBE. */
  readonly contentType: ContentType;
  /** Written by `close()` and the response's `close` listener; true once the stream is over. */
  #closed = false;
  #heartbeat: NodeJS.Timeout | undefined;

  constructor(res: ServerResponse, options: SubscriptionOptions) {
    this.#res = res;
    this.#options = options;
    this.contentType = options.contentType ?? 'json';
    // Content-Type is the record encoding, not application/recordio (docs/protocol.md, "Headers"); chunked, no length.
    res.writeHead(200, { 'Content-Type': MEDIA_TYPES[this.contentType], 'Mesos-Stream-Id': this.streamId });
    res.flushHeaders();
    res.on('close', () => {
      if (this.#closed) return;
      this.#stop();
      this.#options.onGone(this);
    });
  }

  get isOpen(): boolean {
    return !this.#closed;
  }

  /** Sends SUBSCRIBED, then one HEARTBEAT at once, then one per interval (docs/protocol.md, "Heartbeats", "Scheduler events"). */
  start(subscribed: SchedulerEvent): void {
    this.send(subscribed);
    this.send({ type: 'HEARTBEAT' });
    const intervalMs = this.#options.heartbeatIntervalSeconds * 1000;
    if (intervalMs > 0) this.#heartbeat = setInterval(() => this.send({ type: 'HEARTBEAT' }), intervalMs);
  }

  /** Writes one record; false if the stream is closed (the event is dropped, as Mesos does). */
  send(event: SchedulerEvent): boolean {
    if (this.#closed) return false;
    if (this.#res.writableLength > MAX_QUEUED_STREAM_BYTES) {
      this.#res.destroy();
      return false;
    }
    writeInTurn(this.#res, recordOf(event, this.contentType));
    return true;
  }

  /** Sends `ERROR {message}` and closes the stream (failover, removal: docs/protocol.md, "Subscribing"). */
  fail(message: string): void {
    this.send({ type: 'ERROR', error: { message } });
    this.close();
  }

  /** Ends the body (terminating chunk) and stops heartbeats. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#stop();
    this.#res.end();
  }

  /**
   * Tears the socket down at once, as a network cut would (fault injection). Unlike `close()`
   * this counts as the subscriber going away: `onGone` runs and the failover timer starts.
   */
  cut(): void {
    if (this.#closed) return;
    this.#res.destroy();
  }

  #stop(): void {
    this.#closed = true;
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }
}
