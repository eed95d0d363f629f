/**
 * Copies of small received payloads, carved from shared slabs. A decoded message must not pin
 * its whole frame (up to the frame's byte limit) for as long as the application keeps it, so
 * its bytes are copied out; but a fresh ArrayBuffer per 100-byte message cost more than all
 * the rest of decoding it. Payloads up to SLAB_COPY_MAX_BYTES are therefore copied into the
 * current slab, as Node's Buffer pool does: a kept message pins at most one slab.
 */

/** Bytes of one slab. */
export const SLAB_BYTES = 8 * 1024;
/** Largest payload copied into a slab; larger ones get a buffer of their own. */
export const SLAB_COPY_MAX_BYTES = 1024;

let slab = new ArrayBuffer(SLAB_BYTES);
let slabBytes = new Uint8Array(slab);
let used = 0;

/**
 * A copy of `length` bytes of `source` from `start` that shares nothing with it: in a slab (the
 * returned view does not fill its ArrayBuffer) when it is at most SLAB_COPY_MAX_BYTES long,
 * else in a buffer of its own. The caller has checked the range.
 */
export function copyPayload(source: Uint8Array, start: number, length: number): Uint8Array {
  // A plain view for the copy's source: a Buffer's subarray costs more than the copy itself.
  const from = new Uint8Array(source.buffer, source.byteOffset + start, length);
  if (length > SLAB_COPY_MAX_BYTES || length === 0) return new Uint8Array(from);
  if (used + length > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabBytes = new Uint8Array(slab);
    used = 0;
  }
  slabBytes.set(from, used);
  const copy = new Uint8Array(slab, used, length);
  // 8-byte aligned, so the next view can be read as wider typed arrays if a caller wants to.
  used = (used + length + 7) & ~7;
  return copy;
}
