import { randomInt } from 'node:crypto';
import { ChannelClosedError, InvalidArgumentError, MessageTooLargeError } from '../errors.js';
import { TASK_MSG_OVERHEAD_BYTES, encodedTaskMsgLength, isWellFormed, type TaskMsg } from './codec.js';
import { DEFAULT_MAX_BATCH_BYTES, FrameBatcher, type BatchSources } from './batch.js';
import { LinkPacer, type PacerHooks } from './link-pacer.js';
import { decodeLinkFrame, encodeLinkFrame } from './link-frame.js';
import { LinkInbox } from './link-inbox.js';
import { LinkOutbox, type OutboxHooks } from './link-outbox.js';
import { relayTransport, type LinkTransport } from './link-transport.js';
import { INITIAL_STREAM_CREDIT, LinkStream } from './link-stream.js';

/** Per-stream receive window in messages: the most a receiver holds for one stream unconsumed. */
export const DEFAULT_RECEIVE_WINDOW = 1024;
/**
 * Largest encoded TaskMsg a link accepts by default (16 MiB). A message rides in one framework
 * message, base64 inside the MESSAGE call's JSON, through the master and the agent; bigger ones
 * cost memory on all three and are better sent as several messages or fetched out of band.
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
/** Frames handed to `transmit` and not yet settled, at most. */
export const DEFAULT_MAX_FRAMES_IN_FLIGHT = 4;
/** First retransmission timeout; doubled per consecutive timeout up to the maximum. */
export const DEFAULT_RETRANSMIT_MS = 250;
export const DEFAULT_MAX_RETRANSMIT_MS = 5_000;
/** Peer sessions remembered as replaced, so a late frame of a dead peer cannot reset the link. */
const RETIRED_SESSIONS_KEPT = 16;

export interface ReliableLinkOptions {
  /** The path frames take at first (replace it later with useTransport). Give this or `transmit`. */
  transport?: LinkTransport;
  /** Shorthand for a relay transport: sends one frame as one Mesos framework message; a rejection counts as a lost frame. */
  transmit?: (frame: Uint8Array) => Promise<void>;
  /** Largest encoded message `send` accepts (default DEFAULT_MAX_MESSAGE_BYTES); larger ones reject with MessageTooLargeError. */
  maxMessageBytes?: number;
  /** Byte limit of a frame (default DEFAULT_MAX_BATCH_BYTES, 256 KiB); a transport may cap it lower (the relay: RELAY_MAX_FRAME_BYTES). */
  maxFrameBytes?: number;
  maxFramesInFlight?: number;
  /** Messages per stream we buffer unconsumed (≥ INITIAL_STREAM_CREDIT). */
  receiveWindow?: number;
  retransmitMs?: number;
  maxRetransmitMs?: number;
  /** Our session id (1 … 2^32−1); random by default. A new process must use a new one. */
  session?: number;
}

export interface ReliableLinkStats {
  framesSent: number;
  framesReceived: number;
  bytesSent: number;
  bytesReceived: number;
  /** Messages put in frames for the first time. */
  messagesSent: number;
  /** Messages put in frames again after a timeout or a peer restart. */
  messagesResent: number;
  messagesDelivered: number;
  /** Arrivals dropped as already received, or beyond the credit we granted. */
  messagesDropped: number;
  transmitFailures: number;
  timeouts: number;
  peerRestarts: number;
}

/** One stream's position (ReliableLink.streamStats). */
export interface LinkStreamStats {
  stream: string;
  backlog: number;
  credit: number;
  blockedSends: number;
  unread: number;
}


/**
 * Carries TaskMsgs both ways between two processes over an unreliable, batching transport
 * (Mesos framework messages: at most once, docs/protocol.md, "Framework messages"). Per stream key (the task
 * name) and direction, messages arrive in order and exactly once while both ends live: seqs,
 * cumulative acks piggybacked on frames, go-back-N retransmission after a timeout, de-duplication
 * by seq, and a session id per process so a restarted peer starts a fresh sequence space.
 * Backpressure is credit per stream: `send` waits until the receiver's application has consumed
 * enough; nothing on either side grows without bound (each queue's bound is written beside it).
 *
 * One link per peer: a scheduler keeps one per executor, an executor one to its scheduler.
 * The owner feeds received frames to `onFrame` (from whichever path they came) and says where
 * frames go: a LinkTransport, replaceable at any time with `useTransport` (relay ⇄ direct). A
 * link runs a flush (setImmediate) while it has something to send and one timer while messages
 * are unacknowledged or a sender is blocked; `close()` stops both.
 *
 * How the parts meet (each a file of its own):
 * ```
 * send ─► LinkOutbox (credit, unacked ring) ─► sources.pending ─┐
 *                                                               ├─► LinkPacer ─► FrameBatcher ─► transport.transmit
 * onFrame ─► LinkInbox (order, dedup) ─► sources.feedback ──────┘      (flush, in-flight cap, timer, rewind)
 *            └─► receive() consumers (LinkReceiver); consuming grants credit (onConsumed)
 * ```
 * The outbox and the pacer call back into the link only through the hook objects built in
 * `outboxHooks()` and `pacerHooks()` below, so every crossing is listed in one place.
 */
