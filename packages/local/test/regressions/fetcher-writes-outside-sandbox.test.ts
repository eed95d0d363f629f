// Regression: the fetcher percent-decoded a URI's last path segment, so
// `http://…/x/..%2F..%2Ftmp%2FPWNED.txt` was written outside the sandbox (as root). Every shape
// a framework controls must stay inside: the URI's name, output_file, archive members (`..`,
// absolute names, symlinks pointing out) and a symlink already in the sandbox.
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ScriptedHttpServer } from '@mesosgot/local/testing';
import { fetchUris } from '../../src/agent/fetcher.js';
import { buildArchive } from '../support/archive-builders.js';

let root: string;
let outside: string;
let sandbox: string;
let http: ScriptedHttpServer;
let base: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'mesosgot-confine-'));
  http = await ScriptedHttpServer.start((req, res) => res.writeHead(200).end(`served ${req.url ?? ''}`));
  base = http.url;
});

afterAll(async () => {
  await http.close();
  rmSync(root, { recursive: true, force: true });
});

beforeEach(() => {
  const run = mkdtempSync(join(root, 'run-'));
  outside = join(run, 'outside');
  sandbox = join(run, 'a', 'b', 'sandbox');
  mkdirSync(outside, { recursive: true });
  mkdirSync(sandbox, { recursive: true });
});

const archive = (name: string, make: (dir: string) => void, command: (out: string) => [string, string[]]): string => buildArchive(root, name, make, command);

describe('fetcher confinement', () => {
  it('keeps a %2F-laden URI name as one literal file inside the sandbox', async () => {
    const climb = '..%2F'.repeat(12);
    const uri = `${base}/x/${climb}${encodeURIComponent(outside.slice(1))}%2FPWNED.txt`;
    const outcome = await fetchUris([{ value: uri, extract: false }], sandbox);
    expect(existsSync(join(outside, 'PWNED.txt'))).toBe(false);
    expect(outcome.kind).toBe('fetched');
    if (outcome.kind !== 'fetched') return;
    expect(outcome.files[0]!.startsWith(`${sandbox}/`)).toBe(true);
    expect(readFileSync(outcome.files[0]!, 'utf8')).toContain('served');
  });

  // Numbered output_file shapes that climb out: each fails naming the URI, nothing is written.
  const escapes: [string, () => string][] = [
    ['1 relative climb', () => '../../../outside/PWNED.txt'],
    ['2 climb after a directory', () => 'bin/../../../../outside/PWNED.txt'],
    ['3 absolute path', () => join(outside, 'PWNED.txt')],
    ['4 the sandbox itself', () => '.'],
  ];
  it.each(escapes)('%s in output_file is refused', async (_name, outputFile) => {
    const outcome = await fetchUris([{ value: `${base}/e.js`, output_file: outputFile() }], sandbox);
    expect(outcome).toMatchObject({ kind: 'failed', message: expect.stringContaining('not a relative path inside the sandbox') });
    expect(existsSync(join(outside, 'PWNED.txt'))).toBe(false);
  });

  it('drops tar members named with .. or an absolute path', async () => {
    writeFileSync(join(outside, 'UP.txt'), 'untouched');
    const file = archive('climb.tar', (dir) => {
      mkdirSync(join(dir, 'd'));
      writeFileSync(join(dir, 'd', 'ok.txt'), 'ok');
    }, (out) => ['tar', ['-P', '-cf', out, 'd/ok.txt', `d/../../../../../../../../../../../..${join(outside, 'UP.txt')}`]]);
    const absolute = archive('abs.tar', () => undefined, (out) => ['tar', ['-P', '-cf', out, join(outside, 'UP.txt')]]);
    await fetchUris([{ value: file }], sandbox);
    await fetchUris([{ value: absolute }], sandbox);
    expect(readFileSync(join(outside, 'UP.txt'), 'utf8')).toBe('untouched');
    expect(readFileSync(join(sandbox, 'd', 'ok.txt'), 'utf8')).toBe('ok');
  });

  it('fails a tar that holds a symlink pointing out, removes it, and a later archive cannot write through it', async () => {
    const linking = archive('link.tar', (dir) => symlinkSync(outside, join(dir, 'ln')), (out) => ['tar', ['-cf', out, 'ln']]);
    const through = archive('through.tar', (dir) => {
      mkdirSync(join(dir, 'ln'));
      writeFileSync(join(dir, 'ln', 'PWNED.txt'), 'x');
    }, (out) => ['tar', ['-cf', out, 'ln/PWNED.txt']]);
    const first = await fetchUris([{ value: linking }], sandbox);
    expect(first).toMatchObject({ kind: 'failed', message: expect.stringContaining('symlinks that point outside the sandbox: ln') });
    expect(existsSync(join(sandbox, 'ln'))).toBe(false);
    await fetchUris([{ value: through }], sandbox);
    expect(existsSync(join(outside, 'PWNED.txt'))).toBe(false);
  });

  it('fails a tar whose symlink climbs out through another symlink', async () => {
    const file = archive('chain.tar', (dir) => {
      mkdirSync(join(dir, 'sub'));
      symlinkSync('..', join(dir, 'sub', 'up'));
      symlinkSync('up/../..', join(dir, 'sub', 'a'));
    }, (out) => ['tar', ['-cf', out, 'sub']]);
    const outcome = await fetchUris([{ value: file }], sandbox);
    expect(outcome).toMatchObject({ kind: 'failed', message: expect.stringContaining('sub/a') });
    expect(lstatSync(join(sandbox, 'sub', 'up')).isSymbolicLink()).toBe(true);
  });

  it('fails a zip that holds a symlink pointing out', async () => {
    const file = archive('link.zip', (dir) => symlinkSync(outside, join(dir, 'zl')), (out) => ['zip', ['-q', '--symlinks', out, 'zl']]);
    const outcome = await fetchUris([{ value: file }], sandbox);
    expect(outcome).toMatchObject({ kind: 'failed', message: expect.stringContaining('point outside the sandbox: zl') });
    expect(existsSync(join(sandbox, 'zl'))).toBe(false);
  });

  it('refuses an output_file whose directory is a symlink out of the sandbox', async () => {
    symlinkSync(outside, join(sandbox, 'bin'));
    const outcome = await fetchUris([{ value: `${base}/e.js`, output_file: 'bin/PWNED.txt' }], sandbox);
    expect(outcome).toMatchObject({ kind: 'failed', message: expect.stringContaining('outside the sandbox') });
    expect(existsSync(join(outside, 'PWNED.txt'))).toBe(false);
  });

  it('replaces a symlink at the target instead of writing through it', async () => {
    writeFileSync(join(outside, 'victim.txt'), 'untouched');
    symlinkSync(join(outside, 'victim.txt'), join(sandbox, 'e.js'));
    const outcome = await fetchUris([{ value: `${base}/e.js` }], sandbox);
    expect(outcome.kind).toBe('fetched');
    expect(readFileSync(join(outside, 'victim.txt'), 'utf8')).toBe('untouched');
    expect(lstatSync(join(sandbox, 'e.js')).isFile()).toBe(true);
    expect(readFileSync(join(sandbox, 'e.js'), 'utf8')).toBe('served /e.js');
  });
});
