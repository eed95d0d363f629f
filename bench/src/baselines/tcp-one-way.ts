/**
 * Baseline "one-way ceiling": bytes written over one loopback TCP connection to a sink that
 * only counts them, both ends in this process. It carries what the direct data plane carries
 * for `count` messages of `size` bytes (link-frame entries, ~2 bytes of header each, in frames
 * of DIRECT_FRAME_BYTES) with none of the work per message, so it is the most any protocol over
 * one connection can move on this machine at this moment.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { perSecond } from '../harness/stats.js';
import { connect } from './tcp-echo.js';

/** Bytes per write, as a full direct-plane frame (the link's default frame limit, 256 KiB). */
const DIRECT_FRAME_BYTES = 256 * 1024;
/** A link-frame entry's bytes besides its payload (kind and a 1-byte length) for a short message. */
const ENTRY_OVERHEAD_BYTES = 2;

/** Streams `count` messages' worth of bytes one way; resolves with messages per second. */
export async function loopbackOneWay(count: number, size: number): Promise<number> {
  const total = count * (size + ENTRY_OVERHEAD_BYTES);
  let received = 0;
  let done!: () => void;
  const all = new Promise<void>((resolve) => (done = resolve));
  const accepted = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    accepted.add(socket);
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received >= total) done();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const socket = await connect((server.address() as AddressInfo).port);
  try {
    const frame = Buffer.alloc(DIRECT_FRAME_BYTES, 0x61);
    const start = performance.now();
    for (let sent = 0; sent < total; sent += frame.length) {
      const ok = socket.write(total - sent >= frame.length ? frame : frame.subarray(0, total - sent));
      if (!ok) await new Promise((resolve) => socket.once('drain', resolve));
    }
    await all;
    return perSecond(count, performance.now() - start);
  } finally {
    socket.destroy();
    for (const s of accepted) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
