import { MAX_ERROR_BODY_BYTES, MesosHttpError } from '../errors.js';

/**
 * The one place HTTP statuses are mapped (docs/design.md, "Errors"). Mesos answers a call
 * with 200 (SUBSCRIBE stream, UPDATE_FRAMEWORK) or 202 (queued), a non-leader
 * with 307, and everything else is a refusal with a plain-text reason
 * (docs/protocol.md, "Scheduler endpoint answers", "Executor endpoint answers").
 */
export type StatusKind = 'success' | 'leader-redirect' | 'refused';

/** Classifies a response status. */
export function statusKind(status: number): StatusKind {
  if (status >= 200 && status < 300) return 'success';
  // Only 307 is a leader redirect (docs/protocol.md, "Leader redirects"); Mesos sends no other 3xx, so any
  // other is a refusal rather than something to follow.
  if (status === 307) return 'leader-redirect';
  return 'refused';
}

/** A response body that can be read in chunks and abandoned (a node:http IncomingMessage). */
export interface DiscardableBody extends AsyncIterable<Uint8Array> {
  destroy(error?: Error): unknown;
}

/**
 * Reads at most MAX_ERROR_BODY_BYTES (+1, so the cap shows) of a refusal's body,
 * then drops the rest: a proxy's huge HTML error page must not be buffered whole.
 * Resolves with the text; rejects only if the body fails before the cap.
 */
export async function readErrorBody(body: DiscardableBody): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    parts.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    size += chunk.byteLength;
    // Leaving the loop early destroys the body (and its socket with it).
    if (size > MAX_ERROR_BODY_BYTES) break;
  }
  return Buffer.concat(parts, size).toString('utf8');
}

/** Builds the typed error for a refused call; MesosHttpError caps the body and classifies itself. */
export function statusError(status: number, body: string, callType: string, url: string): MesosHttpError {
  return new MesosHttpError(status, body.trim(), callType, url);
}
