// Unsigned LEB128 of a safe integer, written out independently of the link-frame codec, for the
// tests that build frames byte by byte.
export function varintBytes(value: number): number[] {
  const out: number[] = [];
  while (value >= 0x80) {
    out.push((value % 0x80) | 0x80);
    value = Math.floor(value / 0x80);
  }
  out.push(value);
  return out;
}
