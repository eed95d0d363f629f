/**
 * The executor driver's connection to its agent, one state machine (cf. mesos-go
 * httpcli/httpsched/state.go). Written only by MesosExecutorDriver.
 *
 *   connecting ──SUBSCRIBED──▶ subscribed ◀──SUBSCRIBED── reconnecting
 *       │                      │      └──stream lost, checkpointing──▶┘
 *       └────────▶ lost ◀──────┘ (no checkpointing / refused / recovery timeout)
 *   any ──stop()/abort()──▶ closed
 */
export type ConnectionState = 'connecting' | 'subscribed' | 'reconnecting' | 'lost' | 'closed';

const ALLOWED: Readonly<Record<ConnectionState, readonly ConnectionState[]>> = {
  connecting: ['subscribed', 'lost', 'closed'],
  subscribed: ['subscribed', 'reconnecting', 'lost', 'closed'],
  reconnecting: ['subscribed', 'lost', 'closed'],
  lost: ['closed'],
  closed: [],
};

export function canTransition(from: ConnectionState, to: ConnectionState): boolean {
  return ALLOWED[from].includes(to);
}
