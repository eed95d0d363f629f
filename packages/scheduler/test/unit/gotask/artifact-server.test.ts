import { describe, it, expect, afterEach, beforeAll, afterAll } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from '@mesosgot/common';
import { ArtifactServer } from '../../../src/internal.js';

let dir: string;
let server: ArtifactServer | undefined;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'artifact-'));
  await writeFile(join(dir, 'executor.js'), 'console.log("executor");\n');
  await writeFile(join(dir, 'secret.txt'), 'do not serve\n');
});
afterAll(async () => rm(dir, { recursive: true, force: true }));
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

/** Raw GET with the path exactly as given (no URL normalisation by a client library). */
function get(base: string, path: string, method = 'GET', agent: Agent | false = false): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('ArtifactServer', () => {
  it('serves a configured file by its URL name with Content-Length', async () => {
    server = new ArtifactServer({ files: { 'executor.js': join(dir, 'executor.js') } });
    const base = await server.start();
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.urlOf('executor.js')).toBe(`${base}/executor.js`);
    const r = await get(base, '/executor.js');
    expect(r.status).toBe(200);
    expect(r.body).toBe('console.log("executor");\n');
    expect(r.headers['content-length']).toBe(String(r.body.length));
    expect((await get(base, '/executor.js?cache=1')).status).toBe(200);
    const head = await get(base, '/executor.js', 'HEAD');
    expect([head.status, head.body]).toEqual([200, '']);
  });

  const PATHS: [number, string][] = [
    [1, '/'],
    [2, '/secret.txt'],
    [3, '/../secret.txt'],
    [4, '/%2e%2e/secret.txt'],
    [5, '/%2E%2E%2Fsecret.txt'],
    [6, `/${join(dir ?? '/tmp', 'secret.txt')}`],
    [7, '//etc/passwd'],
    [8, '/executor.js/'],
    [9, '/./executor.js'],
    [10, '/executor%2ejs'],
    [11, '/sub/executor.js'],
    [12, '/..%2fsecret.txt'],
  ];
  it.each(PATHS)('case %i: %s is a 404', async (_n, path) => {
    server = new ArtifactServer({ files: { 'executor.js': join(dir, 'executor.js') } });
    const base = await server.start();
    const r = await get(base, path.replace('undefined', '/tmp'));
    expect(r.status).toBe(404);
    expect(r.body).not.toContain('do not serve');
  });

  it('answers 405 to other methods and 404 (without the path) for a configured file that is missing', async () => {
    server = new ArtifactServer({ files: { 'gone.js': join(dir, 'missing.js') } });
    const base = await server.start();
    expect((await get(base, '/gone.js', 'POST')).status).toBe(405);
    const r = await get(base, '/gone.js');
    expect(r.status).toBe(404);
    expect(r.body).not.toContain(dir);
  });

  it('refuses unsafe URL names and bad ports synchronously', () => {
    expect(() => new ArtifactServer({ files: { '../x': '/x' } })).toThrow(InvalidArgumentError);
    expect(() => new ArtifactServer({ files: { 'a/b': '/x' } })).toThrow(InvalidArgumentError);
    expect(() => new ArtifactServer({ files: { '..': '/x' } })).toThrow(InvalidArgumentError);
    expect(() => new ArtifactServer({ files: {}, port: 70000 })).toThrow(InvalidArgumentError);
    expect(ArtifactServer.nameFor('/a/b/app executor.mjs')).toBe('app_executor.mjs');
  });

  it('stop() closes open keep-alive connections and frees the port', async () => {
    server = new ArtifactServer({ files: { 'executor.js': join(dir, 'executor.js') } });
    const base = await server.start();
    const keepAlive = new Agent({ keepAlive: true });
    try {
      await get(base, '/executor.js', 'GET', keepAlive);
      // stop() must not wait for the idle keep-alive socket to time out.
      await server.stop();
      await expect(get(base, '/executor.js')).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      keepAlive.destroy();
    }
    server = undefined;
  });
});
