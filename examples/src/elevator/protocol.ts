/**
 * The elevator example's typed protocol, imported by both scripts: one codec pair per task kind
 * (JSON here), so the compiler checks every message on both sides.
 * Floors → scheduler: `call`; scheduler → elevator: `assign`; elevator → scheduler:
 * `position`, `pickup`, `dropoff`, `trip`; scheduler → floor: `quota` (how many calls to make).
 */
import { defineProtocol, jsonCodec } from '@mesosgot/common';

export type ToFloor = { kind: 'quota'; calls: number; seed: number; floors: number };
export type FromFloor = { kind: 'call'; id: string; from: number; to: number };
export type ToElevator = { kind: 'assign'; id: string; from: number; to: number };
export type FromElevator =
  | { kind: 'position'; floor: number; moving: boolean }
  | { kind: 'pickup'; id: string; floor: number }
  | { kind: 'dropoff'; id: string; floor: number }
  | { kind: 'trip' };

export const elevatorProtocol = defineProtocol({
  elevator: { toTask: jsonCodec<ToElevator>(), fromTask: jsonCodec<FromElevator>() },
  floor: { toTask: jsonCodec<ToFloor>(), fromTask: jsonCodec<FromFloor>() },
});
export type ElevatorProtocol = typeof elevatorProtocol.kinds;

/** Milliseconds an elevator takes to move one floor (one tick). */
export const TICK_MS = 4;
