import { isWellFormed, type TaskMsg } from './codec.js';
import { RingBuffer } from '../channel/ring-buffer.js';

/**
 * Credit every sender starts a stream with before it hears from the receiver: the receiver has
 * not spoken yet, so both sides must agree on it without a round trip. A receiver's window is at
 * least this (ReliableLink enforces it), so the first burst always fits.
 */
export const INITIAL_STREAM_CREDIT = 256;

/** A send blocked on credit: resolved when admitted, rejected on close or abort. */
export interface SendWaiter {
  msg: TaskMsg;
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/**
 * Both directions of one stream key (a task name) on one link. Fields are written only by
 * ReliableLink (and the batcher, for `nextToSend`); seqs start at 1 in each direction.
 */
export class LinkStream {
  /** UTF-8 length of `key`, measured once for frame budgeting. */
  readonly keyLength: number;
  /** No lone surrogate in `key` (which has no UTF-8 form): messages may be sent on it. */
  readonly keyIsWellFormed: boolean;

  // ---- outbound: our messages on this key to the peer ----
  /** The peer acknowledged every seq ≤ outAcked. */
  outAcked = 0;
  /** Seq the next admitted message gets. */
  outNextSeq = 1;
  /** Next seq to put in a frame; rewound to outAcked + 1 on retransmission. */
  nextToSend = 1;
  /** We may admit seqs ≤ outLimit (the peer's credit grant, or INITIAL_STREAM_CREDIT). */
  outLimit = INITIAL_STREAM_CREDIT;
  /**
   * Admitted, unacknowledged messages: seqs outAcked+1 … outNextSeq-1.
   * Bound: outLimit − outAcked ≤ the peer's receive window (admission stops at outLimit).
   */
  unacked: RingBuffer<TaskMsg> | undefined;
  /** Sends blocked on credit, FIFO. Bound: one per caller awaiting `send` (the caller's own promise). */
  waiters: SendWaiter[] | undefined;
  /** Highest seq ever put in a frame (a lower one going out again is a retransmission). */
  maxSent = 0;
  /** The peer told us it no longer consumes this key: sends reject, nothing is kept. */
  closedByPeer = false;

  // ---- inbound: the peer's messages on this key to us ----
  /** Next in-order seq expected; everything below was received (ack = expected − 1). */
  expected = 1;
  /** Seqs ≤ consumed were taken by the application; the grant is consumed + receive window. */
  consumed = 0;
  /** Last limit put in a frame (the peer knows at least this much credit). */
  advertised = INITIAL_STREAM_CREDIT;
  /** In-order messages not yet taken. Bound: expected − 1 − consumed ≤ receive window. */
  inbox: RingBuffer<TaskMsg> | undefined;
  /** Messages that arrived ahead of a gap, by seq; only seqs ≤ consumed + window are kept. */
  ahead: Map<number, TaskMsg> | undefined;
  /** Our application stopped consuming this key; arrivals are acked and dropped. */
  closedLocally = false;
  /** A per-stream consumer waiting for the next message (one consumer per stream). */
  wake: (() => void) | undefined;
  /** A per-stream consumer holds this stream. */
  claimed = false;

  constructor(readonly key: string) {
    this.keyLength = Buffer.byteLength(key, 'utf8');
    this.keyIsWellFormed = isWellFormed(key);
  }

  /** Admitted messages not yet acknowledged (sent or not). */
  get outstanding(): number {
    return this.outNextSeq - 1 - this.outAcked;
  }

  /** Highest seq the batcher may put in a frame now. */
  get sendableThrough(): number {
    return Math.min(this.outNextSeq - 1, this.outLimit);
  }

  get hasUnsent(): boolean {
    return this.nextToSend <= this.sendableThrough;
  }

  get blockedOnCredit(): boolean {
    return (this.waiters !== undefined && this.waiters.length > 0) || this.outNextSeq - 1 > this.outLimit;
  }

  /** Messages delivered in order but not yet taken. */
  get queued(): number {
    return this.inbox === undefined ? 0 : this.inbox.size;
  }
}