export class ReliableLink {
  readonly session: number;
  /** Largest encoded message send() accepts. */
  readonly maxMessageBytes: number;
  /** The peer's session as last seen in a frame; 0 until we hear from it. */
  private peerSession = 0;
  private readonly retired: number[] = [];
  private readonly streams = new Map<string, LinkStream>();
  private readonly inbox: LinkInbox;
  private readonly batcher: FrameBatcher;
  /** Sets drained by the batcher; each holds at most one entry per stream. */
  private readonly sources: BatchSources;
  private readonly outbox: LinkOutbox;
  private readonly pacer: LinkPacer;
  private state: 'open' | 'closed' = 'open';
  private closeDone: Promise<void> | undefined;
  private readonly closedWith: Promise<Error | undefined>;
  private resolveClosed!: (reason: Error | undefined) => void;
  private readonly counters: ReliableLinkStats = {
    framesSent: 0, framesReceived: 0, bytesSent: 0, bytesReceived: 0, messagesSent: 0, messagesResent: 0,
    messagesDelivered: 0, messagesDropped: 0, transmitFailures: 0, timeouts: 0, peerRestarts: 0,
  };

  constructor(options: ReliableLinkOptions) {
    const transport = options.transport ?? (typeof options.transmit === 'function' ? relayTransport(options.transmit) : undefined);
    if (transport === undefined || typeof transport.transmit !== 'function') {
      throw new InvalidArgumentError('transport', options.transport ?? options.transmit, 'give a transport or a transmit function');
    }
    const window = options.receiveWindow ?? DEFAULT_RECEIVE_WINDOW;
    if (!Number.isInteger(window) || window < INITIAL_STREAM_CREDIT) {
      throw new InvalidArgumentError('receiveWindow', window, `must be an integer ≥ ${INITIAL_STREAM_CREDIT}`);
    }
    const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_BATCH_BYTES;
    if (!Number.isInteger(maxFrameBytes) || maxFrameBytes < 64) throw new InvalidArgumentError('maxFrameBytes', maxFrameBytes, 'must be an integer ≥ 64');
    const settings = {
      maxInFlight: positiveInt('maxFramesInFlight', options.maxFramesInFlight ?? DEFAULT_MAX_FRAMES_IN_FLIGHT),
      baseRto: positiveInt('retransmitMs', options.retransmitMs ?? DEFAULT_RETRANSMIT_MS),
      maxRto: positiveInt('maxRetransmitMs', options.maxRetransmitMs ?? DEFAULT_MAX_RETRANSMIT_MS),
    };
    settings.maxRto = Math.max(settings.baseRto, settings.maxRto);
    const session = options.session ?? randomInt(1, 0xffffffff);
    if (!Number.isInteger(session) || session < 1 || session > 0xffffffff) throw new InvalidArgumentError('session', session, 'must be an integer in 1 … 2^32−1');
    this.session = session;
    this.maxMessageBytes = positiveInt('maxMessageBytes', options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES);
    this.batcher = new FrameBatcher(maxFrameBytes);
    this.sources = { feedback: new Set(), probes: new Set(), pending: new Set(), receiveWindow: window };
    this.inbox = new LinkInbox(window, (s) => this.onConsumed(s), () => this.state === 'closed');
    this.pacer = new LinkPacer(transport, this.pacerHooks(), settings);
    this.outbox = new LinkOutbox(this.sources.pending, this.sources.probes, this.outboxHooks());
    this.closedWith = new Promise((resolve) => (this.resolveClosed = resolve));
  }

