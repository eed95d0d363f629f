// Archives built byte by byte for the fetcher's tests: tar streams whose member data is
// generated (so a bomb never exists uncompressed, on disk or in memory), and zips whose
// central directory may lie about sizes or point many members at one deflate stream.
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, deflateRawSync } from 'node:zlib';

/** One tar member: a regular file of `size` zero bytes unless `type` says otherwise. */
export interface TarMember {
  name: string;
  size: number;
  /** ustar typeflag: '0' file (default), '5' directory, '2' symlink. */
  type?: string;
}

/** A ustar header block for `member`, checksum included. */
export function tarHeader({ name, size, type = '0' }: TarMember): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, 100, 'utf8');
  header.write(type === '5' ? '0000755\0' : '0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  header.write('00000000000\0', 136);
  header.fill(0x20, 148, 156);
  header.write(type, 156);
  header.write('ustar\x0000', 257);
  const sum = header.reduce((total, byte) => total + byte, 0);
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return header;
}

/** The tar stream of `members` (zero-filled data, padded), then the end-of-archive blocks. */
export function* tarBlocks(members: readonly TarMember[]): Generator<Buffer> {
  const zeros = Buffer.alloc(64 * 1024);
  for (const member of members) {
    yield tarHeader(member);
    for (let left = Math.ceil(member.size / 512) * 512; left > 0; left -= zeros.length) yield zeros.subarray(0, Math.min(left, zeros.length));
  }
  yield Buffer.alloc(1024);
}

/** Writes the tar of `members` to `file`, compressed with gzip (zlib), bzip2 or xz (their CLIs), or not at all. */
export async function writeTar(file: string, members: readonly TarMember[], compression: 'none' | 'gzip' | 'bzip2' | 'xz'): Promise<void> {
  const source = Readable.from(tarBlocks(members));
  if (compression === 'none') return pipeline(source, createWriteStream(file));
  if (compression === 'gzip') return pipeline(source, createGzip(), createWriteStream(file));
  const child = spawn(compression, ['-c'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  await Promise.all([pipeline(source, child.stdin), pipeline(child.stdout, createWriteStream(file))]);
  if ((await exited) !== 0) throw new Error(`${compression} failed`);
}

/** One zip member. `declaredSize` overrides the size written in its headers (a lie when it differs). */
export interface ZipMemberSpec {
  name: string;
  data: Buffer;
  declaredSize?: number;
  /** Unix mode (with file type bits) recorded as made on Unix. */
  mode?: number;
}

/**
 * A deflated zip of `members`. With `shareData`, only the first member's data is stored and
 * every central directory entry points at it (the overlapping-member bomb; the other members'
 * `data` then only gives their declared size).
 */
export function zipArchive(members: readonly ZipMemberSpec[], { shareData = false } = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  let sharedOffset = 0;
  let shared: { compressed: Buffer; crc: number } | undefined;
  members.forEach((member) => {
    const name = Buffer.from(member.name, 'utf8');
    const size = member.declaredSize ?? member.data.length;
    const isShared = shareData && shared !== undefined;
    const { compressed, crc } = isShared && shared ? shared : { compressed: deflateRawSync(member.data), crc: crc32(member.data) };
    let localOffset = sharedOffset;
    if (!isShared) {
      shared = { compressed, crc };
      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(20, 4);
      local.writeUInt16LE(0x800, 6);
      local.writeUInt16LE(8, 8);
      local.writeUInt32LE(crc, 14);
      local.writeUInt32LE(compressed.length, 18);
      local.writeUInt32LE(size, 22);
      local.writeUInt16LE(name.length, 26);
      locals.push(local, name, compressed);
      localOffset = sharedOffset = offset;
      offset += local.length + name.length + compressed.length;
    }
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((member.mode ?? 0o100644) << 16) >>> 0, 38);
    central.writeUInt32LE(localOffset, 42);
    centrals.push(central, name);
  });
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(members.length, 8);
  end.writeUInt16LE(members.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * Builds an archive with a real tool: `make` fills a scratch directory under `root`, then
 * `command(out)` (run there) writes the archive to `out`, a fresh name under `root` ending in `name`.
 */
export function buildArchive(root: string, name: string, make: (dir: string) => void, command: (out: string) => [string, string[]]): string {
  const dir = mkdtempSync(join(root, 'src-'));
  make(dir);
  const file = join(root, `${Math.random().toString(36).slice(2)}-${name}`);
  const [cmd, args] = command(file);
  execFileSync(cmd, args, { cwd: dir, stdio: 'ignore' });
  return file;
}
