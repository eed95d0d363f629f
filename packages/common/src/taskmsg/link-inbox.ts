import { InvalidArgumentError } from '../errors.js';
import type { TaskMsg } from './codec.js';
import { LinkReceiver } from './link-receiver.js';
import type { LinkStream } from './link-stream.js';
import { RingBuffer } from '../channel/ring-buffer.js';

/**
 * The receiving half of a ReliableLink: puts arrivals in seq order, drops duplicates and
 * anything beyond the granted credit, and hands messages to consumers — one all-streams
 * consumer or one consumer per stream. Taking a message counts it consumed, which is what
 * grants the peer more credit (ReliableLink decides when to advertise it).
 */
export class LinkInbox {
  /** Chosen by the first receive() call; 'unset' keeps arrival order in case 'all' comes. */
  private mode: 'unset' | 'all' | 'stream' = 'unset';
  /**
   * Arrival order across streams, one entry per queued message (all-streams mode).
   * Bound: the messages queued in all inboxes, each ≤ the receive window.
   */
  private readonly arrivals = new RingBuffer<LinkStream>(16);
  private allClaimed = false;
  private allWake: (() => void) | undefined;
  /** Every stream with a parked per-stream consumer, so close can wake them. */
  private readonly parked = new Set<LinkStream>();

  constructor(
    private readonly window: number,
    private readonly onConsumed: (s: LinkStream) => void,
    private readonly linkClosed: () => boolean,
  ) {}

  /** Takes a data run firstSeq… of stream `s`; returns how many were delivered and dropped. */
  accept(s: LinkStream, firstSeq: number, messages: readonly TaskMsg[]): { delivered: number; dropped: number } {
    if (s.closedLocally) return { delivered: 0, dropped: messages.length };
    // Credit bound: we granted at most consumed + window, so anything above is a peer bug or a
    // stale frame; keeping it would break the memory bound.
    const maxSeq = s.consumed + this.window;
    let delivered = 0;
    let dropped = 0;
    for (let i = 0; i < messages.length; i++) {
      const seq = firstSeq + i;
      if (seq < s.expected || seq > maxSeq) {
        dropped++;
      } else if (seq === s.expected) {
        this.deliver(s, messages[i]!);
        delivered++;
        const ahead = s.ahead;
        while (ahead !== undefined && ahead.size > 0) {
          const next = ahead.get(s.expected);
          if (next === undefined) break;
          ahead.delete(s.expected);
          this.deliver(s, next);
          delivered++;
        }
      } else if (s.ahead?.has(seq)) {
        dropped++;
      } else {
        (s.ahead ??= new Map()).set(seq, messages[i]!);
      }
    }
    if (delivered > 0) this.wake(s);
    return { delivered, dropped };
  }

  /** Every stream's messages, one at a time, in arrival order (the link's one all-streams consumer). */
  receiveAll(signal?: AbortSignal): AsyncIterableIterator<TaskMsg> {
    return this.allStreams(() => this.takeAny(), signal);
  }

  /** Like receiveAll, yielding everything queued (1 … `max` messages) per step. */
  receiveAllBatches(max: number, signal?: AbortSignal): AsyncIterableIterator<TaskMsg[]> {
    return this.allStreams(() => this.takeAnyMany(max), signal);
  }

  /** Stream `s`'s messages, one at a time (its one consumer). */
  receiveStream(s: LinkStream, signal?: AbortSignal): AsyncIterableIterator<TaskMsg> {
    return this.oneStream(s, () => this.takeFrom(s), signal);
  }

  /** Like receiveStream, yielding everything queued (1 … `max` messages) per step. */
  receiveStreamBatches(s: LinkStream, max: number, signal?: AbortSignal): AsyncIterableIterator<TaskMsg[]> {
    return this.oneStream(s, () => this.takeManyFrom(s, max), signal);
  }

  private allStreams<T>(take: () => T | undefined, signal: AbortSignal | undefined): AsyncIterableIterator<T> {
    if (this.mode === 'stream') throw new InvalidArgumentError('stream', undefined, 'this link already has per-stream consumers');
    if (this.allClaimed) throw new InvalidArgumentError('stream', undefined, 'this link already has an all-streams consumer');
    this.mode = 'all';
    this.allClaimed = true;
    const inbox = this;
    return new LinkReceiver<T>(
      {
        take,
        get ended() {
          return inbox.linkClosed() && inbox.arrivals.size === 0;
        },
        park: (wake) => (this.allWake = wake),
        release: () => {
          this.allClaimed = false;
          this.allWake = undefined;
        },
      },
      signal,
    );
  }

