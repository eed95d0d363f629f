/**
 * The driver's connection status as async iterables (docs/design.md, "Streams and cancellation", cf. nats.js `status()`):
 * every `subscribe()` gets its own bounded queue of ConnectionStatus entries.
 */
import type { DriverStatus } from './scheduler-driver.js';

/** What happened to the connection, one entry per change, discriminated on `type`. */
export type ConnectionStatus =
  | {
      type: 'connecting';
      /** The master being tried. */
      masterUrl: string;
      /** Number of this SUBSCRIBE attempt since the driver started, from 1. */
      attempt: number;
    }
  | {
      type: 'connected';
      /** The master that answered SUBSCRIBED (after any redirect). */
      masterUrl: string;
      /** The framework's id. */
      frameworkId: string;
      /** The subscription's `Mesos-Stream-Id`. */
      streamId: string;
      /** Whether this subscription resumed an existing framework. */
      isReregistration: boolean;
    }
  | {
      type: 'disconnected';
      /** Why the subscription ended; undefined for an orderly end. */
      error: Error | undefined;
    }
  | {
      type: 'reconnecting';
      /** Backoff before the next SUBSCRIBE, in ms. */
      delayMs: number;
      /** The failure that caused the retry, if any. */
      error: Error | undefined;
    }
  | {
      type: 'acknowledgementFailed';
      /** The task whose update could not be acknowledged (the agent will resend it). */
      taskId: string;
      /** Why the ACKNOWLEDGE failed. */
      error: Error;
    }
  | {
      type: 'stopped';
      /** The terminal status. */
      driverStatus: Extract<DriverStatus, 'DRIVER_STOPPED' | 'DRIVER_ABORTED'>;
      /** The error that ended the driver; undefined after stop(). */
      error: Error | undefined;
    };

/**
 * Entries kept per consumer that does not keep up; the oldest are dropped beyond it (the driver
 * must never wait on a status reader, and the latest state matters more than old history).
 */
export const STATUS_QUEUE_BOUND = 256;

interface Consumer {
  queue: ConnectionStatus[];
  wake: (() => void) | undefined;
}

export class StatusStream {
  readonly #consumers = new Set<Consumer>();
  /** Set by the `stopped` entry; later subscribers get just that entry. */
  #final: ConnectionStatus | undefined;

  publish(status: ConnectionStatus): void {
    if (this.#final !== undefined) return;
    if (status.type === 'stopped') this.#final = status;
    for (const consumer of this.#consumers) {
      consumer.queue.push(status);
      if (consumer.queue.length > STATUS_QUEUE_BOUND) consumer.queue.shift();
      consumer.wake?.();
    }
  }

  /** A new iterable of entries published from now on; it ends after `stopped`. */
  async *subscribe(options: { signal?: AbortSignal } = {}): AsyncGenerator<ConnectionStatus, void, undefined> {
    const { signal } = options;
    const consumer: Consumer = { queue: this.#final ? [this.#final] : [], wake: undefined };
    this.#consumers.add(consumer);
    const onAbort = (): void => consumer.wake?.();
    signal?.addEventListener('abort', onAbort);
    try {
      for (;;) {
        signal?.throwIfAborted();
        const next = consumer.queue.shift();
        if (next !== undefined) {
          yield next;
          if (next.type === 'stopped') return;
          continue;
        }
        await new Promise<void>((resolve) => (consumer.wake = resolve));
        consumer.wake = undefined;
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.#consumers.delete(consumer);
    }
  }
}
