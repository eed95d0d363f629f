import { afterEach, describe, expect, it } from '@jest/globals';
import { ProtocolError } from '@mesosgot/common';
import { getJson } from '@mesosgot/common/internal';
import { waitFor } from '@mesosgot/local/testing';
import { TestServer, type Handler } from './test-server.js';

const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

async function server(handler: Handler): Promise<TestServer> {
  const s = await new TestServer(handler).start();
  servers.push(s);
  return s;
}

const signal = () => AbortSignal.timeout(10_000);

describe('http/get-json getJson', () => {
  it('resolves with the parsed body of a 200, sending the given headers, and leaves no socket open', async () => {
    const s = await server((_, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":"é","offset":3}'));
    await expect(getJson(`${s.url}/files/read?path=x`, { signal: signal(), headers: { authorization: 'Basic x' } })).resolves.toEqual({ data: 'é', offset: 3 });
    expect(s.requests[0]).toMatchObject({ method: 'GET', url: '/files/read?path=x' });
    expect(s.requests[0]?.headers.authorization).toBe('Basic x');
    await waitFor(() => s.openSockets === 0, { what: 'the socket closed after the answer' });
  });

  it('resolves with undefined for any other status', async () => {
    const s = await server((_, res) => res.writeHead(404).end('no such file'));
    await expect(getJson(s.url, { signal: signal() })).resolves.toBeUndefined();
  });

  it.each([
    { n: 1, how: 'by Content-Length', write: (res: Parameters<Handler>[1]) => res.writeHead(200, { 'content-length': '100' }).end('x'.repeat(100)) },
    { n: 2, how: 'as it arrives (chunked)', write: (res: Parameters<Handler>[1]) => { res.writeHead(200); res.write('['.repeat(60)); res.end(']'.repeat(60)); } },
  ])('case $n: refuses a body longer than maxBytes, $how, with ProtocolError', async ({ write }) => {
    const s = await server((_, res) => write(res));
    await expect(getJson(s.url, { signal: signal(), maxBytes: 64 })).rejects.toBeInstanceOf(ProtocolError);
  });

  it('refuses a body that is not JSON with ProtocolError', async () => {
    const s = await server((_, res) => res.writeHead(200).end('<html>'));
    await expect(getJson(s.url, { signal: signal() })).rejects.toBeInstanceOf(ProtocolError);
  });

  it('rejects with signal.reason when aborted while waiting for the answer, and closes the socket', async () => {
    const s = await server(() => undefined); // never answers
    const controller = new AbortController();
    const pending = getJson(s.url, { signal: controller.signal });
    await waitFor(() => s.requests.length === 1);
    const reason = new Error('agent too slow');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await waitFor(() => s.openSockets === 0, { what: 'the socket closed after the abort' });
  });
});
