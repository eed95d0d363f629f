// Regression: the fetcher capped the downloaded file but not what an archive expands to, so a
// few kilobytes of tar.gz or zip could fill the disk (one member of zeros, a zip whose members
// all point at one deflate stream or lie about their sizes, or a million empty members). Each
// shape must fail the task naming the limit, with nothing beyond the limit written: the
// sandbox holds the archive and at most what fitted.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { fetchUris, type FetchLimits } from '../../src/agent/fetcher.js';
import { tarBlocks, tarHeader, writeTar, zipArchive, type TarMember } from '../support/archive-builders.js';

const MiB = 1024 * 1024;
const LIMITS: FetchLimits = { maxExtractedBytes: 4 * MiB, maxArchiveEntries: 1000 };

let root: string;
let sandbox: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'mesosgot-bombs-'));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

beforeEach(() => {
  sandbox = mkdtempSync(join(root, 'sandbox-'));
});

/** Every path in the sandbox, relative, sorted. */
function sandboxContents(): string[] {
  return (readdirSync(sandbox, { recursive: true }) as string[]).sort();
}

async function tarFile(name: string, members: TarMember[], compression: 'none' | 'gzip' | 'bzip2' | 'xz'): Promise<string> {
  const file = join(root, name);
  await writeTar(file, members, compression);
  return file;
}