  /** What the pacer asks of the link: the next frame, whether work or unacknowledged data remain, counting. */
  private pacerHooks(): PacerHooks {
    return {
      nextBatch: (evenIfEmpty) => this.batcher.build(this.sources, this.session, this.peerSession, evenIfEmpty, this.frameLimit()),
      hasWork: () => this.sources.pending.size > 0 || this.sources.feedback.size > 0 || this.sources.probes.size > 0,
      isActive: () => this.outbox.active.size > 0,
      rewind: () => this.outbox.rewind(),
      count: (batch, bytes) => {
        this.counters.framesSent++;
        this.counters.bytesSent += bytes;
        this.counters.messagesSent += batch.messages - batch.resent;
        this.counters.messagesResent += batch.resent;
      },
      transmitFailed: () => this.counters.transmitFailures++,
      timedOut: () => this.counters.timeouts++,
    };
  }

  /** Byte limit of the next frame: ours, or the current transport's cap when lower (the relay's). */
  private frameLimit(): number {
    const cap = this.pacer.currentTransport.maxFrameBytes;
    return cap === undefined ? this.batcher.maxFrameBytes : Math.min(cap, this.batcher.maxFrameBytes);
  }

  /** What the outbox asks of the link: all three go to the pacer (the outbox never sends itself). */
  private outboxHooks(): OutboxHooks {
    return {
      scheduleFlush: () => this.pacer.scheduleFlush(),
      becameActive: () => this.pacer.becameActive(),
      progressed: (acked) => this.pacer.progressed(acked),
    };
  }

  /** The path frames take now. */
  get transport(): LinkTransport {
    return this.pacer.currentTransport;
  }

  /**
   * Sends every later frame over `transport` (a direct connection came up, or broke and the
   * relay takes over). Whatever is unacknowledged goes out again at once on the new path; seqs,
   * acks and credit carry over, so the peer still sees each stream exactly once and in order.
   * A no-op for the current transport or a closed link.
   */
  useTransport(transport: LinkTransport): void {
    if (this.state !== 'closed') this.pacer.useTransport(transport);
  }

  /**
   * Queues `msg` on stream `msg.taskName`. Resolves at once while the stream has credit, else
   * when the receiver grants more (FIFO among waiting senders). Rejects with ChannelClosedError
   * if the link is closed or the peer closed the stream, and with `signal.reason` on abort.
   * Throws InvalidArgumentError for a message without a task name.
   */
  send(msg: TaskMsg, options?: { signal?: AbortSignal }): Promise<void> {
    const s = this.sendingStream(msg);
    const tooLarge = this.oversize(msg);
    if (tooLarge !== undefined) return Promise.reject(tooLarge);
    if (this.state === 'closed') return Promise.reject(new ChannelClosedError('link'));
    if (s.closedByPeer) return Promise.reject(new ChannelClosedError(`stream "${s.key}"`));
    return this.outbox.send(s, msg, options?.signal);
  }

  /** The error for a message over maxMessageBytes, else undefined (exact size measured only near the limit). */
  private oversize(msg: TaskMsg): MessageTooLargeError | undefined {
    const bound = TASK_MSG_OVERHEAD_BYTES + 3 * msg.taskName.length + (typeof msg.data === 'string' ? 3 * msg.data.length : msg.data.length);
    if (bound <= this.maxMessageBytes) return undefined;
    const size = encodedTaskMsgLength(msg);
    return size > this.maxMessageBytes ? new MessageTooLargeError(msg.taskName, size, this.maxMessageBytes) : undefined;
  }

  /** Our messages the peer has not acknowledged yet, plus sends still waiting for credit. */
  get unacknowledged(): number {
    let n = 0;
    for (const s of this.streams.values()) n += s.outNextSeq - 1 - s.outAcked + (s.waiters?.length ?? 0);
    return n;
  }

  /** Queues `msg` if its stream has credit now; false if it would have to wait. Never throws for credit. */
  trySend(msg: TaskMsg): boolean {
    const s = this.sendingStream(msg);
    const tooLarge = this.oversize(msg);
    if (tooLarge !== undefined) throw tooLarge;
    if (this.state === 'closed') throw new ChannelClosedError('link');
    if (s.closedByPeer) throw new ChannelClosedError(`stream "${s.key}"`);
    return this.outbox.tryAdmit(s, msg);
  }

  /**
   * Messages from the peer, in order per stream. With a `stream` argument: that stream only;
   * without: every stream, in arrival order. A link serves either one all-streams consumer or
   * per-stream consumers, one per stream; anything else throws InvalidArgumentError. Iteration
   * ends when the stream is closed (`closeStream`) or the link is closed and drained.
   */
  receive(stream?: string, options?: { signal?: AbortSignal }): AsyncIterableIterator<TaskMsg> {
    return stream === undefined ? this.inbox.receiveAll(options?.signal) : this.inbox.receiveStream(this.stream(stream), options?.signal);
  }

