import { createServer, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { writeInTurn } from '../../../src/http/turn-batched-writes.js';

let server: Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A server whose one response stays open; resolves with it and the client's received text so far. */
async function openStream(): Promise<{ res: ServerResponse; received: () => string; ended: Promise<void> }> {
  let onResponse!: (res: ServerResponse) => void;
  const responded = new Promise<ServerResponse>((resolve) => (onResponse = resolve));
  server = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.flushHeaders();
    onResponse(res);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  let text = '';
  const ended = new Promise<void>((resolve, reject) => {
    const req = request({ port: (server!.address() as AddressInfo).port, host: '127.0.0.1', method: 'POST' }, (incoming) => {
      incoming.setEncoding('utf8');
      incoming.on('data', (chunk: string) => (text += chunk));
      incoming.on('end', resolve);
      incoming.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
  return { res: await responded, received: () => text, ended };
}

/** Counts the socket writes (one per write or writev) the response's socket makes. */
function countWrites(socket: Socket): () => number {
  let writes = 0;
  const s = socket as Socket & { _write: Socket['_write']; _writev?: Socket['_writev'] };
  const write = s._write.bind(s);
  const writev = s._writev!.bind(s);
  s._write = (...args) => {
    writes++;
    write(...args);
  };
  s._writev = (...args) => {
    writes++;
    writev(...args);
  };
  return () => writes;
}

describe('writeInTurn', () => {
  it('sends what several callbacks of one turn write in one socket write, in order', async () => {
    const { res, received, ended } = await openStream();
    const writes = countWrites(res.socket!);
    // Three I/O-like callbacks of the same turn, as three UPDATEs read from three connections.
    await new Promise<void>((resolve) => {
      setImmediate(() => writeInTurn(res, Buffer.from('a;')));
      setImmediate(() => writeInTurn(res, Buffer.from('b;')));
      setImmediate(() => {
        writeInTurn(res, Buffer.from('c;'));
        expect(writes()).toBe(0);
        resolve();
      });
    });
    // The next turn's check phase has flushed them.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes()).toBe(1);
    writeInTurn(res, Buffer.from('d;'));
    res.end();
    await ended;
    expect(received()).toBe('a;b;c;d;');
  });
});
