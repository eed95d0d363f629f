/**
 * The seam between a ReliableLink and the wire. The link owns everything that makes a channel
 * reliable (seqs, acks, retransmission, credit); a transport only moves opaque frames. Because
 * the state lives in the link, swapping the transport under it (relay → direct → relay) loses
 * nothing: the link rewinds to its oldest unacknowledged message and sends it again on the new
 * path, and the receiver drops what it already has (docs/protocol.md, "Data plane").
 */

/**
 * `relay`: Mesos framework messages through the master and the agent (at most once, may drop).
 * `direct`: the data plane's own TCP connection between executor and scheduler.
 */
export type LinkTransportKind = 'relay' | 'direct';

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
   * Sends one encoded link frame. Resolves once the frame was handed over (it may wait while the
   * transport is backed up: that is the link's backpressure); a rejection counts as a lost frame.
   */
  transmit(frame: Uint8Array): Promise<void>;
}

/** A transport over Mesos framework messages: `transmit` sends one frame as one MESSAGE call. */
export function relayTransport(transmit: (frame: Uint8Array) => Promise<void>): LinkTransport {
  return { kind: 'relay', isReliable: false, transmit };
}
