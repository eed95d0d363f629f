import { InvalidArgumentError } from '../errors.js';

/** Shown instead of a secret in any message. */
export const REDACTED = '[redacted]';

/**
 * The `Authorization` value for Mesos HTTP framework authentication
 * (docs/protocol.md, "Authentication"): `Basic base64(principal:secret)`. Mesos splits the
 * credentials on `:` and wants exactly one, so a principal or secret containing
 * one could never authenticate: that throws InvalidArgumentError, which never
 * shows the secret.
 */
export function basicAuthHeader(principal: string, secret: string): string {
  if (principal.includes(':')) throw new InvalidArgumentError('principal', principal, "must not contain ':'");
  if (secret.includes(':')) throw new InvalidArgumentError('secret', REDACTED, "must not contain ':'");
  return `Basic ${Buffer.from(`${principal}:${secret}`, 'utf8').toString('base64')}`;
}
