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
let used = 0;

/**
 * A copy of `source` that shares nothing with it: in a slab (the returned view does not fill
 * its ArrayBuffer) when it is at most SLAB_COPY_MAX_BYTES long, else in a buffer of its own.
 */
export function copyPayload(source: Uint8Array): Uint8Array {
  const length = source.length;
  if (length > SLAB_COPY_MAX_BYTES || length === 0) return new Uint8Array(source);
  if (used + length > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    used = 0;
  }
  const copy = new Uint8Array(slab, used, length);
  copy.set(source);
  // 8-byte aligned, so the next view can be read as wider typed arrays if a caller wants to.
  used = (used + length + 7) & ~7;
  return copy;
}
