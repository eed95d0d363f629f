/**
 * A real ZooKeeper server (Debian's `zookeeper` package) on a loopback port, for tests of master
 * detection. Not a mock: it is the same server Mesos masters elect through. `.ci/run` installs the
 * package when it is missing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TimeoutError } from '@mesosgot/common/internal';

/** Where Debian's package puts the server jar (its Class-Path manifest names the rest). */
export const ZOOKEEPER_JAR = '/usr/share/java/zookeeper.jar';
const START_TIMEOUT_MS = 30_000;
/** One handshake attempt's deadline, and the pause between attempts. */
const PROBE_TIMEOUT_MS = 1_000;
const PROBE_PAUSE_MS = 50;

/** Whether Debian's ZooKeeper package and Java are installed, so a ZooKeeperServer can start. */
export function isZooKeeperInstalled(): boolean {
  return existsSync(ZOOKEEPER_JAR) && existsSync('/usr/bin/java');
}

/**
 * A real ZooKeeper server on a loopback port, for master-detection tests. `start()` resolves with
 * its connect string once it answers; `stop()` kills it (as a crash would), `destroy()` also
 * removes its data directory.
 */
export class ZooKeeperServer {
  #process?: ChildProcess;
  #port = 0;
  readonly #dataDir = mkdtempSync(join(tmpdir(), 'mesosgot-zk-'));
  #exited?: Promise<void>;

  /** `127.0.0.1:PORT` once started. */
  get connectString(): string {
    return `127.0.0.1:${this.#port}`;
  }

  /** Its port; 0 before start(). */
  get port(): number {
    return this.#port;
  }

  /**
   * Starts the server (on a free port the first time, on the same port and data after a stop) and
   * resolves once a client session connects. Rejects with a clear error when the package is missing.
   */
  async start(): Promise<string> {
    if (!isZooKeeperInstalled()) {
      throw new Error(`ZooKeeper is not installed (${ZOOKEEPER_JAR}); run: apt-get install zookeeper`);
    }
    if (this.#process) return this.connectString;
    if (this.#port === 0) this.#port = await freePort();
    const child = spawn(
      '/usr/bin/java',
      [
        '-Xmx256m',
        '-Dzookeeper.admin.enableServer=false',
        '-Dzookeeper.4lw.commands.whitelist=',
        '-cp',
        ZOOKEEPER_JAR,
        'org.apache.zookeeper.server.ZooKeeperServerMain',
        String(this.#port),
        this.#dataDir,
        '500', // tickTime ms: sessions time out within a few seconds (min session timeout = 2 ticks)
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4096);
    });
    this.#process = child;
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`ZooKeeper exited at start (${child.exitCode}): ${stderr}`);
      // A raw handshake, not a ZkSession: closing a node-zookeeper-client 1.1.3 whose handshake is
      // still in flight makes it misread the late connect response and throw from its socket
      // handler (an uncaught exception in the test process), and a cold JVM can take > 1 s.
      if (await answersHandshake(this.#port)) return this.connectString;
      if (Date.now() > deadline) throw new TimeoutError(`ZooKeeper did not start: ${stderr}`, START_TIMEOUT_MS);
      await new Promise((resolve) => setTimeout(resolve, PROBE_PAUSE_MS));
    }
  }

  /** Stops the server process (SIGKILL: sessions are not closed cleanly, as in a crash). */
  async stop(): Promise<void> {
    const child = this.#process;
    if (!child) return;
    this.#process = undefined;
    if (child.exitCode === null) child.kill('SIGKILL');
    await this.#exited;
  }

  /** Stops the server and removes its data directory. */
  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.#dataDir, { recursive: true, force: true });
  }
}

/**
 * True when the server answers a ZooKeeper ConnectRequest (jute: protocolVersion 0, lastZxidSeen
 * 0, timeOut, sessionId 0, 16-byte zero password) with a framed ConnectResponse within
 * PROBE_TIMEOUT_MS; false when it refuses, closes (not serving yet) or stays silent. The
 * throwaway session it creates holds no nodes and expires on its own.
 */
function answersHandshake(port: number): Promise<boolean> {
  const request = Buffer.alloc(4 + 44);
  request.writeInt32BE(44, 0); // frame length
  request.writeInt32BE(0, 4); // protocolVersion
  request.writeBigInt64BE(0n, 8); // lastZxidSeen
  request.writeInt32BE(2_000, 16); // timeOut (ms)
  request.writeBigInt64BE(0n, 20); // sessionId: new session
  request.writeInt32BE(16, 28); // passwd length, then 16 zero bytes
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    const socket = connect(port, '127.0.0.1');
    const finish = (answered: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answered);
    };
    const timer = setTimeout(() => finish(false), PROBE_TIMEOUT_MS);
    socket.once('connect', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 4 && received.length >= 4 + received.readInt32BE(0)) finish(true);
    });
    socket.once('error', () => finish(false));
    socket.once('close', () => finish(false));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
