/**
 * The scheduler's end of the direct data plane (docs/protocol.md, "Data plane"): a TCP (or TLS)
 * listener on `--address` and `--data-port` that admits one connection per executor, each
 * showing the credential the scheduler sent that executor over the Mesos relay. Anything else
 * is refused with a log line naming the peer and the reason. An admitted connection is handed
 * to `onConnection` with TCP_NODELAY on; the link frames on it are the caller's business.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import {
  ProtocolError,
  SocketFrameParser,
  decodeHello,
  encodeRefusal,
  encodeWelcome,
  firstFrame,
  socketFrameHeader,
  type Logger,
} from '@mesosgot/common/internal';

/** Bytes of a per-executor credential (256 bits from the CSPRNG). */
export const CREDENTIAL_BYTES = 32;
/** A connection must complete its HELLO within this long. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 5_000;
/** Largest handshake record accepted (an id of ≤ 1 KiB plus the credential). */
const MAX_HELLO_BYTES = 2_048;
/** TCP keepalive on data-plane sockets: a vanished peer host is noticed within about a minute. */
export const DATA_PLANE_KEEPALIVE_MS = 10_000;

export interface DataPlaneServerOptions {
  /** Address to bind (the scheduler's `--address`). */
  host: string;
  /** Port to bind; 0 = any free port. */
  port: number;
  /** PEM certificate and key: serve TLS instead of plain TCP. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  logger: Logger;
  /**
   * An executor passed the handshake: `socket` is past the WELCOME, `parser` holds its framing
   * state and `early` the frames already read behind the HELLO.
   */
  onConnection(executorId: string, socket: Socket, parser: SocketFrameParser, early: Buffer[]): void;
  handshakeTimeoutMs?: number;
}

export class DataPlaneServer {
  /** Made by start(): node:tls is loaded only for a TLS data plane. */
  #server: Server | undefined;
  /** Expected credential per executor; written by admit/revoke. Bound: one per executor launched. */
  readonly #credentials = new Map<string, Buffer>();
  /** Sockets not yet closed, so stop() can end them. */
  readonly #sockets = new Set<Socket>();
  /** Compared against when the executor is unknown, so the refusal takes the same time. */
  readonly #dummy = randomBytes(CREDENTIAL_BYTES);
  readonly #stopping = new AbortController();
  #address: { host: string; port: number } | undefined;

  constructor(private readonly options: DataPlaneServerOptions) {}

  /** Whether connections are TLS. */
  get isTls(): boolean {
    return this.options.tls !== undefined;
  }

  /** Where it listens, once start() resolved. */
  get address(): { host: string; port: number } | undefined {
    return this.#address;
  }

  /** Binds; resolves with the address and port (the real one for port 0), rejects if binding fails. */
  async start(): Promise<{ host: string; port: number }> {
    const { tls, logger } = this.options;
    const onSocket = (socket: Socket): void => void this.#handshake(socket);
    const server = tls ? (await import('node:tls')).createServer({ cert: tls.cert, key: tls.key }, onSocket) : createServer(onSocket);
    // A TLS client that fails its handshake never reaches onSocket; say why once per attempt.
    server.on('tlsClientError', (error: Error, socket: Socket) => {
      logger.warn(`data plane: refused a TLS connection from ${socket.remoteAddress ?? '?'}: ${error.message}`);
    });
    // stop() came while node:tls was loading: nothing may listen after it.
    this.#stopping.signal.throwIfAborted();
    this.#server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', reject);
        const info = server.address() as AddressInfo;
        this.#address = { host: this.options.host, port: info.port };
        resolve(this.#address);
      });
    });
  }

  /** The credential executor `executorId` must show (created on first call, then the same). */
  admit(executorId: string): Buffer {
    let credential = this.#credentials.get(executorId);
    if (credential === undefined) {
      credential = randomBytes(CREDENTIAL_BYTES);
      this.#credentials.set(executorId, credential);
    }
    return credential;
  }

  /** The executor is gone: its credential no longer admits anyone. */
  revoke(executorId: string): void {
    this.#credentials.delete(executorId);
  }

  /** Stops listening and closes every connection; resolves once the listener is closed. */
  async stop(): Promise<void> {
    this.#stopping.abort();
    for (const socket of this.#sockets) socket.destroy();
    const server = this.#server;
    if (server === undefined || !server.listening) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async #handshake(socket: Socket): Promise<void> {
    const peer = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    if (this.#stopping.signal.aborted) {
      socket.destroy();
      return;
    }
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
    socket.on('error', () => undefined); // reported through 'close' and the handshake's rejection
    socket.setNoDelay(true);
    socket.setKeepAlive(true, DATA_PLANE_KEEPALIVE_MS);
    const parser = new SocketFrameParser(MAX_HELLO_BYTES);
    const refuse = (reason: string): void => {
      this.options.logger.warn(`data plane: refused the connection from ${peer}: ${reason}`);
      if (!socket.destroyed) {
        const body = encodeRefusal(reason);
        socket.end(Buffer.concat([socketFrameHeader(body.length), body]));
      }
    };
    let hello;
    try {
      const timeout = AbortSignal.timeout(this.options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS);
      const got = await firstFrame(socket, parser, AbortSignal.any([timeout, this.#stopping.signal]));
      hello = decodeHello(got.first);
      // The executor waits for WELCOME before it sends a link frame: anything here is a violation.
      if (got.rest.length > 0 || parser.pendingBytes > 0) throw new ProtocolError('bytes after the HELLO before the WELCOME');
    } catch (error) {
      refuse(`no valid HELLO (${(error as Error).message})`);
      return;
    }
    const expected = this.#credentials.get(hello.executorId);
    if (!sameSecret(hello.credential, expected ?? this.#dummy) || expected === undefined) {
      refuse(expected === undefined ? `unknown executor ${JSON.stringify(hello.executorId)}` : `wrong credential for executor ${hello.executorId}`);
      return;
    }
    const welcome = encodeWelcome();
    socket.write(Buffer.concat([socketFrameHeader(welcome.length), welcome]));
    // From here on, link frames: a fresh parser with the link frames' byte limit.
    this.options.onConnection(hello.executorId, socket, new SocketFrameParser(), []);
  }
}

/** Constant-time comparison of two credentials (a length mismatch still compares once). */
function sameSecret(given: Buffer, expected: Buffer): boolean {
  if (given.length !== expected.length) {
    timingSafeEqual(expected, expected);
    return false;
  }
  return timingSafeEqual(given, expected);
}
