import { performance } from 'node:perf_hooks';
import type { Batch } from './batch.js';
import { encodeLinkFrameChunks, joinLinkFrameChunks } from './link-frame.js';
import type { LinkTransport } from './link-transport.js';

/** What the pacer asks of its link. */
export interface PacerHooks {
  /** The next frame to send (see FrameBatcher.build), or undefined when there is nothing. */
  nextBatch(evenIfEmpty: boolean): Batch | undefined;
  /** Data, feedback or probes are waiting for a frame. */
  hasWork(): boolean;
  /** Something is unacknowledged or a sender is blocked (the timer must run). */
  isActive(): boolean;
  /** Timeout: go back to the oldest unacknowledged message and ask for lost feedback. */
  rewind(): void;
  /** Counters of the link's stats, updated in place. */
  count(batch: Batch, bytes: number): void;
  transmitFailed(): void;
  timedOut(): void;
}

/**
 * The least a frame is assumed to travel at after `transmit` settled, in bytes per ms (1 MB/s):
 * the master relays it to the agent, the agent to the executor, and the ack comes back. A frame
 * of 8 MiB gets 8 s on top of the timeout before it counts as lost; a fixed timeout resent large
 * frames before they could arrive, each resend costing a full transfer again (time superlinear
 * in size, and never done past a few tens of MiB).
 */
export const MIN_RELAY_BYTES_PER_MS = 1_000;

export interface PacerSettings {
  maxInFlight: number;
  baseRto: number;
  maxRto: number;
}

/**
 * When a ReliableLink sends: one flush per event-loop turn (setImmediate) coalesces everything
 * sent in that turn into as few frames as the byte limit allows, at most `maxInFlight` frames
 * wait on `transmit` at once, and one timer per link resends after `rto` without progress
 * (doubling up to `maxRto`, back to the base on an ack). A failed transmit (disconnected)
 * pauses flushing until the timer, so a dead transport costs one attempt per timeout, not a
 * hot loop. On a reliable transport (TCP) the timer resends nothing: a frame accepted there is
 * delivered or the connection breaks, and the link then moves to another transport (useTransport),
 * which resends from the oldest unacknowledged message at once.
 */
export class LinkPacer {
  /** Send a frame even if empty: the peer must learn our session. Written by the link and the pacer. */
  replyNeeded = false;
  private readonly inFlight = new Set<Promise<void>>();
  private flushHandle: NodeJS.Immediate | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Current retransmission timeout. */
  private rto: number;
  /** When acks or credit last advanced (or the link became active). */
  private lastProgress = 0;
  /** Extra wait for the largest frame sent since the last ack (its size / MIN_RELAY_BYTES_PER_MS). */
  private allowance = 0;
  /** A transmit failed: hold flushes until the timer retries. */
  private inBackoff = false;
  private isClosed = false;
  /** Where frames go now; written by useTransport (the link's owner switching paths). */
  private transport: LinkTransport;

  constructor(
    transport: LinkTransport,
    private readonly hooks: PacerHooks,
    private readonly settings: PacerSettings,
  ) {
    this.transport = transport;
    this.rto = settings.baseRto;
  }

  get currentTransport(): LinkTransport {
    return this.transport;
  }

  /**
   * Sends from now on over `transport`. Frames still in flight on the old one settle there; if
   * they are lost, the rewind done here has already queued their data again.
   */
  useTransport(transport: LinkTransport): void {
    if (transport === this.transport) return;
    this.transport = transport;
    this.retransmitNow();
  }

  scheduleFlush(): void {
    if (this.flushHandle === undefined && !this.isClosed && !this.inBackoff) this.flushHandle = setImmediate(this.flush);
  }

  /** Acks (`acked`) or credit advanced. */
  progressed(acked: boolean): void {
    this.lastProgress = performance.now();
    if (acked) {
      this.rto = this.settings.baseRto;
      this.allowance = 0;
    }
  }

