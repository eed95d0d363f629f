/**
 * Copies of small received payloads, carved from shared slabs. A decoded message must not pin
 * its whole frame (up to the frame's byte limit) for as long as the application keeps it, so
 * its bytes are copied out; but a fresh ArrayBuffer per 100-byte message cost more than all
 * the rest of decoding it. Payloads up to SLAB_COPY_MAX_BYTES are therefore copied into the
 * current slab, as Node's Buffer pool does: a kept message pins at most one slab. Neighbouring
 * payloads of a frame are copied together, one span at a time (copySpan).
 */

/** Bytes of one slab: the longest span copySpan takes. */
export const SLAB_BYTES = 8 * 1024;
/** Largest payload copied into a slab; larger ones get a buffer of their own. */
export const SLAB_COPY_MAX_BYTES = 1024;

let slab = new ArrayBuffer(SLAB_BYTES);
let slabBytes = new Uint8Array(slab);
let used = 0;

/**
 * A copy, in the current slab (a new one when it does not fit), of `source[from … to)`, which is
 * at most SLAB_BYTES long and was range-checked by the caller. The copy shares nothing with
 * `source`; views of the payloads inside it are the caller's to make.
 */
export function copySpan(source: Uint8Array, from: number, to: number): Uint8Array {
  const length = to - from;
  if (used + length > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabBytes = new Uint8Array(slab);
    used = 0;
  }
  // A plain view as the copy's source: a Buffer's subarray costs more than the copy itself.
  slabBytes.set(new Uint8Array(source.buffer, source.byteOffset + from, length), used);
  const copy = new Uint8Array(slab, used, length);
  // 8-byte aligned, so the next span can be read as wider typed arrays if a caller wants to.
  used = (used + length + 7) & ~7;
  return copy;
}
