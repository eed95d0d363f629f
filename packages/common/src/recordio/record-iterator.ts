import { abortableChunks } from './abortable-chunks.js';
import { RecordIODecoder, type DecodeRecordIOOptions, type RecordSink } from './decoder.js';

/** Turns one complete record (a range of a buffer) into the value handed out. */
export type RecordConverter<T> = (payload: Buffer, start: number, end: number, offset: number) => T;

/**
 * The async iterator behind decodeRecordIO and decodeJsonRecords. Written by hand
 * rather than as an async generator because it is the per-record hot path: a
 * record already decoded is handed out with one resolved promise, while a
 * generator `yield` costs several promise jobs per record.
 *
 * Records decoded from one chunk are queued (bounded by that chunk's size) and
 * handed out before the next chunk is read, so a slow consumer slows the
 * socket (backpressure, docs/design.md, "Streams and cancellation"). A failure (bad framing, bad record, a
 * truncated stream) is thrown only after the good records before it.
 */
export class RecordIterator<T> implements AsyncIterableIterator<T> {
  readonly #chunks: AsyncGenerator<Uint8Array, void, undefined>;
  readonly #decoder: RecordIODecoder;
  readonly #signal: AbortSignal | undefined;
  readonly #sink: RecordSink;
  /** Values decoded from the last chunk; `#head` is the next to hand out. Written by #sink. */
  #queue: T[] = [];
  #head = 0;
  /** Error to throw once the queue drains; set when feeding the decoder fails. */
  #failure: unknown = undefined;
  #isDone = false;
  /** The read in progress, so overlapping next() calls are served in order. */
  #reading: Promise<IteratorResult<T, undefined>> | undefined;
  #isClaimed = false;

  constructor(source: AsyncIterable<Uint8Array>, options: DecodeRecordIOOptions, convert: RecordConverter<T>) {
    this.#decoder = new RecordIODecoder(options);
    this.#signal = options.signal;
    this.#chunks = abortableChunks(source, options.signal);
    this.#sink = (payload, start, end, offset) => {
      this.#queue.push(convert(payload, start, end, offset));
    };
  }

  [Symbol.asyncIterator](): this {
    // One consumer per iterator (docs/design.md, "Streams and cancellation"): a second would silently steal records.
    if (this.#isClaimed) throw new TypeError('a RecordIO stream can be iterated only once');
    this.#isClaimed = true;
    return this;
  }

  next(): Promise<IteratorResult<T, undefined>> {
    if (this.#reading !== undefined) return this.#reading.then(() => this.next());
    if (this.#head < this.#queue.length) {
      if (this.#signal?.aborted === true) return this.#fail(this.#signal.reason);
      const value = this.#queue[this.#head] as T;
      this.#head += 1;
      return Promise.resolve({ done: false, value });
    }
    if (this.#isDone) return Promise.resolve({ done: true, value: undefined });
    const reading = this.#read();
    this.#reading = reading;
    const clear = (): void => {
      this.#reading = undefined;
    };
    reading.then(clear, clear);
    return reading;
  }

  /** Stops early (`break`): closes the source, which for an HTTP body destroys the socket. */
  async return(): Promise<IteratorResult<T, undefined>> {
    this.#isDone = true;
    this.#queue = [];
    this.#head = 0;
    await this.#chunks.return();
    return { done: true, value: undefined };
  }

  async #read(): Promise<IteratorResult<T, undefined>> {
    this.#queue = [];
    this.#head = 0;
    for (;;) {
      if (this.#failure !== undefined) return this.#fail(this.#failure);
      let step: IteratorResult<Uint8Array, void>;
      try {
        step = await this.#chunks.next();
      } catch (error) {
        // The source failed or the signal aborted; abortableChunks already closed it.
        this.#isDone = true;
        throw error;
      }
      if (step.done === true) {
        this.#isDone = true;
        this.#decoder.end();
        return { done: true, value: undefined };
      }
      try {
        this.#decoder.feed(step.value, this.#sink);
      } catch (error) {
        this.#failure = error;
      }
      if (this.#queue.length > 0) {
        this.#head = 1;
        return { done: false, value: this.#queue[0] as T };
      }
    }
  }

  async #fail(error: unknown): Promise<never> {
    this.#isDone = true;
    this.#queue = [];
    this.#head = 0;
    await this.#chunks.return();
    throw error;
  }
}