  private oneStream<T>(s: LinkStream, take: () => T | undefined, signal: AbortSignal | undefined): AsyncIterableIterator<T> {
    if (this.mode === 'all') throw new InvalidArgumentError('stream', s.key, 'this link already has an all-streams consumer');
    if (s.claimed) throw new InvalidArgumentError('stream', s.key, 'this stream already has a consumer');
    if (this.mode === 'unset') {
      this.mode = 'stream';
      this.arrivals.clear();
    }
    s.claimed = true;
    const inbox = this;
    return new LinkReceiver<T>(
      {
        take,
        get ended() {
          return (s.closedLocally || inbox.linkClosed()) && s.queued === 0;
        },
        park: (wake) => {
          s.wake = wake;
          this.parked.add(s);
        },
        release: () => {
          s.claimed = false;
          s.wake = undefined;
          this.parked.delete(s);
        },
      },
      signal,
    );
  }

  /** Our side stops consuming `s`: drop its queue and end its consumer. */
  close(s: LinkStream): void {
    s.closedLocally = true;
    s.inbox?.clear();
    s.ahead = undefined;
    this.wake(s);
  }

  /**
   * The peer restarted: its seqs start at 1 again. Messages already queued stay (they were
   * received); the credit base goes negative by that many so queued + new arrivals still fit
   * the window.
   */
  resetForNewPeer(s: LinkStream): void {
    s.expected = 1;
    s.ahead = undefined;
    s.consumed = -s.queued;
    s.advertised = Math.min(s.advertised, s.consumed + this.window);
  }

  /** The link closed: wake every consumer so it can drain and end. */
  wakeAll(): void {
    for (const s of [...this.parked]) this.wake(s);
    const all = this.allWake;
    this.allWake = undefined;
    all?.();
  }

  private deliver(s: LinkStream, msg: TaskMsg): void {
    (s.inbox ??= new RingBuffer<TaskMsg>()).push(msg);
    s.expected++;
    if (this.mode !== 'stream') this.arrivals.push(s);
  }

  private wake(s: LinkStream): void {
    const own = s.wake;
    if (own !== undefined) {
      s.wake = undefined;
      this.parked.delete(s);
      own();
    }
    const all = this.allWake;
    if (all !== undefined) {
      this.allWake = undefined;
      all();
    }
  }

  private takeFrom(s: LinkStream): TaskMsg | undefined {
    const inbox = s.inbox;
    if (inbox === undefined || inbox.size === 0) return undefined;
    const msg = inbox.shift();
    s.consumed++;
    this.onConsumed(s);
    return msg;
  }

  /** Up to `max` of stream `s`'s queued messages, or undefined if none is queued; counted consumed together. */
  private takeManyFrom(s: LinkStream, max: number): TaskMsg[] | undefined {
    const inbox = s.inbox;
    if (inbox === undefined || inbox.size === 0) return undefined;
    const n = Math.min(inbox.size, max);
    const batch = new Array<TaskMsg>(n);
    for (let i = 0; i < n; i++) batch[i] = inbox.shift();
    s.consumed += n;
    this.onConsumed(s);
    return batch;
  }

  /** Up to `max` queued messages of any stream in arrival order, or undefined if none is queued. */
  private takeAnyMany(max: number): TaskMsg[] | undefined {
    let batch: TaskMsg[] | undefined;
    while (this.arrivals.size > 0 && (batch === undefined || batch.length < max)) {
      const msg = this.takeFrom(this.arrivals.shift());
      if (msg !== undefined) (batch ??= []).push(msg);
    }
    return batch;
  }

  private takeAny(): TaskMsg | undefined {
    // Entries of a closed stream whose queue was dropped are skipped.
    while (this.arrivals.size > 0) {
      const msg = this.takeFrom(this.arrivals.shift());
      if (msg !== undefined) return msg;
    }
    return undefined;
  }
}
