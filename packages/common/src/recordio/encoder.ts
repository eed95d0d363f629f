/**
 * Frames one payload as a RecordIO record: decimal byte length, LF, payload
 * (docs/protocol.md, "RecordIO"). A string is measured in UTF-8 bytes, not UTF-16
 * code units, so `encodeRecord('é')` is `2\\né`.
 */
export function encodeRecord(payload: Uint8Array | string): Buffer {
  const length = typeof payload === 'string' ? Buffer.byteLength(payload, 'utf8') : payload.byteLength;
  const header = `${length}\n`;
  // Header digits and LF are ASCII: one byte per character.
  const out = Buffer.allocUnsafe(header.length + length);
  out.write(header, 0, 'latin1');
  if (typeof payload === 'string') out.write(payload, header.length, 'utf8');
  else out.set(payload, header.length);
  return out;
}
