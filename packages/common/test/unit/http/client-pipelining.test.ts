import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { MesosHttpClient } from '@mesosgot/common/internal';
import { waitFor } from '@mesosgot/local/testing';

/**
 * A raw HTTP/1.1 server that answers nothing until told: it counts the requests each connection
 * carried, so a test sees whether the client pipelined them, and can cut a connection.
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

describe('MesosHttpClient pipelining', () => {
  it('pipelines repeatable calls on the call connection; a plain call waits for the answers before it', async () => {
    const { server, client } = await setup();
    const acks = [1, 2, 3].map((n) => client.call('/api/v1/scheduler', ack(n), { isRepeatable: true }));
    const accept = client.call('/api/v1/scheduler', { type: 'ACCEPT' });
    await waitFor(() => server.connections[0]?.bodies.length === 3, { timeoutMs: 5_000 });
    expect(server.connections).toHaveLength(1);
    server.answer(0, 3);
    await Promise.all(acks);
    await waitFor(() => server.connections[0]!.bodies.length === 4, { timeoutMs: 5_000 });
    expect(JSON.parse(server.connections[0]!.bodies[3]!)).toEqual({ type: 'ACCEPT' });
    server.answer(0, 1);
    await accept;
  });

  it('when the connection breaks, the call at its head fails and the repeatable calls behind it are sent again', async () => {
    const { server, client } = await setup();
    const calls = [1, 2, 3].map((n) => client.call('/api/v1/scheduler', ack(n), { isRepeatable: true }).then(() => 'ok', () => 'failed'));
    await waitFor(() => server.connections[0]?.bodies.length === 3, { timeoutMs: 5_000 });
    server.connections[0]!.socket.destroy();
    await waitFor(() => server.connections[1]?.bodies.length === 2, { timeoutMs: 5_000 });
    expect(server.connections[1]!.bodies.map((b) => (JSON.parse(b) as { n: number }).n)).toEqual([2, 3]);
    server.answer(1, 2);
    expect(await Promise.all(calls)).toEqual(['failed', 'ok', 'ok']);
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
