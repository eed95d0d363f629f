import type { Socket } from 'node:net';
import { ChannelClosedError } from '../errors.js';
import type { LinkTransport } from '../taskmsg/link-transport.js';
import { SocketFrameParser, socketFrameHeader } from './socket-frame-parser.js';

/** Frames up to this size are copied behind their length prefix (one write); bigger ones go as corked writes of their chunks. */
const COPY_BELOW_BYTES = 64 * 1024;
const RESOLVED: Promise<void> = Promise.resolve();

/**
 * A ReliableLink's direct path: link frames, length-prefixed, on a TCP or TLS socket whose
 * handshake is done (docs/protocol.md, "Data plane"). `transmit` resolves at once while the
 * socket takes data and waits for its 'drain' when it does not, so the link's in-flight cap
 * turns a full socket into larger frames (batching grows only while data is queued). Received
 * frames go to `onFrame` as they complete; a frame `onFrame` refuses (it throws) or a framing
 * error ends the connection. The owner learns the end from `closed()`.
 */
export class DirectTransport implements LinkTransport {
  readonly kind = 'direct' as const;
  readonly isReliable = true;
  /** `host:port` of the peer, for log lines. */
  readonly remote: string;
  /** Set once the socket closed or failed; written by the socket's handlers only. */
  #ended: Error | undefined | null = null;
  /** transmit() calls waiting for 'drain'; bound: the link's frames in flight. */
  #drainWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  readonly #closed: Promise<Error | undefined>;

  constructor(
    private readonly socket: Socket,
    onFrame: (frame: Buffer) => void,
    parser: SocketFrameParser = new SocketFrameParser(),
    /** Frames that arrived right behind the handshake record (firstFrame's `rest`). */
    early: readonly Buffer[] = [],
  ) {
    this.remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    let resolveClosed!: (e: Error | undefined) => void;
    this.#closed = new Promise((resolve) => (resolveClosed = resolve));
    const feed = (chunk: Buffer): void => {
      try {
        for (const frame of parser.push(chunk)) onFrame(frame);
      } catch (error) {
        socket.destroy(error as Error);
      }
    };
    socket.on('data', feed);
    socket.on('drain', () => {
      const waiters = this.#drainWaiters;
      this.#drainWaiters = [];
      for (const w of waiters) w.resolve();
    });
    socket.on('error', (error) => {
      if (this.#ended === null) this.#ended = error;
    });
    socket.once('close', () => {
      const reason = this.#ended ?? undefined;
      this.#ended = reason;
      const waiters = this.#drainWaiters;
      this.#drainWaiters = [];
      for (const w of waiters) w.reject(new ChannelClosedError('data-plane connection'));
      resolveClosed(reason);
    });
    try {
      for (const frame of early) onFrame(frame);
    } catch (error) {
      socket.destroy(error as Error);
    }
  }

  get isOpen(): boolean {
    return this.#ended === null;
  }

  transmit(frame: Uint8Array): Promise<void> {
    return this.transmitChunks([frame], frame.length);
  }

  /** Small frames go joined behind their length prefix (one write); bigger ones as corked writes of their chunks (one writev), payloads uncopied. */
  transmitChunks(chunks: readonly Uint8Array[], length: number): Promise<void> {
    if (this.#ended !== null || this.socket.destroyed) return Promise.reject(new ChannelClosedError('data-plane connection'));
    const header = socketFrameHeader(length);
    let ok = true;
    if (length < COPY_BELOW_BYTES) {
      ok = this.socket.write(Buffer.concat([header, ...chunks], header.length + length));
    } else {
      this.socket.cork();
      this.socket.write(header);
      for (const chunk of chunks) ok = this.socket.write(chunk);
      this.socket.uncork();
    }
    if (ok) return RESOLVED;
    return new Promise((resolve, reject) => this.#drainWaiters.push({ resolve, reject }));
  }

  /** Resolves when the connection is gone: undefined after an orderly close, else its error. */
  closed(): Promise<Error | undefined> {
    return this.#closed;
  }

  /** Ends the connection after what was written is flushed (at most `graceMs`); resolves once it is closed. */
  close(graceMs = 1_000): Promise<void> {
    if (!this.socket.destroyed) {
      this.socket.end();
      const timer = setTimeout(() => this.socket.destroy(), graceMs);
      void this.#closed.then(() => clearTimeout(timer));
    }
    return this.#closed.then(() => undefined);
  }

  /** Drops the connection now (a fault, or the owner gave up on it). */
  destroy(error?: Error): void {
    this.socket.destroy(error);
  }
}
