/**
 * The calls to one master or agent (docs/protocol.md, "Connections"): keep-alive sockets of one
 * node:http(s) Agent, and whose turn it is. Calls take turns in the order they were sent:
 *
 * - a plain call goes alone: it waits until every call before it was answered (its body read),
 *   and the calls after it wait for its answer. Calls that come one at a time therefore all
 *   travel, in order, on one keep-alive socket.
 * - repeatable calls (CallOptions.isRepeatable) go up to `depth` at once, each on a socket of
 *   the pool; one whose socket breaks before its answer is sent once more, on a new socket.
 */
import { Agent as HttpAgent } from 'node:http';
import { exchange, type ExchangeRequest, type ExchangeResponse } from './exchange.js';

export interface CallConnectionOptions {
  /** `http(s)://host:port`. */
  origin: string;
  /** Repeatable calls in flight at once, at most (and so the sockets held). */
  depth: number;
  /** PEM CA certificate(s) trusted for an https origin. */
  ca?: string | Buffer | undefined;
}

/** One call waiting for its turn. */
interface Turn {
  readonly isRepeatable: boolean;
  start(): void;
}

/** The keep-alive socket pool of one origin; an https origin's (node:https is loaded then) trusts `ca`. */
export async function originAgent(origin: string, options: { maxSockets: number; ca?: string | Buffer | undefined }): Promise<HttpAgent> {
  const pool = { keepAlive: true, maxSockets: options.maxSockets };
  if (!origin.startsWith('https:')) return new HttpAgent(pool);
  const { Agent: HttpsAgent } = await import('node:https');
  return new HttpsAgent(options.ca === undefined ? pool : { ...pool, ca: options.ca });
}

export class CallConnection {
  readonly #options: CallConnectionOptions;
  /** Made by the first call. */
  #agent: Promise<HttpAgent> | undefined;
  readonly #waiting: Turn[] = [];
  /** Calls holding a turn (sent, answer not read yet). */
  #running = 0;
  #isPlainRunning = false;
  #idleWaiters: (() => void)[] = [];

  constructor(options: CallConnectionOptions) {
    this.#options = options;
  }

  /**
   * Sends `request` when its turn comes; resolves at the response headers. The turn ends when
   * the body was read, discarded or destroyed. Rejects with `signal.reason` when aborted while
   * waiting, and as `exchange` does.
   */
  async send(request: Omit<ExchangeRequest, 'agent'>, isRepeatable: boolean): Promise<ExchangeResponse> {
    await this.#turn(isRepeatable, request.signal);
    let response: ExchangeResponse;
    try {
      const { origin, depth, ca } = this.#options;
      const sent = { ...request, agent: await (this.#agent ??= originAgent(origin, { maxSockets: depth, ca })) };
      response = await exchange(sent).catch((error: unknown) => {
        // Unknown whether the server saw it: only a call that is harmless twice goes again.
        if (!isRepeatable || request.signal?.aborted === true) throw error;
        return exchange(sent);
      });
    } catch (error) {
      this.#release(isRepeatable);
      throw error;
    }
    response.body.once('close', () => this.#release(isRepeatable));
    return response;
  }

  /** Resolves once every call sent or waiting was answered, then closes the sockets. */
  async close(): Promise<void> {
    if (this.#running + this.#waiting.length > 0) await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
    if (this.#agent !== undefined) (await this.#agent).destroy();
  }

  #turn(isRepeatable: boolean, signal: AbortSignal | undefined): Promise<void> {
    signal?.throwIfAborted();
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.#waiting.indexOf(turn);
        if (i === -1) return;
        this.#waiting.splice(i, 1);
        reject(signal!.reason);
        this.#pump();
      };
      const turn: Turn = {
        isRepeatable,
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push(turn);
      this.#pump();
    });
  }

  #release(isRepeatable: boolean): void {
    this.#running--;
    if (!isRepeatable) this.#isPlainRunning = false;
    this.#pump();
  }

  /** Starts the waiting calls whose turn it is, first come first served. */
  #pump(): void {
    for (;;) {
      const next = this.#waiting[0];
      if (next === undefined || this.#isPlainRunning) break;
      if (next.isRepeatable ? this.#running >= this.#options.depth : this.#running > 0) break;
      this.#waiting.shift();
      this.#running++;
      if (!next.isRepeatable) this.#isPlainRunning = true;
      next.start();
    }
    if (this.#running + this.#waiting.length === 0 && this.#idleWaiters.length > 0) {
      for (const resolve of this.#idleWaiters.splice(0)) resolve();
    }
  }
}
