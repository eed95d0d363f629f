/**
 * The executor's one ReliableLink to its scheduler. It starts on Mesos framework messages (the
 * relay): each frame is one MESSAGE call (`transmit`), each MESSAGE event one frame (`onFrame`);
 * the data-plane client (data-plane-client.ts) moves it to a direct connection and back with
 * `useTransport`. Besides the link's
 * own `drain` (every message acknowledged by the scheduler), it can tell when every message
 * admitted so far has at least been handed to the agent (`transmitted`): during the executor's
 * shutdown callback the driver delivers no MESSAGE events (callbacks run one at a time), so no
 * acknowledgement can arrive and that is the best flush there is.
 */
import { ReliableLink, relayTransport, type ContentType, type LinkTransport, type ReliableLinkOptions, type ReliableLinkStats, type TaskMsg } from '@mesosgot/common/internal';
import type { TaskLink } from './message-pump.js';

export type ExecutorLinkOptions = Omit<ReliableLinkOptions, 'transmit' | 'transport'>;

export class ExecutorLink implements TaskLink {
  readonly #link: ReliableLink;
  /** Messages the link admitted through send(); written only by send(). */
  #admitted = 0;
  /** transmit() calls not yet settled. */
  #inFlight = 0;
  /** Callers of transmitted() waiting for the condition; bound: one per caller. */
  readonly #waiters = new Set<() => void>();

  /** The framework-message path, kept for when a direct connection breaks. */
  readonly relay: LinkTransport;

  /**
   * `transmit` sends one frame as a framework message (ExecutorDriver.sendFrameworkMessage),
   * encoded as `encoding` (the driver's content type).
   */
  constructor(transmit: (frame: Uint8Array) => Promise<void>, options: ExecutorLinkOptions = {}, encoding: ContentType = 'json') {
    this.relay = this.#counted(relayTransport(transmit, encoding));
    this.#link = new ReliableLink({ ...options, transport: this.relay });
  }

  /** `transport` with its transmits counted for transmitted(). */
  #counted(transport: LinkTransport): LinkTransport {
    const chunked = transport.transmitChunks?.bind(transport);
    return {
      kind: transport.kind,
      isReliable: transport.isReliable,
      ...(transport.maxFrameBytes === undefined ? {} : { maxFrameBytes: transport.maxFrameBytes }),
      transmit: (frame) => this.#settled(transport.transmit(frame)),
      ...(chunked === undefined ? {} : { transmitChunks: (chunks, length) => this.#settled(chunked(chunks, length)) }),
    };
  }

  /** Counts `sent` in flight until it settles. */
  #settled(sent: Promise<void>): Promise<void> {
    this.#inFlight++;
    return sent.finally(() => {
      this.#inFlight--;
      this.#check();
    });
  }

  /** Moves the link to `transport` (a direct connection), or back to the relay (`link.relay`). */
  useTransport(transport: LinkTransport): void {
    this.#link.useTransport(transport === this.relay ? transport : this.#counted(transport));
  }

  /** True once the link closed (ours, or the scheduler's BYE). */
  get isClosed(): boolean {
    return this.#link.isClosed;
  }

  /** The path the link's frames take now. */
  get path(): LinkTransport['kind'] {
    return this.#link.transport.kind;
  }

  receive(stream: string, options?: { signal?: AbortSignal }): AsyncIterableIterator<TaskMsg> {
    return this.#link.receive(stream, options);
  }

  receiveBatches(stream: string, options?: { signal?: AbortSignal; max?: number }): AsyncIterableIterator<TaskMsg[]> {
    return this.#link.receiveBatches(stream, options);
  }

  async send(msg: TaskMsg, options?: { signal?: AbortSignal }): Promise<void> {
    await this.#link.send(msg, options);
    this.#admitted++;
  }

  trySend(msg: TaskMsg): boolean {
    if (!this.#link.trySend(msg)) return false;
    this.#admitted++;
    return true;
  }

  closeStream(stream: string): void {
    this.#link.closeStream(stream);
  }

  /** One received framework message. Throws ProtocolError if it is not a link frame. */
  onFrame(bytes: Uint8Array): void {
    this.#link.onFrame(bytes);
  }

  /** Resolves when the scheduler acknowledged everything sent, or at `signal`, or when the link closes. Never rejects. */
  async drain(signal: AbortSignal): Promise<void> {
    await this.#link.drain({ signal }).catch(() => undefined);
  }

  /**
   * Resolves when every admitted message went out in a frame at least once and no transmit is
   * pending, or at `signal`. Never rejects.
   */
  transmitted(signal: AbortSignal): Promise<void> {
    if (this.#isTransmitted() || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.#waiters.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.#waiters.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /** The agent is back (re-subscribed): resend what is unacknowledged now. */
  retransmitNow(): void {
    this.#link.retransmitNow();
  }

  /** Closes the link (a BYE tells the scheduler's link); resolves once its transmits settled. */
  close(): Promise<void> {
    return this.#link.close().finally(() => this.#check());
  }

  stats(): ReliableLinkStats {
    return this.#link.stats();
  }

  #isTransmitted(): boolean {
    return this.#inFlight === 0 && this.#link.stats().messagesSent >= this.#admitted;
  }

  #check(): void {
    if (this.#waiters.size > 0 && this.#isTransmitted()) for (const done of [...this.#waiters]) done();
  }
}
