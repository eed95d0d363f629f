/**
 * Baseline "transport ceiling": a raw TCP echo server on loopback. Two figures: echoed
 * messages per second with the pipe kept full (what any protocol over one TCP connection can
 * at best move) and the round-trip time of one small message at a time (the floor under any
 * request/response latency, such as the ping-pong RTT through the cluster).
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { perSecond } from '../harness/stats.js';

export interface EchoServer {
  port: number;
  /** Resolves once the server and every accepted socket are closed. */
  close(): Promise<void>;
}

/** Starts an echo server on 127.0.0.1 and an ephemeral port. */
export async function startEchoServer(): Promise<EchoServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => sockets.delete(socket));
    // Errors on a benchmark socket end that socket; the client side reports the failure.
    socket.on('error', () => socket.destroy());
    socket.pipe(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const s of sockets) s.destroy();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/** A connected loopback client with Nagle off. */
export async function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', noDelay: true }, () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Resolves once `socket` has received `bytes` more bytes; rejects if it errors or closes. */
function receiveBytes(socket: net.Socket, bytes: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = 0;
    const onData = (chunk: Buffer): void => {
      seen += chunk.length;
      if (seen >= bytes) {
        cleanup();
        resolve();
      }
    };
    const onEnd = (): void => {
      cleanup();
      reject(new Error(`echo connection closed after ${seen} of ${bytes} bytes`));
    };
    const cleanup = (): void => {
      socket.off('data', onData);
      socket.off('error', onEnd);
      socket.off('close', onEnd);
    };
    socket.on('data', onData);
    socket.once('error', onEnd);
    socket.once('close', onEnd);
  });
}

/**
 * Writes `count` messages of `size` bytes as fast as the socket accepts them and waits for all
 * echoes. Resolves with messages per second; the connection is closed before it settles.
 */
export async function tcpEchoThroughput(port: number, count: number, size: number): Promise<number> {
  const socket = await connect(port);
  try {
    const message = Buffer.alloc(size, 0x61);
    const start = performance.now();
    const echoed = receiveBytes(socket, count * size);
    // Batch writes so the figure measures the transport, not one syscall per tiny message.
    const perWrite = Math.max(1, Math.floor(65_536 / size));
    const batch = Buffer.concat(Array.from({ length: perWrite }, () => message));
    for (let sent = 0; sent < count; sent += perWrite) {
      const n = Math.min(perWrite, count - sent);
      const ok = socket.write(n === perWrite ? batch : batch.subarray(0, n * size));
      if (!ok) await new Promise((resolve) => socket.once('drain', resolve));
    }
    await echoed;
    return perSecond(count, performance.now() - start);
  } finally {
    socket.destroy();
  }
}

/**
 * Sends `count` messages of `size` bytes one at a time, each after the previous echo.
 * Resolves with each round trip in milliseconds; the connection is closed before it settles.
 */
export async function tcpEchoRtts(port: number, count: number, size: number): Promise<number[]> {
  const socket = await connect(port);
  try {
    const message = Buffer.alloc(size, 0x62);
    const rtts: number[] = [];
    for (let i = 0; i < count; i++) {
      const start = performance.now();
      const echoed = receiveBytes(socket, size);
      socket.write(message);
      await echoed;
      rtts.push(performance.now() - start);
    }
    return rtts;
  } finally {
    socket.destroy();
  }
}
