import { ChannelClosedError } from '../errors.js';
import type { TaskMsg } from './codec.js';
import type { LinkFeedback } from './link-frame.js';
import { INITIAL_STREAM_CREDIT, type LinkStream, type SendWaiter } from './link-stream.js';
import { RingBuffer } from '../channel/ring-buffer.js';

/** What the outbox asks of its link. */
export interface OutboxHooks {
  /** Admitted or rewound data waits in `pending`: flush soon. */
  scheduleFlush(): void;
  /** Something is unacknowledged or blocked: the retransmission timer must run. */
  becameActive(): void;
  /** Acks (`acked`) or credit advanced. */
  progressed(acked: boolean): void;
}

const RESOLVED: Promise<void> = Promise.resolve();

/**
 * The sending half of a ReliableLink: admission against credit (blocked senders wait FIFO per
 * stream), cumulative acks releasing the unacknowledged ring, credit grants admitting waiters,
 * go-back-N rewinding, and `drain`. Streams with unacknowledged messages or blocked senders
 * are `active`: the link's timer watches exactly those.
 */
export class LinkOutbox {
  /** Streams with unacknowledged messages or waiting senders. */
  readonly active = new Set<LinkStream>();
  /** Callers of drain(); bound: one per caller. */
  private drainers: { resolve: () => void; reject: (e: unknown) => void }[] = [];

  constructor(
    /** Streams with data to put in frames (the batcher's `pending`). */
    private readonly pending: Set<LinkStream>,
    /** Streams whose feedback we will ask for (the batcher's `probes`). */
    private readonly probes: Set<LinkStream>,
    private readonly hooks: OutboxHooks,
  ) {}

  /** Admits at once when credit allows (resolved promise, no allocation), else queues the sender. */
  send(s: LinkStream, msg: TaskMsg, signal: AbortSignal | undefined): Promise<void> {
    if (this.tryAdmit(s, msg)) return RESOLVED;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const waiter: SendWaiter = { msg, resolve, reject, signal, onAbort: undefined };
      if (signal) {
        waiter.onAbort = () => {
          const list = s.waiters;
          const i = list ? list.indexOf(waiter) : -1;
          if (i >= 0) list!.splice(i, 1);
          this.updateActive(s);
          reject(signal.reason);
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      (s.waiters ??= []).push(waiter);
      this.updateActive(s);
    });
  }

  /** Admits `msg` if nobody waits before it and the stream has credit. */
  tryAdmit(s: LinkStream, msg: TaskMsg): boolean {
    if ((s.waiters !== undefined && s.waiters.length > 0) || s.outNextSeq > s.outLimit) return false;
    this.admit(s, msg);
    return true;
  }

  applyFeedback(s: LinkStream, fb: LinkFeedback): void {
    // An ack beyond what we sent cannot come from a sane peer; cap it rather than corrupt the ring.
    const ack = Math.min(fb.ack, s.outNextSeq - 1);
    const acked = ack > s.outAcked;
    if (acked) {
      s.unacked?.dropFront(ack - s.outAcked);
      s.outAcked = ack;
      if (s.nextToSend <= ack) s.nextToSend = ack + 1;
    }
    const credited = fb.limit > s.outLimit;
    if (credited) {
      s.outLimit = fb.limit;
      const waiters = s.waiters;
      while (waiters !== undefined && waiters.length > 0 && s.outNextSeq <= s.outLimit) {
        const w = waiters.shift()!;
        if (w.onAbort) w.signal?.removeEventListener('abort', w.onAbort);
        this.admit(s, w.msg);
        w.resolve();
      }
    }
    if (acked || credited) this.hooks.progressed(acked);
    if (s.hasUnsent) this.pending.add(s);
    this.updateActive(s);
  }

  /** The peer stopped consuming `s`: drop what we keep for it, reject its senders. */
  peerClosed(s: LinkStream): void {
    if (s.closedByPeer) return;
    s.closedByPeer = true;
    s.unacked?.clear();
    s.outAcked = s.outNextSeq - 1;
    s.nextToSend = s.outNextSeq;
    const waiters = s.waiters ?? [];
    s.waiters = undefined;
    this.pending.delete(s);
    this.updateActive(s);
    rejectWaiters(waiters, new ChannelClosedError(`stream "${s.key}"`));
  }

  /** The peer is a new process: our unacknowledged messages start again at seq 1 for it. */
  renumber(s: LinkStream): void {
    const kept = s.outstanding;
    s.outAcked = 0;
    s.outNextSeq = kept + 1;
    s.nextToSend = 1;
    s.maxSent = 0;
    s.outLimit = INITIAL_STREAM_CREDIT;
    s.closedByPeer = false;
    if (kept > 0) this.pending.add(s);
  }

  /** Timeout: go back to the oldest unacknowledged message of every active stream. */
  rewind(): void {
    for (const s of this.active) {
      if (s.nextToSend > s.outAcked + 1) s.nextToSend = s.outAcked + 1;
      if (s.hasUnsent) this.pending.add(s);
      // Nothing to resend but blocked: our credit grant may have been lost, ask again.
      else if (s.blockedOnCredit) this.probes.add(s);
    }
  }

  isDrained(): boolean {
    for (const s of this.active) if (s.outstanding > 0) return false;
    return true;
  }

  drain(signal: AbortSignal | undefined): Promise<void> {
    if (this.isDrained()) return RESOLVED;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        this.drainers = this.drainers.filter((d) => d !== entry);
        reject(signal!.reason);
      };
      const entry = {
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject: (e: unknown) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.drainers.push(entry);
    });
  }

  /** The link closed: every waiting sender and drainer rejects with `error`. */
  close(streams: Iterable<LinkStream>, error: Error): void {
    for (const s of streams) {
      const waiters = s.waiters ?? [];
      s.waiters = undefined;
      rejectWaiters(waiters, error);
    }
    const drainers = this.drainers;
    this.drainers = [];
    for (const d of drainers) d.reject(error);
  }

  private admit(s: LinkStream, msg: TaskMsg): void {
    (s.unacked ??= new RingBuffer<TaskMsg>()).push(msg);
    s.outNextSeq++;
    this.pending.add(s);
    this.updateActive(s);
    this.hooks.scheduleFlush();
  }

  private updateActive(s: LinkStream): void {
    if (s.outstanding > 0 || (s.waiters !== undefined && s.waiters.length > 0)) {
      if (!this.active.has(s)) {
        this.active.add(s);
        if (this.active.size === 1) this.hooks.becameActive();
      }
    } else {
      this.active.delete(s);
    }
    if (this.drainers.length > 0 && this.isDrained()) {
      const drainers = this.drainers;
      this.drainers = [];
      for (const d of drainers) d.resolve();
    }
  }
}

function rejectWaiters(waiters: readonly SendWaiter[], error: Error): void {
  for (const w of waiters) {
    if (w.onAbort) w.signal?.removeEventListener('abort', w.onAbort);
    w.reject(error);
  }
}