  /**
   * Like receive(), yielding arrays of 1 … `max` messages: everything queued at the time, so a
   * consumer that keeps up pays one step per arrival rather than per message. What a step
   * yields counts as consumed (grants the peer credit) at once. Throws InvalidArgumentError
   * unless `max` is a positive integer, and as receive() does.
   */
  receiveBatches(stream?: string, options?: { signal?: AbortSignal; max?: number }): AsyncIterableIterator<TaskMsg[]> {
    const max = positiveInt('max', options?.max ?? DEFAULT_RECEIVE_WINDOW);
    const signal = options?.signal;
    return stream === undefined ? this.inbox.receiveAllBatches(max, signal) : this.inbox.receiveStreamBatches(this.stream(stream), max, signal);
  }

  /**
   * Stops consuming the peer's stream `stream`: drops what is queued, ends its consumer, and
   * tells the peer, whose sends on that stream then reject with ChannelClosedError. Our own
   * messages on that key are still delivered. A closed stream stays closed for the link's life.
   */
  closeStream(stream: string): void {
    const s = this.streams.get(stream) ?? this.stream(stream);
    if (s.closedLocally) return;
    this.inbox.close(s);
    this.sources.feedback.add(s);
    this.pacer.scheduleFlush();
  }

  /**
   * Feeds one received framework message. Throws ProtocolError (and changes nothing) if the
   * bytes are not a well-formed frame; ignores frames after close() and from replaced peers.
   */
  onFrame(bytes: Uint8Array): void {
    const frame = decodeLinkFrame(bytes);
    if (this.state === 'closed' || this.retired.includes(frame.senderSession)) return;
    this.counters.framesReceived++;
    this.counters.bytesReceived += bytes.length;
    if (this.peerSession === 0) this.peerSession = frame.senderSession;
    else if (frame.senderSession !== this.peerSession) this.peerRestarted(frame.senderSession);
    if (frame.kind === 'BYE') {
      void this.shutdown(false);
      return;
    }
    // Addressed to an earlier process of ours: its seqs mean nothing here. Answer with our
    // session so the peer resets (it then restarts its streams at seq 1 for us).
    if (frame.receiverSession !== 0 && frame.receiverSession !== this.session) {
      this.pacer.replyNeeded = true;
      this.pacer.scheduleFlush();
      return;
    }
    for (const section of frame.sections) {
      const s = this.stream(section.stream);
      if (section.feedback) this.outbox.applyFeedback(s, section.feedback);
      if (section.closed) this.outbox.peerClosed(s);
      if (section.probe) this.sources.feedback.add(s);
      if (section.data) {
        const r = this.inbox.accept(s, section.data.firstSeq, section.data.messages);
        this.counters.messagesDelivered += r.delivered;
        this.counters.messagesDropped += r.dropped;
        // Every data section is answered (even all-duplicate ones: our ack may have been lost).
        this.sources.feedback.add(s);
      }
    }
    this.pacer.scheduleFlush();
  }

  /**
   * Resolves when every message admitted so far is acknowledged by the peer (or dropped because
   * the peer closed its stream). Rejects with ChannelClosedError if the link closes first, or
   * with `signal.reason` on abort.
   */
  drain(options?: { signal?: AbortSignal }): Promise<void> {
    if (this.state === 'closed' && !this.outbox.isDrained()) return Promise.reject(new ChannelClosedError('link'));
    return this.outbox.drain(options?.signal);
  }

  /**
   * Resends everything unacknowledged now instead of at the next timeout, and resets the
   * timeout: call it when the transport is back (the scheduler re-subscribed).
   */
  retransmitNow(): void {
    if (this.state !== 'closed') this.pacer.retransmitNow();
  }

  /**
   * Closes the link: pending and later sends reject with ChannelClosedError, consumers end
   * after draining what was already received, the timer and flush stop, and (if the peer was
   * ever heard from or sent to) a BYE frame is sent so the peer closes too. Resolves once the BYE and every
   * in-flight `transmit` have settled; nothing of the link keeps running after that.
   */
  close(): Promise<void> {
    return this.shutdown(true);
  }

  /**
   * Closes this end like close() but sends no BYE: the peer keeps its end open for a successor
   * (a scheduler failing over leaves its executors' links to the next scheduler, which starts a
   * new session with them). Resolves like close().
   */
  leave(): Promise<void> {
    return this.shutdown(false);
  }

