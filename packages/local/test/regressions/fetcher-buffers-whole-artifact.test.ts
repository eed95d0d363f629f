// Regression: the fetcher read a whole artifact into memory (arrayBuffer()), so a 600 MB URI
// took the cluster to 1.9 GB RSS and an endless one would take it down; nothing bounded the
// time either. Artifacts now stream to disk under a size cap and a deadline, and each breach
// fails the fetch with a message naming the limit.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ScriptedHttpServer } from '@mesosgot/local/testing';
import { fetchUris } from '../../src/agent/fetcher.js';

const CAP = 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 0x61);

let root: string;
let sandbox: string;
let http: ScriptedHttpServer;
let base: string;
/** Bytes the endless route wrote, to show the fetch stopped reading near the cap. */
let endlessSent = 0;

/** Writes CHUNKs while the client reads, until it goes away (or 64 MiB as a safety bound). */
function endless(res: ServerResponse): void {
  res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
  const pump = (): void => {
    while (!res.destroyed && endlessSent < 64 * CAP) {
      endlessSent += CHUNK.length;
      if (!res.write(CHUNK)) return void res.once('drain', pump);
    }
    res.end();
  };
  pump();
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'mesosgot-fetch-cap-'));
  http = await ScriptedHttpServer.start((req, res) => {
    if (req.url === '/endless.bin') return endless(res);
    if (req.url === '/declared.bin') return void res.writeHead(200, { 'Content-Length': String(2 * CAP) }).end(Buffer.alloc(2 * CAP));
    if (req.url === '/small.bin') return void res.writeHead(200).end(Buffer.alloc(CAP));
    // Headers, then silence: only the deadline ends this one.
    if (req.url === '/silent.bin') return void res.writeHead(200, { 'Content-Length': '10' }).flushHeaders();
    res.writeHead(404).end();
  });
  base = http.url;
});

afterAll(async () => {
  await http.close();
  rmSync(root, { recursive: true, force: true });
});

beforeEach(() => {
  sandbox = mkdtempSync(join(root, 'sandbox-'));
  endlessSent = 0;
});

describe('fetcher limits', () => {
  it('fails an endless http body at the size cap and leaves no partial file', async () => {
    const outcome = await fetchUris([{ value: `${base}/endless.bin` }], sandbox, { limits: { maxArtifactBytes: CAP } });
    expect(outcome).toMatchObject({ kind: 'failed', message: expect.stringContaining(`larger than the agent's limit of ${CAP} bytes`) });
    expect(readdirSync(sandbox)).toEqual([]);
    expect(endlessSent).toBeLessThan(32 * CAP);
  });

  it('fails at once when Content-Length announces more than the cap', async () => {
    const outcome = await fetchUris([{ value: `${base}/declared.bin` }], sandbox, { limits: { maxArtifactBytes: CAP } });
    expect(outcome).toMatchObject({ kind: 'failed', message: expect.stringContaining(`Content-Length ${2 * CAP}`) });
  });

  it('accepts an artifact of exactly the cap', async () => {
    const outcome = await fetchUris([{ value: `${base}/small.bin` }], sandbox, { limits: { maxArtifactBytes: CAP } });
    expect(outcome).toEqual({ kind: 'fetched', files: [join(sandbox, 'small.bin')] });
  });

  it('fails an endless file:// source (/dev/zero) at the size cap', async () => {
    const outcome = await fetchUris([{ value: 'file:///dev/zero', output_file: 'zero' }], sandbox, { limits: { maxArtifactBytes: CAP } });
    expect(outcome).toMatchObject({ kind: 'failed', message: expect.stringContaining('larger than the agent') });
    expect(existsSync(join(sandbox, 'zero'))).toBe(false);
  });

  it('fails a URI that stops sending once its deadline passes, naming the limit', async () => {
    const outcome = await fetchUris([{ value: `${base}/silent.bin` }], sandbox, { limits: { timeoutMs: 300 } });
    expect(outcome).toMatchObject({ kind: 'failed', message: expect.stringContaining('timed out after 300 ms') });
    expect(readdirSync(sandbox)).toEqual([]);
  });
});
