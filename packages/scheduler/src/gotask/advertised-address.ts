/**
 * `--data-advertise host[:port]`: the address executors are told to dial when the one the data
 * plane is bound to is not reachable from the agents as it is (a wildcard bind, NAT, a container
 * port mapping). IPv6 hosts are written in brackets, as in URLs: `[fd00::1]:7070`.
 */
import { InvalidArgumentError } from '@mesosgot/common/internal';

/** A parsed `--data-advertise`; `port` undefined = the port the data plane is bound to. */
export interface AdvertisedAddress {
  host: string;
  port?: number;
}

const BRACKETED = /^\[([0-9A-Fa-f:.]+)\](?::(\d+))?$/;
const PLAIN = /^([A-Za-z0-9.-]+)(?::(\d+))?$/;

/** Parses `host`, `host:port`, `[v6]` or `[v6]:port`; a string is the reason it is refused. */
function parse(text: string): AdvertisedAddress | string {
  const m = BRACKETED.exec(text) ?? PLAIN.exec(text);
  if (m === null) return 'must be host, host:port, [ipv6] or [ipv6]:port';
  const host = m[1]!;
  if (host === '0.0.0.0' || host === '::') return 'must be an address executors can dial, not a wildcard';
  if (m[2] === undefined) return { host };
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return 'port must be 1–65535';
  return { host, port };
}

/** Why `text` is not a valid `--data-advertise`, or undefined when it is (for the flag table). */
export function advertisedAddressProblem(text: string): string | undefined {
  const parsed = parse(text);
  return typeof parsed === 'string' ? parsed : undefined;
}

/** Parses a `--data-advertise` value; throws InvalidArgumentError naming `where` when it is bad. */
export function parseAdvertisedAddress(text: string, where = '--data-advertise'): AdvertisedAddress {
  const parsed = parse(text);
  if (typeof parsed === 'string') throw new InvalidArgumentError(where, text, parsed);
  return parsed;
}