  /** True from close() or the peer's BYE on (synchronously, before closed() resolves). */
  get isClosed(): boolean {
    return this.state === 'closed';
  }

  /** Resolves when the link closes: `undefined` for close() or the peer's BYE. */
  closed(): Promise<Error | undefined> {
    return this.closedWith;
  }

  stats(): ReliableLinkStats {
    return { ...this.counters };
  }

  /**
   * Where each stream stands now, for status displays: our messages admitted and not yet
   * acknowledged (`backlog`), the credit left before `send` waits (`credit`), sends waiting for
   * credit (`blockedSends`), and the peer's messages received but not yet consumed here
   * (`unread`). Costs one pass over the streams; changes nothing.
   */
  streamStats(): LinkStreamStats[] {
    return [...this.streams.values()].map((s) => ({
      stream: s.key,
      backlog: s.outstanding,
      credit: Math.max(0, s.outLimit - (s.outNextSeq - 1)),
      blockedSends: s.waiters?.length ?? 0,
      unread: Math.max(0, s.expected - 1 - s.consumed),
    }));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // ---- outbound ---------------------------------------------------------------------------

  /**
   * The stream `msg` goes on, after checking the message (InvalidArgumentError). Whether a key
   * is well-formed UTF-16 is measured once, when its stream is made.
   */
  private sendingStream(msg: TaskMsg): LinkStream {
    checkMsg(msg);
    const s = this.stream(msg.taskName);
    if (!s.keyIsWellFormed) throw new InvalidArgumentError('msg.taskName', msg.taskName, 'is not well-formed UTF-16');
    return s;
  }

  private stream(key: string): LinkStream {
    let s = this.streams.get(key);
    if (s === undefined) {
      s = new LinkStream(key);
      this.streams.set(key, s);
    }
    return s;
  }

  /** The peer is a new process: both directions start again at seq 1. */
  private peerRestarted(newSession: number): void {
    this.retired.push(this.peerSession);
    if (this.retired.length > RETIRED_SESSIONS_KEPT) this.retired.shift();
    this.peerSession = newSession;
    this.counters.peerRestarts++;
    for (const s of this.streams.values()) {
      this.outbox.renumber(s);
      this.inbox.resetForNewPeer(s);
    }
    this.pacer.restartClock();
  }

  // ---- inbound credit ---------------------------------------------------------------------

  private onConsumed(s: LinkStream): void {
    // Grant more credit once a quarter window was consumed since the last grant: often enough
    // that a sender never idles while we hold messages, rarely enough to ride on few frames.
    if (s.consumed + this.sources.receiveWindow - s.advertised >= this.sources.receiveWindow >> 2) {
      this.sources.feedback.add(s);
      this.pacer.scheduleFlush();
    }
  }

  private shutdown(notifyPeer: boolean): Promise<void> {
    if (this.closeDone) return this.closeDone;
    this.state = 'closed';
    this.outbox.close(this.streams.values(), new ChannelClosedError('link'));
    this.inbox.wakeAll();
    // A peer we sent to may be waiting on us even if we never heard back (its ack still in flight):
    // it gets the BYE too, addressed to session 0 (unknown), which onFrame accepts.
    const hasPeer = this.peerSession !== 0 || this.counters.framesSent > 0;
    const bye =
      notifyPeer && hasPeer
        ? encodeLinkFrame({ kind: 'BYE', senderSession: this.session, receiverSession: this.peerSession, sections: [] })
        : undefined;
    this.closeDone = this.pacer.close(bye).then(() => this.resolveClosed(undefined));
    return this.closeDone;
  }
}

function positiveInt(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new InvalidArgumentError(field, value, 'must be a positive integer');
  return value;
}

function checkMsg(msg: TaskMsg): void {
  if (msg === null || typeof msg !== 'object' || typeof msg.taskName !== 'string' || msg.taskName.length === 0) {
    throw new InvalidArgumentError('msg.taskName', msg?.taskName, 'a TaskMsg needs a non-empty taskName (its stream)');
  }
  if (typeof msg.data !== 'string' && !(msg.data instanceof Uint8Array)) {
    throw new InvalidArgumentError('msg.data', msg.data, 'must be a string or a Uint8Array');
  }
  // A lone surrogate has no UTF-8 form: it would arrive as U+FFFD, a silently different message
  // (the task name is checked where its stream is made, ReliableLink.sendingStream).
  if (typeof msg.data === 'string' && !isWellFormed(msg.data)) {
    throw new InvalidArgumentError('msg.data', msg.data, 'is not well-formed UTF-16 (a lone surrogate)');
  }
}
