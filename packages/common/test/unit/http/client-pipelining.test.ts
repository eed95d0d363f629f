import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { CALL_PIPELINING_DEPTH, MesosHttpClient } from '@mesosgot/common/internal';
import { waitFor } from '@mesosgot/local/testing';

/**
 * A raw HTTP/1.1 server that answers nothing until told: it counts the requests each connection
 * carried, so a test sees which calls went at once and on which connection, and can cut one.
 */
class HoldingServer {
  readonly #server: Server = createServer((socket) => this.#accept(socket));
  readonly connections: { socket: Socket; bodies: string[] }[] = [];

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Answers `count` requests of connection `i` with 202, in order. */
  answer(i: number, count: number): void {
    this.connections[i]!.socket.write('HTTP/1.1 202 Accepted\r\ncontent-length: 0\r\n\r\n'.repeat(count));
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(socket: Socket): void {
    const connection = { socket, bodies: [] as string[] };
    this.connections.push(connection);
    let buffered = '';
    socket.setEncoding('latin1').on('data', (chunk: string) => {
      buffered += chunk;
      // Each request: headers with a content-length, then that many body bytes.
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end === -1) return;
        const length = Number(/content-length: (\d+)/i.exec(buffered.slice(0, end))?.[1] ?? 0);
        if (buffered.length < end + 4 + length) return;
        connection.bodies.push(buffered.slice(end + 4, end + 4 + length));
        buffered = buffered.slice(end + 4 + length);
      }
    });
    socket.on('error', () => undefined); // cut by the test
  }
}

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function setup() {
  const server = new HoldingServer();
  const baseUrl = await server.start();
  cleanup.push(() => server.close());
  const client = new MesosHttpClient({ baseUrl });
  cleanup.push(() => client.close());
  return { server, client };
}

const ack = (n: number) => ({ type: 'ACKNOWLEDGE', n });
const bodiesOf = (server: HoldingServer) => server.connections.flatMap((c) => c.bodies.map((b) => JSON.parse(b) as { type: string; n?: number }));

describe('MesosHttpClient repeatable calls', () => {
  it('go several at once, each on a connection of the call pool; a plain call waits for their answers before it', async () => {
    const { server, client } = await setup();
    const acks = [1, 2, 3].map((n) => client.call('/api/v1/scheduler', ack(n), { isRepeatable: true }));
    const accept = client.call('/api/v1/scheduler', { type: 'ACCEPT' });
    await waitFor(() => bodiesOf(server).length === 3, { timeoutMs: 5_000 });
    expect(server.connections.map((c) => c.bodies.length)).toEqual([1, 1, 1]);
    expect(bodiesOf(server).map((b) => b.n).sort()).toEqual([1, 2, 3]);
    for (const i of [0, 1, 2]) server.answer(i, 1);
    await Promise.all(acks);
    await waitFor(() => bodiesOf(server).length === 4, { timeoutMs: 5_000 });
    expect(bodiesOf(server)[3]).toEqual({ type: 'ACCEPT' });
    // The ACCEPT reused a kept-alive connection: no new one was opened.
    expect(server.connections).toHaveLength(3);
    const carrier = server.connections.findIndex((c) => c.bodies.length === 2);
    server.answer(carrier, 1);
    await accept;
  });

  it(`go at most CALL_PIPELINING_DEPTH (${CALL_PIPELINING_DEPTH}) at once; the rest wait for answers`, async () => {
    const { server, client } = await setup();
    const count = CALL_PIPELINING_DEPTH + 4;
    const acks = Array.from({ length: count }, (_, n) => client.call('/api/v1/scheduler', ack(n), { isRepeatable: true }));
    await waitFor(() => bodiesOf(server).length >= CALL_PIPELINING_DEPTH, { timeoutMs: 5_000 });
    expect(bodiesOf(server)).toHaveLength(CALL_PIPELINING_DEPTH);
    for (let i = 0; i < CALL_PIPELINING_DEPTH; i++) server.answer(i, 1);
    await waitFor(() => bodiesOf(server).length === count, { timeoutMs: 5_000 });
    expect(server.connections).toHaveLength(CALL_PIPELINING_DEPTH);
    for (const [i, c] of server.connections.entries()) if (c.bodies.length === 2) server.answer(i, 1);
    await Promise.all(acks);
    expect(bodiesOf(server).map((b) => b.n).sort((a, b) => a! - b!)).toEqual(Array.from({ length: count }, (_, n) => n));
  });

  /** Sends ACKNOWLEDGE `n`, cuts the connection that carried it, and waits until it came again on a second one. */
  async function resentAfterCut(n: number) {
    const { server, client } = await setup();
    const call = client.call('/api/v1/scheduler', ack(n), { isRepeatable: true });
    call.catch(() => undefined); // awaited by the test
    await waitFor(() => server.connections[0]?.bodies.length === 1, { timeoutMs: 5_000 });
    server.connections[0]!.socket.destroy();
    await waitFor(() => server.connections[1]?.bodies.length === 1, { timeoutMs: 5_000 });
    expect(JSON.parse(server.connections[1]!.bodies[0]!)).toEqual(ack(n));
    return { server, call };
  }

  it('when its connection breaks before the answer, the call is sent once more on a new one', async () => {
    const { server, call } = await resentAfterCut(7);
    server.answer(1, 1);
    await expect(call).resolves.toMatchObject({ status: 202 });
  });

  it('is sent twice at most: a second broken connection fails it', async () => {
    const { server, call } = await resentAfterCut(8);
    server.connections[1]!.socket.destroy();
    await expect(call).rejects.toThrow();
    expect(server.connections).toHaveLength(2);
  });

  it('never sends a plain call twice: it fails with its connection', async () => {
    const { server, client } = await setup();
    const accept = client.call('/api/v1/scheduler', { type: 'ACCEPT' });
    await waitFor(() => server.connections[0]?.bodies.length === 1, { timeoutMs: 5_000 });
    server.connections[0]!.socket.destroy();
    await expect(accept).rejects.toThrow();
    expect(server.connections.slice(1).flatMap((c) => c.bodies)).toEqual([]);
  });
});
