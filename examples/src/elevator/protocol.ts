/**
 * Messages of the elevator example, as JSON text in TaskMsg.data.
 * Floors → scheduler: `call`; scheduler → elevator: `assign`; elevator → scheduler:
 * `position`, `pickup`, `dropoff`; scheduler → floor: `quota` (how many calls to make).
 */
export type ElevatorMsg =
  | { kind: 'quota'; calls: number; seed: number; floors: number }
  | { kind: 'call'; id: string; from: number; to: number }
  | { kind: 'assign'; id: string; from: number; to: number }
  | { kind: 'position'; floor: number; moving: boolean }
  | { kind: 'pickup'; id: string; floor: number }
  | { kind: 'dropoff'; id: string; floor: number }
  | { kind: 'trip' };

export function encodeMsg(msg: ElevatorMsg): string {
  return JSON.stringify(msg);
}

export function decodeMsg(data: Uint8Array | string): ElevatorMsg {
  const text = typeof data === 'string' ? data : Buffer.from(data).toString('utf8');
  const msg = JSON.parse(text) as ElevatorMsg;
  if (typeof msg !== 'object' || msg === null || typeof msg.kind !== 'string') {
    throw new Error(`elevator: not an elevator message: ${text.slice(0, 80)}`);
  }
  return msg;
}

/** Milliseconds an elevator takes to move one floor (one tick). */
export const TICK_MS = 4;
