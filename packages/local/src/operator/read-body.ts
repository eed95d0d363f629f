/** Reading a request body with a size cap, for the operator endpoints of master and agent. */
import type { IncomingMessage } from 'node:http';
import { readRequestBody } from '../http/guarded-server.js';

/** Operator calls are small; anything larger is refused with 413. */
export const MAX_OPERATOR_CALL_BYTES = 1024 * 1024;

/**
 * Resolves with the whole body, or undefined when it passed `maxBytes` or the server's HTTP
 * limits refused it (in-flight budget, body timeout; http/guarded-server.ts). Never rejects.
 */
export async function readBody(req: IncomingMessage, maxBytes = MAX_OPERATOR_CALL_BYTES): Promise<Buffer | undefined> {
  const read = await readRequestBody(req, { maxBytes });
  return read.ok ? read.body : undefined;
}
