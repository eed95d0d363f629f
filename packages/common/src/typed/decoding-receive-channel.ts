import type { ReceiveChannel, ReceiveResult } from '../channel/channel.js';
import type { MessageDecodeError } from '../errors.js';

/**
 * A typed receiving end over an untyped one: each value is decoded once as it is taken. A value
 * that cannot be decoded (the decoder throws MessageDecodeError) goes to `onDecodeError` and is
 * skipped — reported, never a crash of the stream nor a silent drop — and receiving goes on.
 */
export class DecodingReceiveChannel<A, B> implements ReceiveChannel<A> {
  constructor(
    private readonly inner: ReceiveChannel<B>,
    private readonly decode: (value: B) => A,
    private readonly onDecodeError: (error: MessageDecodeError) => void,
  ) {}

  get closed(): boolean {
    return this.inner.closed;
  }
  get length(): number {
    return this.inner.length;
  }
  get capacity(): number {
    return this.inner.capacity;
  }

  async receive(options?: { signal?: AbortSignal }): Promise<ReceiveResult<A>> {
    for (;;) {
      const r = await this.inner.receive(options);
      if (!r.ok) return r;
      const decoded = this.tryDecode(r.value);
      if (decoded !== SKIPPED) return { value: decoded, ok: true };
    }
  }

  tryReceive(): ReceiveResult<A> | undefined {
    for (;;) {
      const r = this.inner.tryReceive();
      if (r === undefined || !r.ok) return r;
      const decoded = this.tryDecode(r.value);
      if (decoded !== SKIPPED) return { value: decoded, ok: true };
    }
  }

  async receiveMany(max: number, options?: { signal?: AbortSignal }): Promise<A[]> {
    for (;;) {
      const raw = await this.inner.receiveMany(max, options);
      if (raw.length === 0) return [];
      const out = this.decodeAll(raw);
      if (out.length > 0) return out;
    }
  }

  async *batches(max?: number): AsyncIterableIterator<A[]> {
    for await (const raw of this.inner.batches(max)) {
      const out = this.decodeAll(raw);
      if (out.length > 0) yield out;
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterableIterator<A> {
    for await (const raw of this.inner) {
      const decoded = this.tryDecode(raw);
      if (decoded !== SKIPPED) yield decoded;
    }
  }

  drained(): Promise<void> {
    return this.inner.drained();
  }

  private decodeAll(raw: readonly B[]): A[] {
    const out: A[] = [];
    for (const value of raw) {
      const decoded = this.tryDecode(value);
      if (decoded !== SKIPPED) out.push(decoded);
    }
    return out;
  }

  private tryDecode(value: B): A | typeof SKIPPED {
    try {
      return this.decode(value);
    } catch (err) {
      this.onDecodeError(err as MessageDecodeError);
      return SKIPPED;
    }
  }
}

const SKIPPED: unique symbol = Symbol('skipped');
