/**
 * A real ZooKeeper server (Debian's `zookeeper` package) on a loopback port, for tests of master
 * detection. Not a mock: it is the same server Mesos masters elect through. `.ci/run` installs the
 * package when it is missing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZkSession, parseZkUrl, TimeoutError } from '@mesosgot/common';

/** Where Debian's package puts the server jar (its Class-Path manifest names the rest). */
export const ZOOKEEPER_JAR = '/usr/share/java/zookeeper.jar';
const START_TIMEOUT_MS = 30_000;

export function isZooKeeperInstalled(): boolean {
  return existsSync(ZOOKEEPER_JAR) && existsSync('/usr/bin/java');
}

export class ZooKeeperServer {
  #process?: ChildProcess;
  #port = 0;
  readonly #dataDir = mkdtempSync(join(tmpdir(), 'mesosgot-zk-'));
  #exited?: Promise<void>;

  /** `127.0.0.1:PORT` once started. */
  get connectString(): string {
    return `127.0.0.1:${this.#port}`;
  }

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
      try {
        const session = await ZkSession.connect(parseZkUrl(`zk://${this.connectString}/zookeeper`), {
          connectTimeoutMs: 1_000,
        });
        session.close();
        return this.connectString;
      } catch {
        // Not listening yet: retry until the deadline.
        if (Date.now() > deadline) throw new TimeoutError(`ZooKeeper did not start: ${stderr}`, START_TIMEOUT_MS);
      }
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
