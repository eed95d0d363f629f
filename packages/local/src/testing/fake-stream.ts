import type { ServerResponse } from 'node:http';
import { encodeRecord } from '@mesosgot/common/internal';
import { mesosJson } from './recorded-events.js';

/**
 * One open SUBSCRIBE response of a FakeMaster: the test script writes the event stream through
 * it. Writes after the stream closed are ignored (the client went away; the script need not care).
 */
export class FakeStream {
  /** Set when the response ended or its socket closed (either side). */
  #isOpen = true;
  /** Resolves once the response ended or its socket closed (either side). */
  readonly closed: Promise<void>;

  constructor(
    /** The Mesos-Stream-Id this stream was given ('' when the script sent none). */
    readonly streamId: string,
    /** The framework id the stream belongs to. */
    readonly frameworkId: string,
    /** Parsed SUBSCRIBE body. */
    readonly subscribeBody: Record<string, unknown>,
    private readonly response: ServerResponse,
  ) {
    this.closed = new Promise((resolve) => {
      const done = (): void => {
        this.#isOpen = false;
        resolve();
      };
      response.once('close', done);
      response.once('finish', done);
    });
  }

  /** Whether writes still reach the client. */
  get isOpen(): boolean {
    return this.#isOpen && !this.response.destroyed;
  }

  /** Sends one event as a RecordIO record, serialized as Mesos does (mesosJson). */
  send(event: object): void {
    this.sendRaw(encodeRecord(mesosJson(event)));
  }

  /** Sends bytes as they are (half records, garbage, several records at once). */
  sendRaw(bytes: Uint8Array | string): void {
    if (this.isOpen) this.response.write(bytes);
  }

  /**
   * Sends the record of `event` in pieces of `chunkSize` bytes, each its own HTTP chunk, letting
   * the event loop turn between pieces so they tend to reach the client as separate reads.
   */
  async sendInChunks(event: object, chunkSize: number): Promise<void> {
    const bytes = encodeRecord(mesosJson(event));
    for (let i = 0; i < bytes.length; i += chunkSize) {
      this.sendRaw(bytes.subarray(i, i + chunkSize));
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Orderly end: the terminating chunk, as a master does after TEARDOWN or an ERROR. */
  end(): void {
    if (this.isOpen) this.response.end();
  }

  /** Abrupt end: destroys the socket (possibly mid-record, without the terminating chunk). */
  cut(): void {
    this.response.socket?.destroy();
    this.response.destroy();
  }
}
