import {
  MesosHttpClient,
  ProtocolError,
  SCHEDULER_API_PATH,
  loadWireCodecs,
  type ContentType,
  type SchedulerCall,
} from '@mesosgot/common/internal';
import type { CallSendOptions, MasterTransport, OpenedStream } from './master-transport.js';

export interface HttpMasterTransportOptions {
  /** HTTP Basic framework authentication (docs/protocol.md, "Authentication"). */
  principal?: string;
  secret?: string;
  /** PEM CA for https masters. */
  ca?: string | Buffer;
  requestTimeoutMs?: number;
  /** Masters the user configured: with credentials, the only origins (besides detected ones) a 307 may lead to. */
  knownMasters?: readonly string[];
  /** Encoding of calls and events (docs/protobuf.md); JSON by default. */
  contentType?: ContentType;
}

/**
 * MasterTransport over @mesosgot/common's MesosHttpClient: one client per master URL the
 * detector names (each keeps one keep-alive call connection and a new connection per SUBSCRIBE,
 * docs/protocol.md, "Connections", and follows 307s to the leader, "Leader redirects").
 */
export class HttpMasterTransport implements MasterTransport {
  /** Clients by the detector URL they were made for; their baseUrl moves to the leader on 307. */
  readonly #clients = new Map<string, MesosHttpClient>();
  /** Origins of configured masters and of every master the detector named; only grows. */
  readonly #knownOrigins = new Set<string>();

  constructor(private readonly options: HttpMasterTransportOptions = {}) {
    for (const url of options.knownMasters ?? []) this.#knownOrigins.add(new URL(url).origin);
  }

  async subscribe(masterUrl: string, call: SchedulerCall, { signal }: { signal: AbortSignal }): Promise<OpenedStream> {
    const client = this.#client(masterUrl);
    const subscription = await client.subscribe(SCHEDULER_API_PATH, this.#isProtobuf ? await this.#protobuf(call) : call, { signal, callType: call.type });
    if (subscription.streamId === undefined || subscription.streamId === '') {
      subscription.close();
      // Every call needs it (docs/protocol.md, "Stream id"): a subscription without one is unusable.
      throw new ProtocolError(`SUBSCRIBE answer from ${client.baseUrl} has no Mesos-Stream-Id header`);
    }
    return {
      masterUrl: client.baseUrl,
      streamId: subscription.streamId,
      records: subscription.records,
      contentType: subscription.contentType,
    };
  }

  async call(masterUrl: string, call: SchedulerCall, options: CallSendOptions): Promise<void> {
    let client: MesosHttpClient | undefined;
    for (const c of this.#clients.values()) {
      if (c.baseUrl !== masterUrl) continue;
      client = c;
      break;
    }
    client ??= this.#client(masterUrl);
    // A JSON call goes as its object (the client writes it) and is handed over at once.
    await client.call(SCHEDULER_API_PATH, this.#isProtobuf ? await this.#protobuf(call) : call, {
      callType: call.type,
      headers: { 'Mesos-Stream-Id': options.streamId },
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.isRepeatable === true ? { isRepeatable: true } : {}),
    });
  }

  async close(): Promise<void> {
    const clients = [...this.#clients.values()];
    this.#clients.clear();
    await Promise.all(clients.map((c) => c.close()));
  }

  get #isProtobuf(): boolean {
    return this.options.contentType === 'protobuf';
  }

  /** A protobuf call's bytes (the codecs load with the first one). */
  async #protobuf(call: SchedulerCall): Promise<Uint8Array> {
    return (await loadWireCodecs()).SCHEDULER_CALL_CODEC.toBinary(call);
  }

  #client(masterUrl: string): MesosHttpClient {
    let client = this.#clients.get(masterUrl);
    if (client === undefined) {
      this.#knownOrigins.add(new URL(masterUrl).origin);
      const { knownMasters: _known, ...clientOptions } = this.options;
      // Only credentials need a trusted destination; without them any leader a 307 names is followed.
      const hasCredentials = clientOptions.principal !== undefined;
      client = new MesosHttpClient({
        baseUrl: masterUrl,
        ...clientOptions,
        ...(hasCredentials ? { isTrustedOrigin: (origin: string) => this.#knownOrigins.has(origin) } : {}),
      });
      this.#clients.set(masterUrl, client);
    }
    return client;
  }
}
