/**
 * The executor's end of the direct data plane (docs/protocol.md, "Data plane"). It does only
 * what the scheduler says: with no offer on the link's control stream, everything stays on the
 * Mesos relay. With one, it connects to the scheduler's address and data port (TLS when the
 * offer says so), shows the credential in a HELLO, and on WELCOME moves the link to the
 * connection. When connecting fails or the connection breaks, the link goes back to the relay
 * (unacknowledged frames go out again there), the log says so once, the scheduler is told once,
 * and reconnect attempts continue with backoff until stop().
 */
import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import {
  DATA_PLANE_STREAM,
  DirectTransport,
  ProtocolError,
  SocketFrameParser,
  decodeReply,
  delay,
  encodeDataPlaneControl,
  encodeHello,
  exponentialBackoff,
  firstFrame,
  parseDataPlaneControl,
  socketFrameHeader,
  type DataPlaneOffer,
  type Logger,
} from '@mesosgot/common/internal';
import type { ExecutorLink } from './executor-link.js';

/** Reconnect delays: quick at first (a brief cut), then at most every 10 s. */
export const DATA_PLANE_BACKOFF = { initialMs: 100, maxMs: 10_000 };
/** Connecting plus the handshake must finish within this long. */
export const DATA_PLANE_CONNECT_TIMEOUT_MS = 5_000;
/** TCP keepalive, as on the scheduler's side. */
const KEEPALIVE_MS = 10_000;

export interface DataPlaneClientOptions {
  link: ExecutorLink;
  /** This executor's id (MESOS_EXECUTOR_ID): the HELLO names it. */
  executorId: string;
  logger: Logger;
  backoff?: { initialMs: number; maxMs: number };
}

export class DataPlaneClient {
  readonly #o: DataPlaneClientOptions;
  readonly #stopping = new AbortController();
  /** The latest offer; written by the control loop. */
  #offer: DataPlaneOffer | undefined;
  /** The connection loop, once an offer came. */
  #connecting: Promise<void> | undefined;
  #control: Promise<void> | undefined;
  /** The connection while it is up. */
  #direct: DirectTransport | undefined;
  /** The fallback was logged and reported (once per executor). */
  #saidRelay = false;
  /** Ends the current backoff wait early: a new offer (a new scheduler after a failover) is tried at once. */
  #wake = new AbortController();
  /** An offer came since the last connection attempt began; written by the control loop and #pause. */
  #hasNewOffer = false;

  constructor(options: DataPlaneClientOptions) {
    this.#o = options;
  }

  /** The connection's peer while the link is on it, else undefined. */
  get directPeer(): string | undefined {
    return this.#direct?.isOpen === true ? this.#direct.remote : undefined;
  }

  /** Starts reading the control stream; returns at once. */
  start(): void {
    this.#control ??= this.#readControl();
  }

  /**
   * Stops reconnecting and ends the connection (call it after the link's close, so its BYE went
   * out first). Resolves once the loops ended and the socket is closed.
   */
  async stop(): Promise<void> {
    this.#stopping.abort();
    await this.#direct?.close();
    await this.#connecting;
    await this.#control;
  }

