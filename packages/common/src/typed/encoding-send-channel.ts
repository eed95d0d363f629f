import type { SendChannel } from '../channel/channel.js';

/**
 * A typed sending end over an untyped one: each value is encoded once as it is sent, so the
 * channel underneath (and everything past it) holds only wire data. Encoding errors reject the
 * `send` (or throw from `trySend`) and nothing is sent.
 */
export class EncodingSendChannel<A, B> implements SendChannel<A> {
  constructor(
    private readonly inner: SendChannel<B>,
    private readonly encode: (value: A) => B,
  ) {}

  get closed(): boolean {
    return this.inner.closed;
  }

  send(value: A, options?: { signal?: AbortSignal }): Promise<void> {
    let encoded: B;
    try {
      encoded = this.encode(value);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.inner.send(encoded, options);
  }

  trySend(value: A): boolean {
    return this.inner.trySend(this.encode(value));
  }

  sendMany(values: readonly A[], options?: { signal?: AbortSignal }): Promise<void> {
    let encoded: B[];
    try {
      encoded = values.map(this.encode);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.inner.sendMany(encoded, options);
  }

  trySendMany(values: readonly A[]): number {
    return this.inner.trySendMany(values.map(this.encode));
  }

  close(): void {
    this.inner.close();
  }
}
