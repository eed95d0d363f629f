/**
 * Unpacking a fetched archive into the sandbox under the agent's limits (docs/protocol.md,
 * "Archive limits"). A small archive can expand without bound (a gzip of zeros, a zip whose
 * members all point at one deflate stream, a million empty members), so every format is
 * measured before or while it is written: tar streams are walked (TarHeaderWalker) before
 * GNU tar unpacks them, zip members are listed from the central directory and inflated here
 * with each member capped at its declared size, and a plain `.gz` is gunzipped under the byte
 * cap. An archive over a limit fails before anything beyond the limit is written.
 */
import { execFile, spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { chmod, open, rm, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PassThrough, pipeline as pipe, Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { createGunzip, createInflateRaw } from 'node:zlib';
import { confinedTarget, mkdirConfined, removeEscapingLinks, writeConfined } from './sandbox-confinement.js';
import { TarHeaderWalker, type ArchiveLimits } from './tar-header-walker.js';
import { memberDataOffset, readZipDirectory, type ZipMember } from './zip-directory.js';

const execFileAsync = promisify(execFile);

const TAR_SUFFIXES = ['.tar', '.tgz', '.tar.gz', '.tbz2', '.tar.bz2', '.txz', '.tar.xz'] as const;
/** A zip symlink's target is its member data; a path longer than this is not one. */
const MAX_LINK_BYTES = 4096;

/**
 * Unpacks `file` into `sandbox` when its name says it is an archive (the Mesos fetcher's
 * suffixes: tar in its compressions, `.zip`, a plain `.gz`); other files are left as they are.
 * Resolves once every member is in place; rejects with a message for the task's failure when
 * the archive holds more than `limits.maxEntries` members, expands to more than
 * `limits.maxBytes`, is malformed, or holds symlinks pointing out of the sandbox (removed
 * first). Rejects with `signal.reason` when aborted.
 */
export async function extractArchive(file: string, sandbox: string, limits: ArchiveLimits, signal: AbortSignal): Promise<void> {
  const lower = file.toLowerCase();
  if (TAR_SUFFIXES.some((suffix) => lower.endsWith(suffix))) {
    await walkTar(file, limits, signal);
    // The agent may be root: members get its ownership and umask, not the archive's (no setuid
    // files). GNU tar already drops `..` and absolute member names.
    await execFileAsync('tar', ['-C', sandbox, '--no-same-owner', '--no-same-permissions', '-xf', file], { signal });
  } else if (lower.endsWith('.zip')) {
    await extractZip(file, sandbox, limits, signal);
  } else if (lower.endsWith('.gz')) {
    const target = file.slice(0, -'.gz'.length);
    await writeConfined(sandbox, target, () => chain(createReadStream(file), createGunzip()), { maxBytes: limits.maxBytes, signal });
    return;
  } else {
    return;
  }
  // What extraction keeps are symlinks pointing out, which the next archive or `output_file`
  // would write through, so those are removed and fail the fetch.
  const escaping = await removeEscapingLinks(sandbox);
  if (escaping.length > 0) throw new Error(`archive holds symlinks that point outside the sandbox: ${escaping.join(', ')}`);
}

/**
 * Decompresses the tar the way GNU tar will (by its magic bytes, not its name) and walks its
 * headers. Rejects naming the limit as soon as the archive is over it.
 */
async function walkTar(file: string, limits: ArchiveLimits, signal: AbortSignal): Promise<void> {
  const walker = new TarHeaderWalker(limits);
  const magic = await readMagic(file);
  const tool = magic.subarray(0, 3).equals(Buffer.from('BZh')) ? 'bzip2'
    : magic.equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) ? 'xz'
    : undefined;
  if (tool === undefined) {
    const gzipped = magic[0] === 0x1f && magic[1] === 0x8b;
    await pipeline(gzipped ? [createReadStream(file), createGunzip(), walker] : [createReadStream(file), walker], { signal });
    return;
  }
  const child = spawn(tool, ['-dc', file], { signal, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr = (stderr + text).slice(-2048)));
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  child.once('error', () => undefined);
  try {
    await pipeline(child.stdout, walker, { signal });
  } finally {
    // The walker may stop early (a limit); the decompressor must not outlive it.
    child.kill('SIGKILL');
  }
  const code = await exited;
  if (code !== 0 && code !== null) throw new Error(`${tool} failed: ${stderr.trim()}`);
}

async function readMagic(file: string): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const magic = Buffer.alloc(6);
    const { bytesRead } = await handle.read(magic, 0, 6, 0);
    return magic.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * Unpacks a zip member by member. Names are confined like GNU tar's (leading `/` dropped,
 * members with `..` skipped); symlinks are made last, so no member is written through a link
 * the same archive planted.
 */
