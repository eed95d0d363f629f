// The agent's fetcher: file:// and absolute paths, http(s), executable, archives via tar/unzip
// (child processes, hence a cluster test), output_file, and failures naming the URI.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ScriptedHttpServer } from '@mesosgot/local/testing';
import { fetchUris } from '../../src/agent/fetcher.js';

let root: string;
let source: string;
let sandbox: string;
let http: ScriptedHttpServer;
let base: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'mesosgot-fetch-'));
  source = join(root, 'src');
  mkdirSync(join(source, 'bundle', 'lib'), { recursive: true });
  writeFileSync(join(source, 'bundle', 'run.sh'), '#!/bin/sh\necho hi\n');
  writeFileSync(join(source, 'bundle', 'lib', 'data.txt'), 'payload');
  execFileSync('tar', ['-C', source, '-czf', join(source, 'bundle.tar.gz'), 'bundle']);
  writeFileSync(join(source, 'script.sh'), '#!/bin/sh\nexit 0\n');
  writeFileSync(join(source, 'notes.txt.gz'), gzipSync('gunzipped'));
  http = await ScriptedHttpServer.start((req, res) => {
    if (req.url === '/executor.js') res.writeHead(200).end('console.log("served")');
    else res.writeHead(404).end('no');
  });
  base = http.url;
});

afterAll(async () => {
  await http.close();
  rmSync(root, { recursive: true, force: true });
});

beforeEach(() => {
  sandbox = mkdtempSync(join(root, 'sandbox-'));
});

describe('fetchUris', () => {
  it('copies a file:// URI into the sandbox under its base name', async () => {
    const outcome = await fetchUris([{ value: `file://${join(source, 'script.sh')}`, extract: false }], sandbox);
    expect(outcome).toEqual({ kind: 'fetched', files: [join(sandbox, 'script.sh')] });
    expect(readFileSync(join(sandbox, 'script.sh'), 'utf8')).toContain('exit 0');
  });

  it('copies an absolute path and chmods it 0755 when executable', async () => {
    await fetchUris([{ value: join(source, 'script.sh'), executable: true }], sandbox);
    expect(statSync(join(sandbox, 'script.sh')).mode & 0o777).toBe(0o755);
  });

  it('extracts a .tar.gz into the sandbox (extract defaults to true) and keeps the archive', async () => {
    await fetchUris([{ value: `file://${join(source, 'bundle.tar.gz')}` }], sandbox);
    expect(readFileSync(join(sandbox, 'bundle', 'lib', 'data.txt'), 'utf8')).toBe('payload');
    expect(statSync(join(sandbox, 'bundle.tar.gz')).isFile()).toBe(true);
  });

  it('does not extract when extract is false', async () => {
    await fetchUris([{ value: `file://${join(source, 'bundle.tar.gz')}`, extract: false }], sandbox);
    expect(() => statSync(join(sandbox, 'bundle'))).toThrow();
  });

  it('gunzips a plain .gz', async () => {
    await fetchUris([{ value: join(source, 'notes.txt.gz') }], sandbox);
    expect(readFileSync(join(sandbox, 'notes.txt'), 'utf8')).toBe('gunzipped');
  });

  it('downloads http:// URIs and honours output_file', async () => {
    await fetchUris([{ value: `${base}/executor.js`, output_file: 'bin/exec.js' }], sandbox);
    expect(readFileSync(join(sandbox, 'bin', 'exec.js'), 'utf8')).toBe('console.log("served")');
  });

  // Numbered failure cases: each names the URI that failed.
  const failures: [string, () => string, RegExp][] = [
    ['1 missing file', () => `file://${join(source, 'absent.sh')}`, /ENOENT/],
    ['2 HTTP 404', () => `${base}/absent.js`, /HTTP 404/],
    ['3 unsupported scheme', () => 'hdfs://namenode/x.jar', /unsupported URI scheme/],
  ];
  it.each(failures)('%s fails naming the URI', async (_name, uri, reason) => {
    const outcome = await fetchUris([{ value: uri() }], sandbox);
    expect(outcome.kind).toBe('failed');
    if (outcome.kind !== 'failed') return;
    expect(outcome.uri).toBe(uri());
    expect(outcome.message).toContain(`Failed to fetch '${uri()}'`);
    expect(outcome.message).toMatch(reason);
  });

  it('refuses an output_file outside the sandbox', async () => {
    const outcome = await fetchUris([{ value: join(source, 'script.sh'), output_file: '../escape.sh' }], sandbox);
    expect(outcome).toMatchObject({ kind: 'failed', message: expect.stringContaining('not a relative path inside the sandbox') });
  });
});
