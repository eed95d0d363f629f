/**
 * One HTTP request and its response over node:http or node:https. Node's own HTTP/1.1 client
 * costs next to nothing to load and its parser is native, where undici's compiles a WebAssembly
 * parser in every process (some 35–50 MiB of peak resident memory for a scheduler or executor).
 */
import { request as httpRequest, type Agent, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';

/** What `exchange` sends. */
export interface ExchangeRequest {
  url: URL;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /** Holds the connection (keep-alive pool, TLS options); an https agent (node:https) for an https URL. */
  agent: Agent;
  /**
   * Aborts the request with `signal.reason`: before the response headers the promise rejects
   * with it, after them the body ends with it (and its socket is destroyed).
   */
  signal?: AbortSignal | undefined;
}

/** A response, at its headers; `body` streams the rest (read it, discard it or destroy it). */
export interface ExchangeResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: IncomingMessage;
}

/**
 * Sends `request`; resolves at the response headers. Rejects with `signal.reason` on abort and
 * with Node's network error (ECONNREFUSED, ECONNRESET, a bad header value) otherwise.
 */
export function exchange(request: ExchangeRequest): Promise<ExchangeResponse> {
  const { signal } = request;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const headers: Record<string, string | number> = { ...request.headers };
    if (request.body !== undefined) headers['content-length'] = Buffer.byteLength(request.body);
    let outgoing: ReturnType<typeof httpRequest>;
    try {
      // node:http's request speaks TLS through an https agent: node:https stays unloaded for http.
      outgoing = httpRequest(request.url, { method: request.method, headers, agent: request.agent });
    } catch (error) {
      // A header value Node refuses (ERR_INVALID_CHAR): nothing was sent.
      reject(error);
      return;
    }
    let response: IncomingMessage | undefined;
    let isSettled = false;
    const fail = (error: unknown): void => {
      if (isSettled) return;
      isSettled = true;
      signal?.removeEventListener('abort', onAbort);
      reject(error);
    };
    function onAbort(): void {
      const reason: unknown = signal!.reason;
      if (response !== undefined) {
        // The body's reader sees the reason unchanged; destroying the body takes its socket along.
        response.destroy(reason as Error);
        return;
      }
      fail(reason);
      outgoing.destroy();
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    // Errors after the headers reach the body's reader; this listener only keeps them from
    // becoming uncaught.
    outgoing.on('error', fail);
    outgoing.once('response', (res) => {
      response = res;
      isSettled = true;
      res.on('error', () => undefined);
      res.once('close', () => signal?.removeEventListener('abort', onAbort));
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res });
    });
    outgoing.end(request.body);
  });
}

/** Reads the whole body as UTF-8 text; undefined (the body destroyed) once it passes `maxBytes`. */
export async function readText(body: IncomingMessage, maxBytes = Infinity): Promise<string | undefined> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).byteLength;
    // Leaving the loop destroys the body.
    if (size > maxBytes) return undefined;
    parts.push(chunk as Buffer);
  }
  return Buffer.concat(parts, size).toString('utf8');
}

/** Reads and drops the rest of the body, so its keep-alive connection can carry the next request. */
export async function discardBody(body: IncomingMessage): Promise<void> {
  for await (const chunk of body) void chunk;
}
