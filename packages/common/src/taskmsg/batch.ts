import type { TaskMsg } from './codec.js';
import { varintLength } from './byte-cursor.js';
import { LINK_FRAME_HEADER_BYTES, entryLength, type LinkFrame, type LinkSection } from './link-frame.js';
import type { LinkStream } from './link-stream.js';

/**
 * Default byte limit of one frame (one Mesos framework message). Mesos relays a few thousand
 * messages a second but tens of MB/s (≈37 MB/s in 64 KiB messages), so throughput comes from
 * filling frames, not from sending more of them.
 */
export const DEFAULT_MAX_BATCH_BYTES = 256 * 1024;

/** Bytes reserved for a varint count that grows while a frame fills (counts < 2^21). */
const COUNT_RESERVE = 3;

/** What the batcher drains; the sets belong to ReliableLink, the batcher removes what it sent. */
export interface BatchSources {
  /** Streams whose ack/credit (or CLOSED) the peer should hear. */
  feedback: Set<LinkStream>;
  /** Streams blocked on credit whose feedback we ask for. */
  probes: Set<LinkStream>;
  /** Streams with admitted messages within credit not yet in a frame (round-robin order). */
  pending: Set<LinkStream>;
  /** Our per-stream receive window: the credit we grant is consumed + window. */
  receiveWindow: number;
}

export interface Batch {
  frame: LinkFrame;
  /** Messages in the frame. */
  messages: number;
  /** Of those, messages sent before (retransmissions after a timeout). */
  resent: number;
}

/**
 * Fills frames up to a byte limit from a link's streams: first every feedback and probe (small,
 * and they unblock the peer), then data round-robin across streams, each stream's run contiguous
 * from its `nextToSend`. A single message larger than the limit goes alone in its own frame.
 */
export class FrameBatcher {
  constructor(readonly maxFrameBytes: number = DEFAULT_MAX_BATCH_BYTES) {}

  /**
   * Builds one frame, or returns undefined when there is nothing to say and `evenIfEmpty` is
   * false (an empty frame still tells the peer our session: a reply to a stale or new peer).
   * `limit` lowers the byte limit for this frame (the transport's cap).
   */
  build(src: BatchSources, senderSession: number, receiverSession: number, evenIfEmpty: boolean, limit = this.maxFrameBytes): Batch | undefined {
    if (src.feedback.size === 0 && src.probes.size === 0 && src.pending.size === 0 && !evenIfEmpty) return undefined;
    const sections: LinkSection[] = [];
    const byStream = new Map<LinkStream, LinkSection>();
    let used = LINK_FRAME_HEADER_BYTES + COUNT_RESERVE;

    for (const s of src.feedback) {
      const section: LinkSection = { stream: s.key };
      let cost = varintLength(s.keyLength) + s.keyLength + 1;
      if (s.closedLocally) {
        section.closed = true;
      } else {
        const ack = s.expected - 1;
        const grant = s.consumed + src.receiveWindow;
        section.feedback = { ack, limit: grant };
        cost += varintLength(ack) + varintLength(grant);
      }
      if (used + cost > limit && sections.length > 0) break;
      used += cost;
      if (section.feedback) s.advertised = section.feedback.limit;
      src.feedback.delete(s);
      sections.push(section);
      byStream.set(s, section);
    }
    for (const s of src.probes) {
      const existing = byStream.get(s);
      if (existing) {
        existing.probe = true;
      } else {
        const cost = varintLength(s.keyLength) + s.keyLength + 1;
        if (used + cost > limit && sections.length > 0) break;
        used += cost;
        const section: LinkSection = { stream: s.key, probe: true };
        sections.push(section);
        byStream.set(s, section);
      }
      src.probes.delete(s);
    }

    let messages = 0;
    let resent = 0;
    let partial: LinkStream | undefined;
    for (const s of src.pending) {
      const through = s.sendableThrough;
      if (s.closedByPeer || s.nextToSend > through || s.unacked === undefined) {
        src.pending.delete(s);
        continue;
      }
      const existing = byStream.get(s);
      const head = varintLength(s.nextToSend) + COUNT_RESERVE + (existing ? 0 : varintLength(s.keyLength) + s.keyLength + 1);
      const firstIndex = s.nextToSend - s.outAcked - 1;
      const first = s.unacked.at(firstIndex);
      const firstCost = entryLength(first.data);
      // An oversized message goes alone; otherwise stop when the next section cannot hold one entry.
      if (used + head + firstCost > limit && messages > 0) {
        partial = s;
        break;
      }
      const out: TaskMsg[] = [first];
      used += head + firstCost;
      let seq = s.nextToSend + 1;
      for (; seq <= through; seq++) {
        const msg = s.unacked.at(seq - s.outAcked - 1);
        const cost = entryLength(msg.data);
        if (used + cost > limit) break;
        used += cost;
        out.push(msg);
      }
      const firstSeq = s.nextToSend;
      if (firstSeq <= s.maxSent) resent += Math.min(seq - 1, s.maxSent) - firstSeq + 1;
      if (seq - 1 > s.maxSent) s.maxSent = seq - 1;
      s.nextToSend = seq;
      messages += out.length;
      if (existing) existing.data = { firstSeq, messages: out };
      else sections.push({ stream: s.key, data: { firstSeq, messages: out } });
      if (seq <= through) {
        partial = s;
        break;
      }
      src.pending.delete(s);
    }
    // Rotate a stream cut short to the back, so one busy stream cannot starve the others.
    if (partial) {
      src.pending.delete(partial);
      src.pending.add(partial);
    }
    if (sections.length === 0 && !evenIfEmpty) return undefined;
    return { frame: { kind: 'DATA', senderSession, receiverSession, sections }, messages, resent };
  }
}
