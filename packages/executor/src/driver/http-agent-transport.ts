/**
 * AgentTransport over HTTP/1.1 with undici (mesos-v1-protocol.md §2.2, §2.3): one keep-alive
 * connection for calls, sent one at a time, and a new connection for each SUBSCRIBE.
 */
import { Client } from 'undici';
import { MesosHttpError, type ExecutorCall } from '@mesosgot/common';
import type { AgentEnv } from './agent-env.js';
import type { AgentTransport } from './agent-transport.js';

/** Suggested client timeout for non-streaming calls (§2.3). */
const CALL_TIMEOUT_MS = 75_000;

export class HttpAgentTransport implements AgentTransport {
  readonly #url: URL;
  readonly #headers: Record<string, string>;
  /** The one call connection; created lazily, closed by close(). */
  #calls: Client | undefined;
  /** Live SUBSCRIBE connections (normally one), destroyed by close(). */
  readonly #streams = new Set<Client>();

  constructor(env: Pick<AgentEnv, 'agentUrl' | 'authorization'>) {
    this.#url = new URL(env.agentUrl);
    this.#headers = {
      'content-type': 'application/json',
      accept: 'application/json',
      ...(env.authorization ? { authorization: env.authorization } : {}),
    };
  }

  async subscribe(call: ExecutorCall, signal: AbortSignal): Promise<AsyncIterable<Uint8Array>> {
    // A new SUBSCRIBE always uses a new connection (§2.3).
    const client = new Client(this.#url.origin, { bodyTimeout: 0, headersTimeout: CALL_TIMEOUT_MS });
    this.#streams.add(client);
    const release = (): void => {
      this.#streams.delete(client);
      // Destroying the connection is the only way to end the stream from our side.
      void client.destroy().catch(() => undefined);
    };
    try {
      const response = await client.request({
        method: 'POST',
        path: this.#url.pathname,
        headers: this.#headers,
        body: JSON.stringify(call),
        signal,
      });
      if (response.statusCode !== 200) {
        const text = await response.body.text().catch(() => '');
        throw new MesosHttpError(response.statusCode, text, call.type, this.#url.href);
      }
      return (async function* stream() {
        try {
          yield* response.body;
        } finally {
          release();
        }
      })();
    } catch (error) {
      release();
      throw error;
    }
  }

  async send(call: ExecutorCall, signal?: AbortSignal): Promise<void> {
    this.#calls ??= new Client(this.#url.origin, { pipelining: 1, headersTimeout: CALL_TIMEOUT_MS, bodyTimeout: CALL_TIMEOUT_MS });
    const response = await this.#calls.request({
      method: 'POST',
      path: this.#url.pathname,
      headers: this.#headers,
      body: JSON.stringify(call),
      ...(signal ? { signal } : {}),
    });
    const text = await response.body.text();
    if (response.statusCode < 200 || response.statusCode >= 300) {
      throw new MesosHttpError(response.statusCode, text, call.type, this.#url.href);
    }
  }

  async close(): Promise<void> {
    const clients = [...this.#streams, ...(this.#calls ? [this.#calls] : [])];
    this.#streams.clear();
    this.#calls = undefined;
    // destroy(): in-flight requests were already aborted by the driver; nothing is worth waiting for.
    await Promise.all(clients.map((client) => client.destroy().catch(() => undefined)));
  }
}
