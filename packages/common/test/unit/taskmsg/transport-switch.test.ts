// Property: a ReliableLink keeps its promises (every numbered message of every stream, both
// directions, exactly once and in order, with bounded buffers) while its transport is switched
// under load between a lossy relay and a real loopback TCP connection that is cut at random
// points, and while the relay itself is down for a while. fast-check draws the fault schedule.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DirectTransport, type LinkTransport, type ReliableLink } from '../../../src/internal.js';
import { LossyNetwork, prng } from './lossy-network.js';

const STREAMS = 3;
const PER_STREAM = 400;
const TEST_BOUND_MS = 20_000;

let server: Server;
let port = 0;
const accepted: Socket[] = [];

beforeAll(async () => {
  server = createServer((s) => accepted.push(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** A TCP connection between the two links, each side moved onto it, and back to `relays` when it ends. */
async function connectDirect(net: LossyNetwork, relays: { a: LinkTransport; b: LinkTransport }): Promise<{ cut: () => void; closed: Promise<unknown> }> {
  const before = accepted.length;
  const client = connect({ host: '127.0.0.1', port });
  client.setNoDelay(true);
  await new Promise<void>((resolve, reject) => client.once('connect', resolve).once('error', reject));
  while (accepted.length === before) await new Promise((r) => setImmediate(r));
  const srv = accepted[accepted.length - 1]!;
  srv.setNoDelay(true);
  const a = net.a;
  const b = net.b;
  const ta = new DirectTransport(client, (f) => a.onFrame(f));
  const tb = new DirectTransport(srv, (f) => b.onFrame(f));
  a.useTransport(ta);
  b.useTransport(tb);
  const back = (link: ReliableLink, relay: LinkTransport, t: DirectTransport): Promise<void> =>
    t.closed().then(() => {
      if (link.transport === t) link.useTransport(relay);
    });
  return {
    cut: () => (Math.random() < 0.5 ? client : srv).destroy(),
    closed: Promise.all([back(a, relays.a, ta), back(b, relays.b, tb)]),
  };
}

async function pumpStreams(from: ReliableLink, to: ReliableLink, tag: string): Promise<Map<string, number[]>> {
  const got = new Map<string, number[]>();
  const receivers = Array.from({ length: STREAMS }, async (_, s) => {
    const key = `${tag}-${s}`;
    const seen: number[] = [];
    got.set(key, seen);
    for await (const msg of to.receive(key)) {
      seen.push(Number(msg.data));
      if (seen.length === PER_STREAM) break;
    }
  });
  const senders = Array.from({ length: STREAMS }, async (_, s) => {
    for (let i = 0; i < PER_STREAM; i++) await from.send({ taskName: `${tag}-${s}`, data: String(i) });
  });
  await Promise.all([...senders, ...receivers]);
  return got;
}

describe('ReliableLink transport switching', () => {
  it('delivers every numbered stream exactly once and in order across relay/direct switches and cuts (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          seed: fc.integer({ min: 1, max: 2 ** 31 }),
          schedule: fc.array(fc.record({ afterMs: fc.integer({ min: 0, max: 40 }), action: fc.constantFrom('connect', 'cut', 'pause-relay', 'resume-relay') }), { minLength: 1, maxLength: 12 }),
        }),
        async ({ seed, schedule }) => {
          const net = new LossyNetwork({ drop: 0.1, duplicate: 0.05, maxDelayMs: 5 }, prng(seed));
          net.connect({ receiveWindow: 256, maxFrameBytes: 2048 });
          const relays = { a: net.a.transport, b: net.b.transport };
          const directs: { cut: () => void; closed: Promise<unknown> }[] = [];
          let live: { cut: () => void } | undefined;
          try {
            const traffic = Promise.all([pumpStreams(net.a, net.b, 'ab'), pumpStreams(net.b, net.a, 'ba')]);
            for (const step of schedule) {
              await new Promise((r) => setTimeout(r, step.afterMs));
              if (step.action === 'connect' && live === undefined) {
                const d = await connectDirect(net, relays);
                directs.push(d);
                live = d;
                void d.closed.then(() => {
                  if (live === d) live = undefined;
                });
              } else if (step.action === 'cut') live?.cut();
              else if (step.action === 'pause-relay') net.pause();
              else net.resume();
            }
            net.resume();
            let bound: NodeJS.Timeout | undefined;
            const [ab, ba] = await Promise.race([
              traffic,
              new Promise<never>((_, reject) => (bound = setTimeout(() => reject(new Error('streams did not complete')), TEST_BOUND_MS))),
            ]).finally(() => clearTimeout(bound));
            const expected = Array.from({ length: PER_STREAM }, (_, i) => i);
            for (const got of [...ab.values(), ...ba.values()]) expect(got).toEqual(expected);
            expect(net.errors).toEqual([]);
          } finally {
            live?.cut();
            await net.stop();
            await Promise.all(directs.map((d) => d.closed));
          }
        },
      ),
      { numRuns: 12 },
    );
  }, 120_000);
});
