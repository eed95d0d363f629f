import { MesosHttpError, ProtocolError } from '../errors.js';
import { statusKind } from './status-errors.js';

/**
 * Redirects followed before giving up. A master names the leader it knows; more
 * than a few hops means the masters disagree (an election in progress), and the
 * caller's retry loop with backoff is the right place to wait for it.
 */
export const MAX_LEADER_REDIRECTS = 3;

/**
 * Where a 307 from a non-leading master points (docs/protocol.md, "Leader redirects").
 * Mesos sends a scheme-relative Location (`//127.0.0.1:5062/master/api/v1/scheduler`,
 * seen on a real 1.12 master): the scheme comes from the request, host, port and
 * path from Location. Throws ProtocolError if Location is missing or not HTTP(S).
 */
export function leaderRedirectTarget(requestUrl: URL, location: string | undefined): URL {
  if (location === undefined || location === '') {
    throw new ProtocolError(`307 from ${requestUrl.origin} without a Location header`);
  }
  let target: URL;
  try {
    // WHATWG resolution does exactly the rule above for `//host:port/path`.
    target = new URL(location, requestUrl);
  } catch (error) {
    throw new ProtocolError(`307 from ${requestUrl.origin} with bad Location ${JSON.stringify(location)}`, undefined, {
      cause: error,
    });
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new ProtocolError(`307 from ${requestUrl.origin} points to a non-HTTP Location ${JSON.stringify(location)}`);
  }
  // A redirect must never move a call (and its credentials, stream id, payload) into clear text.
  if (requestUrl.protocol === 'https:' && target.protocol === 'http:') {
    throw new ProtocolError(`307 from ${requestUrl.origin} to ${target.origin} would downgrade https to http; not followed`);
  }
  return target;
}

/** What followLeaderRedirects needs to know about a response. */
export interface RedirectableResponse {
  status: number;
  /** The Location header, if any. */
  location: string | undefined;
  /** Releases the (empty) body of a redirect so its connection can be reused or dropped. */
  discard(): Promise<void>;
}

export interface FollowLeaderRedirectsOptions {
  /** Names the call in errors. */
  callType: string;
  /** Called before each hop with the new target, e.g. to switch the client's base URL. */
  onRedirect?: (target: URL) => void;
  /**
   * Set when the requests carry credentials: a hop to another origin is followed only when this
   * says the origin is a master the user configured or the detector found; otherwise the call
   * fails with ProtocolError, so a 307 cannot hand the secret to whoever it names.
   */
  isTrustedOrigin?: (origin: string) => boolean;
  maxRedirects?: number;
}

/**
 * Sends with `send`, following 307s to the leading master (docs/protocol.md, "Scheduler endpoint answers"). Wraps a sender
 * rather than branching inside it (docs/design.md, "Layers"). Resolves with the first non-307
 * response and the URL that produced it. Rejects with ProtocolError on a bad
 * Location, an https → http downgrade or (with `isTrustedOrigin`) an untrusted origin, with MesosHttpError (status 307) after `maxRedirects` hops, and with
 * whatever `send` rejects with.
 */
export async function followLeaderRedirects<R extends RedirectableResponse>(
  url: URL,
  send: (url: URL) => Promise<R>,
  options: FollowLeaderRedirectsOptions,
): Promise<{ response: R; url: URL }> {
  const maxRedirects = options.maxRedirects ?? MAX_LEADER_REDIRECTS;
  let current = url;
  for (let hops = 0; ; hops++) {
    const response = await send(current);
    if (statusKind(response.status) !== 'leader-redirect') return { response, url: current };
    await response.discard();
    const target = leaderRedirectTarget(current, response.location);
    const trusted = options.isTrustedOrigin;
    if (trusted !== undefined && target.origin !== current.origin && !trusted(target.origin)) {
      throw new ProtocolError(
        `307 from ${current.origin} to ${target.origin}, which is not a configured or detected master: credentials are not sent there (list every master, or use zk://)`,
      );
    }
    if (hops >= maxRedirects) {
      throw new MesosHttpError(
        response.status,
        `gave up after ${maxRedirects} leader redirects (last Location: ${target.href})`,
        options.callType,
        current.href,
      );
    }
    options.onRedirect?.(target);
    current = target;
  }
}
