/**
 * One `GET` of a JSON document from a master or an agent (`/master/slaves`, an agent's
 * `/files/read`), on node:http(s) like the calls: global `fetch` would load Node's own undici
 * and compile its WebAssembly parser in the scheduler the first time an executor dies.
 */
import { ProtocolError } from '../errors.js';
import { originAgent } from './call-connection.js';
import { exchange, readText } from './exchange.js';

/** Largest document read by default: a master's agent list with thousands of agents fits. */
export const DEFAULT_MAX_JSON_BYTES = 16 * 1024 * 1024;

export interface GetJsonOptions {
  /** Bounds the whole read (connection, answer and body): aborting rejects with `signal.reason`. */
  signal: AbortSignal;
  headers?: Record<string, string>;
  /** A longer body (by Content-Length or as it arrives) is a ProtocolError; default DEFAULT_MAX_JSON_BYTES. */
  maxBytes?: number;
}

/**
 * Resolves with the parsed body of a 200 and undefined for any other status. Rejects on a
 * network error, an oversized body or bad JSON (ProtocolError), and with `signal.reason` on abort.
 */
export async function getJson(url: string, options: GetJsonOptions): Promise<unknown> {
  const target = new URL(url);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_JSON_BYTES;
  // One socket of its own, closed after the answer: these reads are rare.
  const agent = await originAgent(target.origin, { maxSockets: 1 });
  try {
    const { status, headers, body } = await exchange({ url: target, method: 'GET', headers: options.headers ?? {}, agent, signal: options.signal });
    // Any other answer is dropped with the socket (finally).
    if (status !== 200) return undefined;
    if (Number(headers['content-length'] ?? 0) > maxBytes) throw new ProtocolError(`${url}: answer of ${headers['content-length']} bytes exceeds ${maxBytes}`);
    const text = await readText(body, maxBytes);
    if (text === undefined) throw new ProtocolError(`${url}: answer exceeds ${maxBytes} bytes`);
    try {
      return JSON.parse(text) as unknown;
    } catch (cause) {
      throw new ProtocolError(`${url}: answer is not JSON: ${(cause as Error).message}`, undefined, { cause });
    }
  } finally {
    agent.destroy();
  }
}
