/**
 * AgentTransport over MesosHttpClient (docs/protocol.md, "Headers", "Connections"): one keep-alive
 * connection for calls (one at a time, but for UPDATEs, several at once), and a new connection for each SUBSCRIBE; the
 * executor's Bearer token, when the agent authenticates executors, on every request.
 */
import { EXECUTOR_API_PATH, loadWireCodecs, MesosHttpClient, type ContentType, type ExecutorCall } from '@mesosgot/common/internal';
import type { AgentEnv } from './agent-env.js';
import type { AgentTransport } from './agent-transport.js';

export class HttpAgentTransport implements AgentTransport {
  readonly #client: MesosHttpClient;
  readonly #headers: Record<string, string>;
  readonly contentType: ContentType;

  constructor(env: Pick<AgentEnv, 'agentUrl' | 'authorization'> & { contentType?: ContentType }) {
    this.contentType = env.contentType ?? 'json';
    // An agent never redirects its executors: a 307 elsewhere would only carry the executor's
    // token (and its updates) to another origin, so no other origin is trusted.
    this.#client = new MesosHttpClient({ baseUrl: new URL(env.agentUrl).origin, isTrustedOrigin: () => false, contentType: this.contentType });
    this.#headers = env.authorization ? { authorization: env.authorization } : {};
  }

  async subscribe(call: ExecutorCall, signal: AbortSignal): Promise<AsyncIterable<Buffer>> {
    const subscription = await this.#client.subscribe(EXECUTOR_API_PATH, this.contentType === 'protobuf' ? await this.#protobuf(call) : call, { headers: this.#headers, signal, callType: call.type });
    return subscription.records;
  }

  async send(call: ExecutorCall, signal?: AbortSignal, options: { isRepeatable?: boolean } = {}): Promise<void> {
    // A JSON call goes as its object (the client writes it) and is handed over at once.
    await this.#client.call(EXECUTOR_API_PATH, this.contentType === 'protobuf' ? await this.#protobuf(call) : call, {
      headers: this.#headers,
      callType: call.type,
      ...(signal ? { signal } : {}),
      ...(options.isRepeatable === true ? { isRepeatable: true } : {}),
    });
  }

  /** A protobuf call's bytes (the codecs load with the first one). */
  async #protobuf(call: ExecutorCall): Promise<Uint8Array> {
    return (await loadWireCodecs()).EXECUTOR_CALL_CODEC.toBinary(call);
  }

  close(): Promise<void> {
    return this.#client.close();
  }
}
