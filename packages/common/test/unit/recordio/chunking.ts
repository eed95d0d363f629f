import fc from 'fast-check';

/** The chunkings every decoder case runs under (docs/design.md, "Tests"). */
export type Chunking = 'whole' | 'bytewise' | 'halves';
export const CHUNKINGS: readonly Chunking[] = ['whole', 'bytewise', 'halves'];

export function chunk(bytes: Buffer, how: Chunking): Buffer[] {
  switch (how) {
    case 'whole':
      return [bytes];
    case 'bytewise':
      return Array.from(bytes, (_, i) => bytes.subarray(i, i + 1));
    case 'halves': {
      const mid = Math.floor(bytes.length / 2);
      return [bytes.subarray(0, mid), bytes.subarray(mid)];
    }
  }
}

/** Splits `bytes` at the given cut points (any order, duplicates give empty chunks). */
export function cutAt(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [...cuts].map((c) => c % (bytes.length + 1)).sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const p of points) {
    chunks.push(bytes.subarray(from, p));
    from = p;
  }
  chunks.push(bytes.subarray(from));
  return chunks;
}

/** Arbitrary cut points for fast-check chunking. */
export const cutsArb = fc.array(fc.nat(), { maxLength: 24 });

export async function* asyncChunks(chunks: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const c of chunks) yield c;
}
