/**
 * Optional HTTP Basic authentication of schedulers (docs/protocol.md, "Authentication"): with
 * credentials configured, every scheduler request needs `Authorization: Basic
 * base64(principal:secret)`; otherwise 401 with the master's realm. Secrets are compared in
 * constant time and never logged or echoed.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** A principal and its secret, for HTTP Basic authentication of schedulers. */
export interface Credential {
  /** The principal, also the framework's `principal`. */
  principal: string;
  /** The secret; it cannot contain `:` (docs/protocol.md, "Authentication"). */
  secret: string;
}

/** The challenge a real master sends (docs/protocol.md, "Authentication"). */
export const SCHEDULER_AUTH_CHALLENGE = 'Basic realm="mesos-master-scheduler"';

export type AuthResult = { ok: true; principal: string | undefined } | { ok: false };

/**
 * Checks a request against `credentials`. Without credentials, everyone passes with no
 * principal (auth off, Mesos' default).
 */
export function authenticate(req: IncomingMessage, credentials: readonly Credential[] | undefined): AuthResult {
  if (!credentials || credentials.length === 0) return { ok: true, principal: undefined };
  const header = req.headers.authorization;
  if (typeof header !== 'string') return { ok: false };
  const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header.trim());
  if (!m) return { ok: false };
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  // Exactly one ':' (docs/protocol.md, "Authentication"): secrets containing ':' cannot authenticate, as with Mesos.
  const parts = decoded.split(':');
  if (parts.length !== 2) return { ok: false };
  const [principal, secret] = parts as [string, string];
  for (const c of credentials) {
    if (c.principal === principal && sameSecret(c.secret, secret)) return { ok: true, principal };
  }
  return { ok: false };
}

function sameSecret(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
