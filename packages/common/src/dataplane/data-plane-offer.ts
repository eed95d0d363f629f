import { ProtocolError } from '../errors.js';

/**
 * The link stream that carries data-plane control messages between a scheduler and an
 * executor. It starts with NUL, which no task id can (tasks are named `<name>-<index>` and
 * the scheduler refuses unknown destinations), so a task can neither read nor forge it.
 */
export const DATA_PLANE_STREAM = '\u0000data-plane';

/**
 * Scheduler → executor, sent on DATA_PLANE_STREAM once the executor subscribed (its link is then
 * carried by framework messages, the authenticated Mesos path): where to connect and the
 * credential to show. Never in ExecutorInfo, which the master's state endpoint shows to anyone.
 */
export interface DataPlaneOffer {
  type: 'OFFER';
  host: string;
  port: number;
  /** Per-executor secret, base64 (docs/protocol.md, "Data plane"). */
  credential: string;
  /** Present when the scheduler serves TLS: the PEM CA to trust (else the system's). */
  tls?: { ca?: string };
}

/** Executor → scheduler on DATA_PLANE_STREAM: it cannot use the direct path and stays on the relay. */
export interface DataPlaneRelayNotice {
  type: 'RELAY';
  reason: string;
}

export type DataPlaneControl = DataPlaneOffer | DataPlaneRelayNotice;

export function encodeDataPlaneControl(msg: DataPlaneControl): string {
  return JSON.stringify(msg);
}

/** Parses a control message; throws ProtocolError naming the bad field. */
export function parseDataPlaneControl(data: string | Uint8Array): DataPlaneControl {
  let value: unknown;
  try {
    value = JSON.parse(typeof data === 'string' ? data : Buffer.from(data).toString('utf8'));
  } catch (cause) {
    throw new ProtocolError('data-plane control message is not JSON', undefined, { cause });
  }
  const v = value as { type?: unknown; reason?: unknown; host?: unknown; port?: unknown; credential?: unknown; tls?: { ca?: unknown } | null } | null;
  if (v === null || typeof v !== 'object') throw new ProtocolError('data-plane control message is not an object');
  if (v.type === 'RELAY') {
    if (typeof v.reason !== 'string') throw new ProtocolError('data-plane RELAY without a reason');
    return { type: 'RELAY', reason: v.reason };
  }
  if (v.type !== 'OFFER') throw new ProtocolError(`unknown data-plane control type ${JSON.stringify(v.type)}`);
  if (typeof v.host !== 'string' || v.host === '') throw new ProtocolError('data-plane OFFER: bad host');
  const port = v.port;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) throw new ProtocolError('data-plane OFFER: bad port');
  if (typeof v.credential !== 'string' || v.credential === '') throw new ProtocolError('data-plane OFFER: bad credential');
  const offer: DataPlaneOffer = { type: 'OFFER', host: v.host, port, credential: v.credential };
  if (v.tls !== undefined) {
    if (v.tls === null || typeof v.tls !== 'object' || (v.tls.ca !== undefined && typeof v.tls.ca !== 'string')) throw new ProtocolError('data-plane OFFER: bad tls');
    offer.tls = v.tls.ca === undefined ? {} : { ca: v.tls.ca };
  }
  return offer;
}
