/** Reading a request body with a size cap, for the operator endpoints of master and agent. */
import type { IncomingMessage } from 'node:http';

/** Operator calls are small; anything larger is refused with 413. */
export const MAX_OPERATOR_CALL_BYTES = 1024 * 1024;

/**
 * Resolves with the whole body as UTF-8, or undefined once it passed `maxBytes` (the rest is
 * read and dropped, so the connection stays usable for the 413). Rejects if the request errors.
 */
export async function readBody(req: IncomingMessage, maxBytes = MAX_OPERATOR_CALL_BYTES): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= maxBytes) chunks.push(chunk);
  }
  return size > maxBytes ? undefined : Buffer.concat(chunks).toString('utf8');
}