async function extractZip(file: string, sandbox: string, limits: ArchiveLimits, signal: AbortSignal): Promise<void> {
  const handle = await open(file, 'r');
  try {
    const members = await readZipDirectory(handle, limits.maxEntries);
    const declared = members.reduce((sum, member) => sum + member.size, 0);
    if (declared > limits.maxBytes) throw new Error(`archive expands to more than ${limits.maxBytes} bytes (the agent's limit)`);
    const links: { target: string; path: string }[] = [];
    for (const member of members) {
      signal.throwIfAborted();
      const name = memberName(member.name);
      if (name === undefined) continue;
      const path = confinedTarget(sandbox, name);
      if (member.name.endsWith('/')) {
        await mkdirConfined(sandbox, path);
        continue;
      }
      if (member.encrypted) throw new Error(`zip member '${member.name}' is encrypted`);
      if (member.method !== 0 && member.method !== 8) throw new Error(`zip member '${member.name}' uses compression method ${member.method} (the agent reads stored and deflated members)`);
      const start = await memberDataOffset(handle, member);
      const data = (): Readable => memberData(file, start, member);
      if (member.unixMode !== undefined && (member.unixMode & 0o170000) === 0o120000) {
        if (member.size > MAX_LINK_BYTES) throw new Error(`zip member '${member.name}' is a symlink with a ${member.size}-byte target`);
        const chunks: Buffer[] = [];
        await pipeline(data(), async (source: AsyncIterable<Buffer>) => {
          for await (const chunk of source) chunks.push(chunk);
        }, { signal });
        links.push({ target: Buffer.concat(chunks).toString('utf8'), path });
        continue;
      }
      await writeConfined(sandbox, path, data, { maxBytes: member.size, signal });
      // Permission bits only: no setuid/setgid/sticky from a framework's archive.
      if (member.unixMode !== undefined && (member.unixMode & 0o777) !== 0) await chmod(path, member.unixMode & 0o777);
    }
    for (const { target, path } of links) {
      await mkdirConfined(sandbox, dirname(path));
      await rm(path, { force: true });
      await symlink(target, path);
    }
  } finally {
    await handle.close();
  }
}

/** The sandbox-relative name of a member, or undefined when it must be skipped. */
function memberName(name: string): string | undefined {
  const parts = name.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.length === 0 || parts.includes('..')) return undefined;
  return parts.join('/');
}

/** The member's bytes, inflated when deflated, failing once more arrive than its header declares. */
function memberData(file: string, start: number, member: ZipMember): Readable {
  const raw = member.compressedSize === 0 ? Readable.from([]) : createReadStream(file, { start, end: start + member.compressedSize - 1 });
  let seen = 0;
  const cap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > member.size) done(new Error(`zip member '${member.name}' inflates to more than the ${member.size} bytes it declares`));
      else done(null, chunk);
    },
  });
  return member.method === 8 ? chain(raw, createInflateRaw(), cap) : chain(raw, cap);
}

/** One readable out of a chain of streams; an error anywhere in it destroys the result with that error. */
function chain(first: Readable, ...rest: Transform[]): Readable {
  const out = new PassThrough();
  pipe([first, ...rest, out], (error) => {
    if (error) out.destroy(error);
  });
  return out;
}