  async #readControl(): Promise<void> {
    const { link, logger } = this.#o;
    try {
      for await (const msg of link.receive(DATA_PLANE_STREAM, { signal: this.#stopping.signal })) {
        let control;
        try {
          control = parseDataPlaneControl(msg.data);
        } catch (error) {
          logger.warn(`data plane: ignoring a control message: ${(error as Error).message}`);
          continue;
        }
        if (control.type !== 'OFFER') continue;
        this.#offer = control;
        this.#hasNewOffer = true;
        this.#wake.abort();
        this.#connecting ??= this.#connectLoop();
      }
    } catch {
      // Aborted by stop(): the link's end is ours too.
    }
  }

  async #connectLoop(): Promise<void> {
    const { link, logger } = this.#o;
    const backoff = exponentialBackoff(this.#o.backoff ?? DATA_PLANE_BACKOFF);
    const signal = this.#stopping.signal;
    while (!signal.aborted && !link.isClosed) {
      const offer = this.#offer!;
      this.#hasNewOffer = false;
      const where = `${offer.host}:${offer.port}`;
      let transport: DirectTransport;
      try {
        transport = await this.#connect(offer);
      } catch (error) {
        if (signal.aborted) return;
        this.#fellBack(`cannot connect to the scheduler's data plane at ${where}: ${(error as Error).message}`);
        await this.#pause(backoff.next().value);
        continue;
      }
      backoff.reset();
      this.#direct = transport;
      link.useTransport(transport);
      logger.info(`data plane: connected to the scheduler at ${where}${offer.tls ? ' (TLS)' : ''}; messages go direct`);
      const error = await transport.closed();
      this.#direct = undefined;
      link.useTransport(link.relay);
      // The scheduler closed our link (its BYE came first on this connection): an orderly end.
      if (signal.aborted || link.isClosed) return;
      this.#fellBack(`the data-plane connection to ${where} broke${error ? ` (${error.message})` : ''}`);
      await this.#pause(backoff.next().value);
    }
  }

  /** Waits `ms`, or less if stop() is called or a new offer arrives. */
  async #pause(ms: number): Promise<void> {
    if (this.#hasNewOffer) {
      this.#hasNewOffer = false;
      return;
    }
    this.#wake = new AbortController();
    await delay(ms, { signal: AbortSignal.any([this.#stopping.signal, this.#wake.signal]) }).catch(() => undefined);
  }

  /** Says once (log and scheduler) that messages take the relay; later fallbacks go to debug. */
  #fellBack(reason: string): void {
    const { link, logger } = this.#o;
    if (this.#saidRelay) {
      logger.debug(`data plane: ${reason}; on the Mesos relay, reconnecting`);
      return;
    }
    this.#saidRelay = true;
    logger.warn(`data plane: ${reason}; messages go through the Mesos relay (slower) while it retries with backoff`);
    link.send({ taskName: DATA_PLANE_STREAM, data: encodeDataPlaneControl({ type: 'RELAY', reason }) }).catch(() => undefined);
  }

  /** Connects, says HELLO, waits for WELCOME; rejects with the reason otherwise. */
  async #connect(offer: DataPlaneOffer): Promise<DirectTransport> {
    const signal = AbortSignal.any([this.#stopping.signal, AbortSignal.timeout(DATA_PLANE_CONNECT_TIMEOUT_MS)]);
    const socket = await openSocket(offer, signal);
    try {
      socket.setNoDelay(true);
      socket.setKeepAlive(true, KEEPALIVE_MS);
      const hello = encodeHello({ executorId: this.#o.executorId, credential: Buffer.from(offer.credential, 'base64') });
      socket.write(Buffer.concat([socketFrameHeader(hello.length), hello]));
      const parser = new SocketFrameParser();
      const { first, rest } = await firstFrame(socket, parser, signal);
      const reply = decodeReply(first);
      if (!reply.accepted) throw new ProtocolError(`the scheduler refused the connection: ${reply.reason}`);
      const link = this.#o.link;
      return new DirectTransport(socket, (frame) => link.onFrame(frame), parser, rest);
    } catch (error) {
      socket.destroy();
      throw error;
    }
  }
}

/** A connected socket (TLS handshake done when the offer asks for TLS), or the connection error. */
function openSocket(offer: DataPlaneOffer, signal: AbortSignal): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket: Socket = offer.tls
      ? connectTls({ host: offer.host, port: offer.port, ...(offer.tls.ca ? { ca: offer.tls.ca } : {}), ...(isIpLiteral(offer.host) ? {} : { servername: offer.host }) })
      : connectTcp({ host: offer.host, port: offer.port });
    const onAbort = (): void => {
      socket.destroy();
      reject(signal.reason instanceof Error && signal.reason.name === 'TimeoutError' ? new Error('timed out') : signal.reason);
    };
    const done = (): void => {
      signal.removeEventListener('abort', onAbort);
      socket.off('error', onError);
    };
    const onError = (error: Error): void => {
      done();
      socket.destroy();
      reject(error);
    };
    socket.once(offer.tls ? 'secureConnect' : 'connect', () => {
      done();
      socket.on('error', () => undefined); // from here DirectTransport or the handshake reports it
      resolve(socket);
    });
    socket.once('error', onError);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}

function isIpLiteral(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}
