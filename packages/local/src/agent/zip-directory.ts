/**
 * Reading a zip archive's central directory (docs/protocol.md, "Archive limits"): the list of
 * members with their declared sizes, read before anything is unpacked so that the member count
 * and the declared total can be refused up front. Declared sizes can lie; the extractor caps
 * each member's inflated bytes at its declared size, which bounds the total by the sum checked
 * here.
 */
import type { FileHandle } from 'node:fs/promises';

/** One member as the central directory describes it. */
export interface ZipMember {
  /** The name as stored (`/`-separated; a trailing `/` marks a directory). */
  readonly name: string;
  readonly method: number;
  readonly encrypted: boolean;
  readonly compressedSize: number;
  readonly size: number;
  /** Offset of the member's local header. */
  readonly localHeaderOffset: number;
  /** Unix mode bits when the archive was made on Unix, else undefined. */
  readonly unixMode: number | undefined;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL_HEADER = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;
/** The end record is 22 bytes plus a comment of at most 65,535. */
const MAX_TAIL = 22 + 0xffff;
/** No central directory of an archive within the entry limit needs more than this. */
const MAX_DIRECTORY_BYTES = 64 * 1024 * 1024;

/**
 * Reads the central directory of the zip in `file`. Rejects (naming the limit) before reading
 * the directory itself when it lists more than `maxEntries` members, and on anything that is
 * not a single-disk zip.
 */
export async function readZipDirectory(file: FileHandle, maxEntries: number): Promise<ZipMember[]> {
  const { size: fileSize } = await file.stat();
  const tailLength = Math.min(fileSize, MAX_TAIL);
  const tail = await readAt(file, fileSize - tailLength, tailLength);
  let end = -1;
  for (let i = tail.length - 22; i >= 0; i -= 1) {
    if (tail.readUInt32LE(i) === EOCD) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new Error('not a zip archive (no end of central directory record)');
  if (tail.readUInt16LE(end + 4) !== 0 || tail.readUInt16LE(end + 6) !== 0) throw new Error('multi-disk zip archives are not supported');
  let count = tail.readUInt16LE(end + 10);
  let directorySize = tail.readUInt32LE(end + 12);
  let directoryOffset = tail.readUInt32LE(end + 16);
  if (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    const locator = end - 20;
    if (locator < 0 || tail.readUInt32LE(locator) !== ZIP64_LOCATOR) throw new Error('zip64 archive without its end record locator');
    const record = await readAt(file, safe(tail.readBigUInt64LE(locator + 8)), 56);
    if (record.readUInt32LE(0) !== ZIP64_EOCD) throw new Error('zip64 end of central directory record not found');
    count = safe(record.readBigUInt64LE(32));
    directorySize = safe(record.readBigUInt64LE(40));
    directoryOffset = safe(record.readBigUInt64LE(48));
  }
  if (count > maxEntries) throw new Error(`archive holds more than ${maxEntries} members (the agent's limit)`);
  if (directorySize > MAX_DIRECTORY_BYTES || directoryOffset + directorySize > fileSize) throw new Error('zip central directory is out of bounds');
  const directory = await readAt(file, directoryOffset, directorySize);
  const members: ZipMember[] = [];
  let offset = 0;
  for (let i = 0; i < count; i += 1) {
    if (offset + 46 > directory.length || directory.readUInt32LE(offset) !== CENTRAL_HEADER) throw new Error('zip central directory is corrupt');
    const madeOnUnix = directory[offset + 5] === 3;
    const flags = directory.readUInt16LE(offset + 8);
    const nameLength = directory.readUInt16LE(offset + 28);
    const extraLength = directory.readUInt16LE(offset + 30);
    const commentLength = directory.readUInt16LE(offset + 32);
    const nameStart = offset + 46;
    const extraStart = nameStart + nameLength;
    if (extraStart + extraLength + commentLength > directory.length) throw new Error('zip central directory is corrupt');
    const wide = zip64Fields(directory.subarray(extraStart, extraStart + extraLength));
    let size = directory.readUInt32LE(offset + 24);
    let compressedSize = directory.readUInt32LE(offset + 20);
    let localHeaderOffset = directory.readUInt32LE(offset + 42);
    // The zip64 extra field holds, in this order, only the values whose 32-bit field is all ones.
    if (size === 0xffffffff) size = wide.shift() ?? fail();
    if (compressedSize === 0xffffffff) compressedSize = wide.shift() ?? fail();
    if (localHeaderOffset === 0xffffffff) localHeaderOffset = wide.shift() ?? fail();
    const mode = directory.readUInt32LE(offset + 38) >>> 16;
    members.push({
      name: directory.toString(flags & 0x800 ? 'utf8' : 'latin1', nameStart, extraStart),
      method: directory.readUInt16LE(offset + 10),
      encrypted: (flags & 1) !== 0,
      compressedSize,
      size,
      localHeaderOffset,
      unixMode: madeOnUnix && mode !== 0 ? mode : undefined,
    });
    offset = extraStart + extraLength + commentLength;
  }
  return members;
}

/** Where a member's data starts: after its local header, whose name and extra field lengths may differ from the directory's. */
export async function memberDataOffset(file: FileHandle, member: ZipMember): Promise<number> {
  const header = await readAt(file, member.localHeaderOffset, 30);
  if (header.length < 30 || header.readUInt32LE(0) !== LOCAL_HEADER) throw new Error(`zip member '${member.name}' has no local header`);
  return member.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
}

function zip64Fields(extra: Buffer): number[] {
  for (let offset = 0; offset + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(offset);
    const length = extra.readUInt16LE(offset + 2);
    if (id === 0x0001) {
      const values: number[] = [];
      for (let i = offset + 4; i + 8 <= Math.min(offset + 4 + length, extra.length); i += 8) values.push(safe(extra.readBigUInt64LE(i)));
      return values;
    }
    offset += 4 + length;
  }
  return [];
}

function safe(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error('zip archive has a size or offset too large to represent');
  return Number(value);
}

function fail(): never {
  throw new Error('zip64 member without its zip64 sizes');
}

async function readAt(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await file.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}
