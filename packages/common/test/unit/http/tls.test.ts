import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from '@jest/globals';
import { MesosHttpClient } from '@mesosgot/common/internal';

const fixture = (name: string): Buffer => readFileSync(fileURLToPath(new URL(`../../fixtures/tls/${name}`, import.meta.url)));

describe('http/client over TLS', () => {
  let server: Server | undefined;
  let client: MesosHttpClient | undefined;

  afterEach(async () => {
    await client?.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
    server = undefined;
    client = undefined;
  });

  async function start(location?: string): Promise<string> {
    server = createServer({ key: fixture('key.pem'), cert: fixture('cert.pem') }, (_, res) => {
      if (location !== undefined) res.writeHead(307, { location, 'content-length': '0' }).end();
      else res.writeHead(202, { 'content-length': '0' }).end();
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    return `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('trusts the given CA for an https base URL', async () => {
    client = new MesosHttpClient({ baseUrl: await start(), ca: fixture('cert.pem').toString('utf8') });
    await expect(client.call('/api/v1/scheduler', { type: 'REVIVE' })).resolves.toMatchObject({ status: 202 });
  });

  it('never follows a 307 from an https master to http, so credentials never travel in clear', async () => {
    const seen: (string | undefined)[] = [];
    const plain = createHttpServer((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(202).end();
    });
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    try {
      const target = `http://127.0.0.1:${(plain.address() as AddressInfo).port}/api/v1/scheduler`;
      client = new MesosHttpClient({ baseUrl: await start(target), ca: fixture('cert.pem').toString('utf8'), principal: 'p', secret: 's' });
      await expect(client.call('/api/v1/scheduler', { type: 'REVIVE' })).rejects.toThrow(/would downgrade https to http/);
      expect(seen).toEqual([]);
    } finally {
      plain.closeAllConnections();
      await new Promise((resolve) => plain.close(resolve));
    }
  });

  it('refuses a server whose certificate the CA does not sign', async () => {
    client = new MesosHttpClient({ baseUrl: await start() });
    await expect(client.call('/api/v1/scheduler', { type: 'REVIVE' })).rejects.toThrow(/self-signed|certificate/i);
  });
});