  /** The link went from idle to waiting on the peer: start the timer. */
  becameActive(): void {
    this.lastProgress = performance.now();
    this.ensureTimer();
  }

  /** The peer changed (restart): progress starts over. */
  restartClock(): void {
    this.lastProgress = performance.now();
  }

  /** Resend now and reset the timeout (the transport is back). */
  retransmitNow(): void {
    if (this.isClosed) return;
    this.inBackoff = false;
    this.rto = this.settings.baseRto;
    this.lastProgress = performance.now();
    this.hooks.rewind();
    this.scheduleFlush();
  }

  /**
   * Stops the flush and the timer; `last` (the BYE) is transmitted if given. Resolves once it
   * and every frame in flight have settled.
   */
  close(last: Uint8Array | undefined): Promise<void> {
    this.isClosed = true;
    if (this.flushHandle !== undefined) clearImmediate(this.flushHandle);
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.flushHandle = undefined;
    this.timer = undefined;
    const pending: Promise<unknown>[] = [...this.inFlight];
    const via = this.transport;
    if (last !== undefined) pending.push(Promise.resolve().then(() => via.transmit(last)));
    return Promise.allSettled(pending).then(() => undefined);
  }

  ensureTimer(): void {
    if (this.timer === undefined && !this.isClosed && (this.hooks.isActive() || this.inBackoff)) {
      this.timer = setTimeout(this.onTimer, this.rto);
    }
  }

  private readonly flush = (): void => {
    this.flushHandle = undefined;
    while (!this.isClosed && !this.inBackoff && this.inFlight.size < this.settings.maxInFlight) {
      const batch = this.hooks.nextBatch(this.replyNeeded);
      if (batch === undefined) break;
      this.replyNeeded = false;
      this.send(batch);
    }
  };

  private send(batch: Batch): void {
    const { chunks, length } = encodeLinkFrameChunks(batch.frame);
    this.hooks.count(batch, length);
    const via = this.transport;
    let sent: Promise<void>;
    try {
      sent = via.transmitChunks ? via.transmitChunks(chunks, length) : via.transmit(joinLinkFrameChunks(chunks, length));
    } catch (err) {
      sent = Promise.reject(err);
    }
    const tracked: Promise<void> = sent.then(
      () => {
        this.inFlight.delete(tracked);
        // The frame is with the master now: time it from here, by its size.
        this.lastProgress = performance.now();
        this.allowance = Math.max(this.allowance, length / MIN_RELAY_BYTES_PER_MS);
        if (this.replyNeeded || this.hooks.hasWork()) this.scheduleFlush();
      },
      () => {
        // The frame is lost; the timer resends its data and the peer re-asks for feedback.
        this.inFlight.delete(tracked);
        this.hooks.transmitFailed();
        // A frame lost on a transport we already left: the switch rewound its data, no backoff.
        if (!this.isClosed && via === this.transport) {
          this.inBackoff = true;
          this.replyNeeded = true;
          this.ensureTimer();
        }
      },
    );
    this.inFlight.add(tracked);
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    if (this.isClosed) return;
    // A reliable transport loses nothing while it is up: only a slow peer makes us wait here.
    if (this.transport.isReliable && !this.inBackoff) {
      if (this.hooks.isActive()) this.timer = setTimeout(this.onTimer, this.rto);
      return;
    }
    const idle = performance.now() - this.lastProgress;
    const limit = this.rto + this.allowance;
    // A frame still being handed to the transport is not lost yet, however long that takes.
    if (!this.inBackoff && (idle < limit || this.inFlight.size > 0)) {
      if (this.hooks.isActive()) this.timer = setTimeout(this.onTimer, Math.max(limit - idle, this.rto));
      return;
    }
    // No ack or credit for a whole timeout, or a transmit failed: go back to the oldest unacked.
    this.hooks.timedOut();
    this.inBackoff = false;
    this.rto = Math.min(this.rto * 2, this.settings.maxRto);
    this.lastProgress = performance.now();
    this.hooks.rewind();
    this.flush();
    this.ensureTimer();
  };
}