describe('archive bombs', () => {
  const compressions: ['gzip' | 'bzip2' | 'xz', string][] = [['gzip', 'bomb.tar.gz'], ['bzip2', 'bomb.tar.bz2'], ['xz', 'bomb.txz']];
  it.each(compressions)('refuses a %s tar of one huge member before extracting anything', async (compression, name) => {
    const file = await tarFile(name, [{ name: 'small.txt', size: 10 }, { name: 'zeros.bin', size: 16 * MiB }], compression);
    expect(statSync(file).size).toBeLessThan(MiB);
    const outcome = await fetchUris([{ value: file }], sandbox, { limits: LIMITS });
    expect(outcome).toMatchObject({ kind: 'failed', uri: file, message: expect.stringContaining(`archive expands to more than ${4 * MiB} bytes`) });
    expect(sandboxContents()).toEqual([name]);
  });

  it('refuses a tar of more members than the limit before extracting anything', async () => {
    const members = Array.from({ length: 1500 }, (_, i) => ({ name: `f${i}`, size: 0 }));
    const file = await tarFile('many.tar.gz', members, 'gzip');
    const outcome = await fetchUris([{ value: file }], sandbox, { limits: LIMITS });
    expect(outcome).toMatchObject({ kind: 'failed', message: expect.stringContaining('archive holds more than 1000 members') });
    expect(sandboxContents()).toEqual(['many.tar.gz']);
  });

  it('counts the size a pax header gives, not the ustar field', async () => {
    // A pax header announcing a 64 MiB member whose ustar field says 0: tar honours the pax size.
    const record = (key: string, value: string): string => {
      const body = ` ${key}=${value}\n`;
      let length = body.length + 1;
      while (`${length}${body}`.length !== length) length += 1;
      return `${length}${body}`;
    };
    const pax = Buffer.from(record('size', String(64 * MiB)));
    const file = join(root, 'pax.tar');
    const blocks = [tarHeader({ name: 'PaxHeader', size: pax.length, type: 'x' }), Buffer.concat([pax, Buffer.alloc(512 - pax.length)]), ...tarBlocks([{ name: 'zeros.bin', size: 0 }])];
    writeFileSync(file, Buffer.concat(blocks));
    const outcome = await fetchUris([{ value: file }], sandbox, { limits: LIMITS });
    expect(outcome).toMatchObject({ kind: 'failed', message: expect.stringContaining('archive expands to more than') });
  });

  it('extracts a tar within both limits', async () => {
    const file = await tarFile('fits.tar.gz', [{ name: 'd', size: 0, type: '5' }, { name: 'd/a.bin', size: 3 * MiB }, { name: 'b.bin', size: 1000 }], 'gzip');
    const outcome = await fetchUris([{ value: file }], sandbox, { limits: LIMITS });
    expect(outcome.kind).toBe('fetched');
    expect(statSync(join(sandbox, 'd', 'a.bin')).size).toBe(3 * MiB);
    expect(statSync(join(sandbox, 'b.bin')).size).toBe(1000);
  });

  it('refuses a zip whose members declare more than the limit before extracting anything', async () => {
    const file = join(root, 'big.zip');
    writeFileSync(file, zipArchive([{ name: 'a.txt', data: Buffer.from('a') }, { name: 'zeros.bin', data: Buffer.alloc(16 * MiB) }]));
    expect(statSync(file).size).toBeLessThan(MiB);
    const outcome = await fetchUris([{ value: file }], sandbox, { limits: LIMITS });
    expect(outcome).toMatchObject({ kind: 'failed', message: expect.stringContaining(`archive expands to more than ${4 * MiB} bytes`) });
    expect(sandboxContents()).toEqual(['big.zip']);
  });

  it('refuses a zip whose members all point at one deflate stream', async () => {
    const file = join(root, 'overlap.zip');
    const members = Array.from({ length: 64 }, (_, i) => ({ name: `m${i}.bin`, data: Buffer.alloc(MiB) }));
    writeFileSync(file, zipArchive(members, { shareData: true }));
    expect(statSync(file).size).toBeLessThan(64 * 1024);
    const outcome = await fetchUris([{ value: file }], sandbox, { limits: LIMITS });
    expect(outcome).toMatchObject({ kind: 'failed', message: expect.stringContaining('archive expands to more than') });
    expect(sandboxContents()).toEqual(['overlap.zip']);
  });

  it('stops a zip member that inflates past the size it declares, leaving no partial file', async () => {
    const file = join(root, 'liar.zip');
    writeFileSync(file, zipArchive([{ name: 'ok.txt', data: Buffer.from('fine') }, { name: 'zeros.bin', data: Buffer.alloc(16 * MiB), declaredSize: 1000 }]));
    const outcome = await fetchUris([{ value: file }], sandbox, { limits: LIMITS });
    expect(outcome).toMatchObject({ kind: 'failed', message: expect.stringContaining("zip member 'zeros.bin' inflates to more than the 1000 bytes it declares") });
    expect(sandboxContents()).toEqual(['liar.zip', 'ok.txt']);
  });

  it('refuses a zip of more members than the limit before extracting anything', async () => {
    const file = join(root, 'many.zip');
    writeFileSync(file, zipArchive(Array.from({ length: 1500 }, (_, i) => ({ name: `f${i}`, data: Buffer.alloc(0) }))));
    const outcome = await fetchUris([{ value: file }], sandbox, { limits: LIMITS });
    expect(outcome).toMatchObject({ kind: 'failed', message: expect.stringContaining('archive holds more than 1000 members') });
    expect(sandboxContents()).toEqual(['many.zip']);
  });

  it('extracts a zip within both limits, keeping Unix permission bits', async () => {
    const file = join(root, 'fits.zip');
    writeFileSync(file, zipArchive([{ name: 'bin/run.sh', data: Buffer.from('#!/bin/sh\n'), mode: 0o104755 }, { name: 'data.bin', data: Buffer.alloc(3 * MiB) }]));
    const outcome = await fetchUris([{ value: file }], sandbox, { limits: LIMITS });
    expect(outcome.kind).toBe('fetched');
    expect(readFileSync(join(sandbox, 'bin', 'run.sh'), 'utf8')).toBe('#!/bin/sh\n');
    // 0755 kept, setuid dropped.
    expect(statSync(join(sandbox, 'bin', 'run.sh')).mode & 0o7777).toBe(0o755);
    expect(statSync(join(sandbox, 'data.bin')).size).toBe(3 * MiB);
  });

  it('stops gunzipping a plain .gz at the limit, leaving no partial file', async () => {
    const file = join(root, 'zeros.bin.gz');
    writeFileSync(file, gzipSync(Buffer.alloc(16 * MiB)));
    const outcome = await fetchUris([{ value: file }], sandbox, { limits: LIMITS });
    expect(outcome).toMatchObject({ kind: 'failed', message: expect.stringContaining(`limit of ${4 * MiB} bytes`) });
    expect(sandboxContents()).toEqual(['zeros.bin.gz']);
  });
});
