/**
 * One executor's subscription stream (docs/protocol.md, "Headers", "RecordIO", "Executor events"): a 200 response
 * with `Content-Type: application/json` (not recordio), chunked, each Event framed as a
 * RecordIO record. The agent closes it on re-subscribe, shutdown, or (abruptly) on a crash.
 */
import type { ServerResponse } from 'node:http';
import { encodeRecord, MEDIA_TYPES, type ContentType, type ExecutorEvent } from '@mesosgot/common/internal';
import { EXECUTOR_EVENT_CODEC } from '@mesosgot/common/protobuf';
import { writeInTurn } from '../http/turn-batched-writes.js';

export class ExecutorEventStream {
  // Set when the response ended or its socket closed; guards against writes after the end.
  #closed = false;
  readonly #closedListeners: (() => void)[] = [];

  /** `contentType`: the record encoding the executor's `Accept` chose (docs/protobuf.md). */
  constructor(
    private readonly response: ServerResponse,
    readonly contentType: ContentType = 'json',
  ) {
    response.writeHead(200, { 'Content-Type': MEDIA_TYPES[contentType] });
    // Send the headers now: the executor waits for them before reading records.
    response.flushHeaders();
    response.once('close', () => this.#markClosed());
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Runs `listener` once when the stream ends for any reason (executor hung up, agent closed it). */
  onClose(listener: () => void): void {
    if (this.#closed) listener();
    else this.#closedListeners.push(listener);
  }

  /** Writes one event; a closed stream drops it (the executor is gone, best effort, docs/protocol.md, "Framework messages"). */
  send(event: ExecutorEvent): void {
    if (this.#closed) return;
    writeInTurn(this.response, encodeRecord(EXECUTOR_EVENT_CODEC.serialize(event, this.contentType)));
  }

  /** Ends the stream cleanly (terminating chunk): the executor sees EOF. */
  end(): void {
    if (this.#closed) return;
    this.response.end();
    this.#markClosed();
  }

  /** Drops the connection without a terminating chunk, as a dying agent process would. */
  destroy(): void {
    this.response.destroy();
    this.#markClosed();
  }

  #markClosed(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const listener of this.#closedListeners.splice(0)) listener();
  }
}
