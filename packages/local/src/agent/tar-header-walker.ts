/**
 * Counting a tar stream's members before GNU tar unpacks it (docs/protocol.md, "Archive
 * limits"). Tar sizes are honest (a member's data is exactly the size its header declares,
 * so walking the headers and skipping the data sees every member tar will see), which makes
 * a dry walk over the decompressed stream enough to refuse an archive bomb before a single
 * byte is written.
 */
import { Writable } from 'node:stream';

/** What one archive may hold. */
export interface ArchiveLimits {
  /** Members (files, directories, links) the archive may hold. */
  readonly maxEntries: number;
  /** Bytes its members may expand to, summed. */
  readonly maxBytes: number;
}

const BLOCK = 512;
/** Extended headers (pax, GNU long names) are read into memory; anything larger is not a name. */
const MAX_META_BYTES = 1024 * 1024;
const META_TYPES = new Set(['x', 'g', 'L', 'K']);
/** Types that never carry data; a size on them would make tar and this walker disagree. */
const NO_DATA_TYPES = new Set(['1', '2', '3', '4', '5', '6']);

/**
 * A writable that walks tar headers (ustar, GNU and pax) and fails, naming the limit, as soon
 * as the members counted so far exceed `limits`: a member counts its logical size (a sparse
 * member's expanded size), an extended header its own bytes. Also fails on a header whose
 * checksum is wrong (not a tar stream, or a stream this walker would lose its place in) and on
 * a stream that ends inside a member. After the end-of-archive block it ignores the rest, as tar
 * does. `entries` and `bytes` hold the counts once it finishes.
 */
export class TarHeaderWalker extends Writable {
  entries = 0;
  bytes = 0;
  readonly #limits: ArchiveLimits;
  #header = Buffer.alloc(BLOCK);
  #headerFill = 0;
  /** Data bytes (with padding) still to skip before the next header. */
  #skip = 0;
  /** Old-GNU sparse headers are followed by extension blocks while byte 504 is set. */
  #sparseExtension = false;
  #meta: { type: string; chunks: Buffer[]; length: number; size: number } | undefined;
  /** pax `size`/sparse sizes that apply to the next member only. */
  #next: { size?: number; realSize?: number } = {};
  #ended = false;

