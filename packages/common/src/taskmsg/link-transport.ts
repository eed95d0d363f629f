/**
 * The seam between a ReliableLink and the wire. The link owns everything that makes a channel
 * reliable (seqs, acks, retransmission, credit); a transport only moves opaque frames. Because
 * the state lives in the link, swapping the transport under it (relay → direct → relay) loses
 * nothing: the link rewinds to its oldest unacknowledged message and sends it again on the new
 * path, and the receiver drops what it already has (docs/protocol.md, "Data plane").
 */
import type { ContentType } from '../http/content-type.js';

/**
 * `relay`: Mesos framework messages through the master and the agent (at most once, may drop).
 * `direct`: the data plane's own TCP connection between executor and scheduler.
 */
export type LinkTransportKind = 'relay' | 'direct';

/**
 * Byte limit of a frame on the relay in JSON (64 KiB). There a frame travels base64 inside the
 * call's JSON (4/3 of its size), and the driver, the master and the agent each hold that text
 * as one string. V8 puts a string over ~128 KiB on pages of its own, and here such a string
 * cost about 1 ms to make where one of 120 KB cost 10 µs: frames whose text stays under that
 * size relay several times cheaper per message than 256 KiB frames, however many more calls
 * they take. In protobuf the frame is raw bytes in the call, and fewer, larger calls win.
 */
export const RELAY_MAX_FRAME_BYTES = 64 * 1024;

/** How a ReliableLink's frames reach its peer. */
export interface LinkTransport {
  readonly kind: LinkTransportKind;
  /**
   * Does the transport deliver every frame it accepted, in order, while it stays up (TCP)? Then
   * the link does not resend on a timeout; whatever was in flight when it broke is sent again
   * when the link is moved to another transport.
   */
  readonly isReliable: boolean;
  /**
   * Largest frame this path carries well, in bytes: the link fills frames up to the smaller of
   * this and its own `maxFrameBytes` (a single larger message still goes, alone). None: no cap.
   */
  readonly maxFrameBytes?: number;
  /**
   * Sends one encoded link frame. Resolves once the frame was handed over (it may wait while the
   * transport is backed up: that is the link's backpressure); a rejection counts as a lost frame.
   */
  transmit(frame: Uint8Array): Promise<void>;
  /**
   * Sends one frame given as consecutive chunks (`length` bytes in all), the same bytes on the
   * wire as `transmit` of their join. A transport that can write pieces (a socket) offers it so
   * large payloads go out without being copied into a frame first.
   */
  transmitChunks?(chunks: readonly Uint8Array[], length: number): Promise<void>;
}

/**
 * A transport over Mesos framework messages: `transmit` sends one frame as one MESSAGE call,
 * encoded as `encoding` (the driver's content type). In JSON its frames are capped at
 * RELAY_MAX_FRAME_BYTES.
 */
export function relayTransport(transmit: (frame: Uint8Array) => Promise<void>, encoding: ContentType = 'json'): LinkTransport {
  return encoding === 'json' ? { kind: 'relay', isReliable: false, maxFrameBytes: RELAY_MAX_FRAME_BYTES, transmit } : { kind: 'relay', isReliable: false, transmit };
}
