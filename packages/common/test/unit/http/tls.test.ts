import { readFileSync } from 'node:fs';
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

  async function start(): Promise<string> {
    server = createServer({ key: fixture('key.pem'), cert: fixture('cert.pem') }, (_, res) => {
      res.writeHead(202, { 'content-length': '0' }).end();
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    return `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('trusts the given CA for an https base URL', async () => {
    client = new MesosHttpClient({ baseUrl: await start(), ca: fixture('cert.pem').toString('utf8') });
    await expect(client.call('/api/v1/scheduler', { type: 'REVIVE' })).resolves.toMatchObject({ status: 202 });
  });

  it('refuses a server whose certificate the CA does not sign', async () => {
    client = new MesosHttpClient({ baseUrl: await start() });
    await expect(client.call('/api/v1/scheduler', { type: 'REVIVE' })).rejects.toThrow(/self-signed|certificate/i);
  });
});
