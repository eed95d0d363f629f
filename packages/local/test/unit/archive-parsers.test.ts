// Property tests for the two archive parsers behind the fetcher's limits: the tar header walker
// must count what GNU tar sees however the stream is cut into chunks, and the zip directory
// reader must list what the archive holds.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { TarHeaderWalker } from '../../src/agent/tar-header-walker.js';
import { readZipDirectory } from '../../src/agent/zip-directory.js';
import { tarBlocks, zipArchive, type TarMember } from '../support/archive-builders.js';

let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'mesosgot-parsers-'));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

const member = fc.record({
  name: fc.stringMatching(/^[a-z]{1,12}$/),
  size: fc.nat({ max: 3000 }),
  type: fc.constantFrom('0', '5'),
}).map(({ name, size, type }): TarMember => ({ name: type === '5' ? `${name}.d` : name, size: type === '5' ? 0 : size, type }));

/** Cuts `bytes` at the given offsets (any order, out of range ones ignored). */
function cut(bytes: Buffer, offsets: number[]): Buffer[] {
  const points = [...new Set(offsets.filter((o) => o > 0 && o < bytes.length))].sort((a, b) => a - b);
  return [0, ...points].map((start, i) => bytes.subarray(start, points[i] ?? bytes.length));
}

describe('TarHeaderWalker', () => {
  it('counts every member and its bytes, in any chunking, as GNU tar lists them', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(member, { maxLength: 12 }), fc.array(fc.nat({ max: 40_000 }), { maxLength: 8 }), async (members, offsets) => {
        const bytes = Buffer.concat([...tarBlocks(members)]);
        const walker = new TarHeaderWalker({ maxEntries: Infinity, maxBytes: Infinity });
        await pipeline(Readable.from(cut(bytes, offsets)), walker);
        expect(walker.entries).toBe(members.length);
        expect(walker.bytes).toBe(members.reduce((sum, m) => sum + m.size, 0));
        const listed = execFileSync('tar', ['-tf', '-'], { input: bytes, encoding: 'utf8' }).split('\n').filter(Boolean);
        expect(listed).toHaveLength(walker.entries);
      }),
      { numRuns: 40 },
    );
  });

  it('fails exactly when a limit is exceeded, naming it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(member, { maxLength: 10 }), fc.nat({ max: 12 }), fc.nat({ max: 20_000 }), async (members, maxEntries, maxBytes) => {
        const total = members.reduce((sum, m) => sum + m.size, 0);
        const walking = pipeline(Readable.from([...tarBlocks(members)]), new TarHeaderWalker({ maxEntries, maxBytes }));
        if (members.length > maxEntries) await expect(walking).rejects.toThrow(/more than \d+ members|expands to more than/);
        else if (total > maxBytes) await expect(walking).rejects.toThrow(`archive expands to more than ${maxBytes} bytes`);
        else await expect(walking).resolves.toBeUndefined();
      }),
      { numRuns: 100 },
    );
  });

  it('refuses a stream that is not tar, or ends inside a member', async () => {
    const limits = { maxEntries: 10, maxBytes: 10_000 };
    await expect(pipeline(Readable.from([Buffer.alloc(512, 7)]), new TarHeaderWalker(limits))).rejects.toThrow('not a tar archive the agent can read');
    const truncated = Buffer.concat([...tarBlocks([{ name: 'a', size: 2000 }])]).subarray(0, 1024);
    await expect(pipeline(Readable.from([truncated]), new TarHeaderWalker(limits))).rejects.toThrow('truncated');
  });
});

describe('readZipDirectory', () => {
  it('lists every member with its name and declared size', async () => {
    const zipMember = fc.record({ name: fc.stringMatching(/^[a-z]{1,10}(\/[a-z]{1,10})?$/), size: fc.nat({ max: 5000 }), declared: fc.option(fc.nat({ max: 1e9 })) });
    await fc.assert(
      fc.asyncProperty(fc.array(zipMember, { maxLength: 10 }), async (specs) => {
        const file = join(root, 'p.zip');
        writeFileSync(file, zipArchive(specs.map((s) => ({ name: s.name, data: Buffer.alloc(s.size, 1), ...(s.declared !== null ? { declaredSize: s.declared } : {}) }))));
        const handle = await open(file, 'r');
        try {
          const listed = await readZipDirectory(handle, 100);
          expect(listed.map((m) => [m.name, m.size])).toEqual(specs.map((s) => [s.name, s.declared ?? s.size]));
        } finally {
          await handle.close();
        }
      }),
      { numRuns: 50 },
    );
  });

  it('refuses more members than the limit without reading them, and a file that is not a zip', async () => {
    const file = join(root, 'n.zip');
    writeFileSync(file, zipArchive(Array.from({ length: 5 }, (_, i) => ({ name: `f${i}`, data: Buffer.alloc(0) }))));
    const handle = await open(file, 'r');
    await expect(readZipDirectory(handle, 4)).rejects.toThrow('archive holds more than 4 members');
    await handle.close();
    writeFileSync(file, 'not a zip at all');
    const other = await open(file, 'r');
    await expect(readZipDirectory(other, 4)).rejects.toThrow('not a zip archive');
    await other.close();
  });
});
