/**
 * AgentTransport over MesosHttpClient (docs/protocol.md, "Headers", "Connections"): one keep-alive
 * connection for calls, sent one at a time, and a new connection for each SUBSCRIBE; the
 * executor's Bearer token, when the agent authenticates executors, on every request.
 */
import { MesosHttpClient, EXECUTOR_API_PATH, type ExecutorCall } from '@mesosgot/common/internal';
import type { AgentEnv } from './agent-env.js';
import type { AgentTransport } from './agent-transport.js';

export class HttpAgentTransport implements AgentTransport {
  readonly #client: MesosHttpClient;
  readonly #headers: Record<string, string>;

  constructor(env: Pick<AgentEnv, 'agentUrl' | 'authorization'>) {
    // An agent never redirects its executors: a 307 elsewhere would only carry the executor's
    // token (and its updates) to another origin, so no other origin is trusted.
    this.#client = new MesosHttpClient({ baseUrl: new URL(env.agentUrl).origin, isTrustedOrigin: () => false });
    this.#headers = env.authorization ? { authorization: env.authorization } : {};
  }

  async subscribe(call: ExecutorCall, signal: AbortSignal): Promise<AsyncIterable<Buffer>> {
    const subscription = await this.#client.subscribe(EXECUTOR_API_PATH, call, { headers: this.#headers, signal });
    return subscription.records;
  }

  async send(call: ExecutorCall, signal?: AbortSignal): Promise<void> {
    await this.#client.call(EXECUTOR_API_PATH, call, { headers: this.#headers, ...(signal ? { signal } : {}) });
  }

  close(): Promise<void> {
    return this.#client.close();
  }
}
