/** Deterministic passenger calls for one floor (a seeded xorshift, so runs are reproducible). */
export interface FloorCall {
  from: number;
  to: number;
  /** Ticks to wait before making this call. */
  delayTicks: number;
}

export function* floorCalls(floor: number, floors: number, count: number, seed: number): Generator<FloorCall> {
  if (floors < 2) throw new Error(`floor traffic: needs at least 2 floors, got ${floors}`);
  let state = (seed ^ (floor * 0x9e3779b1)) >>> 0 || 1;
  const next = (): number => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x100000000;
  };
  for (let i = 0; i < count; i++) {
    let to = Math.floor(next() * (floors - 1));
    if (to >= floor) to++;
    yield { from: floor, to, delayTicks: 1 + Math.floor(next() * 20) };
  }
}