  constructor(limits: ArchiveLimits) {
    super();
    this.#limits = limits;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    try {
      this.#consume(chunk);
      done();
    } catch (error) {
      done(error as Error);
    }
  }

  override _final(done: (error?: Error | null) => void): void {
    if (this.#ended) done();
    else if (this.#skip > 0 || this.#headerFill > 0 || this.#sparseExtension) done(new Error('archive ends inside a member (truncated tar stream)'));
    // No end-of-archive block: tar accepts that with a warning, so this does too.
    else done();
  }

  #consume(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length && !this.#ended) {
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, chunk.length - offset);
        this.#collectMeta(chunk.subarray(offset, offset + n));
        this.#skip -= n;
        offset += n;
        if (this.#skip === 0) this.#finishMeta();
        continue;
      }
      const take = Math.min(BLOCK - this.#headerFill, chunk.length - offset);
      chunk.copy(this.#header, this.#headerFill, offset, offset + take);
      this.#headerFill += take;
      offset += take;
      if (this.#headerFill === BLOCK) {
        this.#headerFill = 0;
        this.#block(this.#header);
      }
    }
  }

  #block(block: Buffer): void {
    if (this.#sparseExtension) {
      this.#sparseExtension = block[504] !== 0;
      return;
    }
    if (block.every((byte) => byte === 0)) {
      this.#ended = true;
      return;
    }
    if (!checksumMatches(block)) throw new Error(`not a tar archive the agent can read (bad header checksum after ${this.entries} members)`);
    const type = String.fromCharCode(block[156]!);
    const isMeta = META_TYPES.has(type);
    const size = (isMeta ? undefined : this.#next.size) ?? numeric(block, 124, 12);
    if (isMeta) {
      if (size > MAX_META_BYTES) throw new Error(`archive has an extended header of ${size} bytes (more than ${MAX_META_BYTES})`);
      this.#meta = { type, chunks: [], length: 0, size };
      this.#count(0, size);
    } else {
      if (NO_DATA_TYPES.has(type) && size !== 0) throw new Error(`archive member of type '${type}' declares ${size} data bytes (links and directories carry none)`);
      const logical = this.#next.realSize ?? (type === 'S' ? numeric(block, 483, 12) : size);
      this.#next = {};
      this.#sparseExtension = type === 'S' && block[482] !== 0;
      this.#count(1, Math.max(logical, size));
    }
    this.#skip = Math.ceil(size / BLOCK) * BLOCK;
    if (this.#skip === 0) this.#finishMeta();
  }

  #count(entries: number, bytes: number): void {
    this.entries += entries;
    this.bytes += bytes;
    if (this.entries > this.#limits.maxEntries) throw new Error(`archive holds more than ${this.#limits.maxEntries} members (the agent's limit)`);
    if (this.bytes > this.#limits.maxBytes) throw new Error(`archive expands to more than ${this.#limits.maxBytes} bytes (the agent's limit)`);
  }

  #collectMeta(data: Buffer): void {
    const meta = this.#meta;
    if (meta === undefined || meta.length >= meta.size) return;
    const part = data.subarray(0, meta.size - meta.length);
    meta.chunks.push(Buffer.from(part));
    meta.length += part.length;
  }

  #finishMeta(): void {
    const meta = this.#meta;
    this.#meta = undefined;
    // Only a per-member pax header ('x') changes how the next member is sized.
    if (meta?.type !== 'x') return;
    const records = parsePax(Buffer.concat(meta.chunks));
    const size = records.get('size');
    const realSize = records.get('GNU.sparse.realsize') ?? records.get('GNU.sparse.size');
    this.#next = {
      ...(size !== undefined ? { size: decimal(size, 'size') } : {}),
      ...(realSize !== undefined ? { realSize: decimal(realSize, 'sparse size') } : {}),
    };
  }
}

/** The header checksum: the bytes summed as unsigned, the checksum field counted as spaces. */
function checksumMatches(block: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i += 1) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  return numeric(block, 148, 8) === sum;
}

/** A numeric header field: octal text, or GNU's base-256 when the top bit of the first byte is set. */
function numeric(block: Buffer, start: number, length: number): number {
  const first = block[start]!;
  if (first & 0x80) {
    if (first === 0xff) throw new Error('archive has a negative size field');
    let value = first & 0x7f;
    for (let i = start + 1; i < start + length; i += 1) value = value * 256 + block[i]!;
    if (!Number.isSafeInteger(value)) throw new Error('archive has a size field too large to represent');
    return value;
  }
  const text = block.toString('latin1', start, start + length).replace(/[\0 ]+$/, '').trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new Error('not a tar archive the agent can read (a numeric header field is not octal)');
  return parseInt(text, 8);
}

function decimal(text: string, what: string): number {
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw new Error(`archive has an invalid pax ${what} '${text}'`);
  return Number(text);
}

/** pax records are `<length> <key>=<value>\n`, the length counting the whole record. */
function parsePax(bytes: Buffer): Map<string, string> {
  const records = new Map<string, string>();
  let offset = 0;
  while (offset < bytes.length) {
    const space = bytes.indexOf(0x20, offset);
    const length = space > offset ? Number(bytes.toString('latin1', offset, space)) : NaN;
    if (!Number.isSafeInteger(length) || length <= space - offset || offset + length > bytes.length) break;
    const record = bytes.toString('utf8', space + 1, offset + length - 1);
    const equals = record.indexOf('=');
    if (equals > 0) records.set(record.slice(0, equals), record.slice(equals + 1));
    offset += length;
  }
  return records;
}
