/**
 * An in-memory stand-in for Mesos framework messages between two ReliableLinks: each frame can
 * be dropped, duplicated or delayed (which reorders it), decided by a seeded generator so a
 * failing fast-check case replays exactly. `pause()` makes transmit reject, like a driver that
 * lost its subscription (NotSubscribedError), until `resume()`.
 */
import { ReliableLink, type ReliableLinkOptions } from '../../../src/internal.js';

export interface Faults {
  drop: number;
  duplicate: number;
  /** Max extra delay in ms; > 0 reorders frames. */
  maxDelayMs: number;
}

export const NO_FAULTS: Faults = { drop: 0, duplicate: 0, maxDelayMs: 0 };

/** Mulberry32: tiny deterministic PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class LossyNetwork {
  private readonly timers = new Set<NodeJS.Timeout>();
  private paused = false;
  private stopped = false;
  readonly errors: unknown[] = [];
  /** Bytes of frames handed to transmit, per direction. */
  framesOnWire = { ab: 0, ba: 0 };
  maxFrameSeen = 0;
  a!: ReliableLink;
  b!: ReliableLink;

  constructor(
    private readonly faults: Faults,
    private readonly random: () => number = Math.random,
  ) {}

  /** Builds the two links; `options` apply to both (per-side overrides after). */
  connect(options: Partial<ReliableLinkOptions> = {}, aOptions: Partial<ReliableLinkOptions> = {}, bOptions: Partial<ReliableLinkOptions> = {}): void {
    this.a = new ReliableLink({ retransmitMs: 20, maxRetransmitMs: 80, ...options, ...aOptions, transmit: (f) => this.carry(f, () => this.b, 'ab') });
    this.b = new ReliableLink({ retransmitMs: 20, maxRetransmitMs: 80, ...options, ...bOptions, transmit: (f) => this.carry(f, () => this.a, 'ba') });
  }

  /** Replaces `b` with a fresh process (new session), as after an executor or scheduler restart. */
  restartB(options: Partial<ReliableLinkOptions> = {}): ReliableLink {
    const old = this.b;
    this.b = new ReliableLink({ retransmitMs: 20, maxRetransmitMs: 80, ...options, transmit: (f) => this.carry(f, () => this.a, 'ba') });
    return old;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.all([this.a?.close(), this.b?.close()]);
  }

  private carry(frame: Uint8Array, to: () => ReliableLink, dir: 'ab' | 'ba'): Promise<void> {
    if (this.paused) return Promise.reject(new Error('transport paused (not subscribed)'));
    this.framesOnWire[dir]++;
    this.maxFrameSeen = Math.max(this.maxFrameSeen, frame.length);
    // The link may not reuse the buffer, but a copy makes sure a bug there cannot hide here.
    const copy = Uint8Array.from(frame);
    if (this.random() < this.faults.drop) return Promise.resolve();
    const copies = this.random() < this.faults.duplicate ? 2 : 1;
    for (let i = 0; i < copies; i++) this.later(() => this.deliver(to(), copy), this.faults.maxDelayMs * this.random());
    return Promise.resolve();
  }

  private later(fn: () => void, delayMs: number): void {
    if (this.stopped) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, delayMs);
    this.timers.add(t);
  }

  private deliver(link: ReliableLink, frame: Uint8Array): void {
    if (this.stopped) return;
    try {
      link.onFrame(frame);
    } catch (err) {
      this.errors.push(err);
    }
  }
}
