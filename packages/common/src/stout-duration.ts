/**
 * Durations as Mesos writes them (stout `Duration`, docs/protocol.md, "Executor environment"): `<number><unit>`,
 * the number possibly fractional, unit one of ns us ms secs mins hrs days weeks. Agents put them
 * in executors' MESOS_* variables and quote them in messages ("did not register within 1mins").
 */
import { InvalidArgumentError } from './errors.js';

/** Largest unit first, as stout picks the unit it prints in. */
const UNITS: readonly { suffix: string; ms: number }[] = [
  { suffix: 'weeks', ms: 7 * 24 * 3_600_000 },
  { suffix: 'days', ms: 24 * 3_600_000 },
  { suffix: 'hrs', ms: 3_600_000 },
  { suffix: 'mins', ms: 60_000 },
  { suffix: 'secs', ms: 1_000 },
  { suffix: 'ms', ms: 1 },
  { suffix: 'us', ms: 1e-3 },
  { suffix: 'ns', ms: 1e-6 },
];

const DURATION_PATTERN = /^([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(ns|us|ms|secs|mins|hrs|days|weeks)$/;

/**
 * Parses `15mins`, `2secs`, `1.5secs`, `250ms` into milliseconds. Throws InvalidArgumentError
 * naming `field` on anything else (no unit, unknown unit, negative or non-finite number).
 */
export function parseStoutDuration(text: string, field = 'duration'): number {
  const match = DURATION_PATTERN.exec(text.trim());
  if (!match) {
    throw new InvalidArgumentError(
      field,
      text,
      'expected a stout duration: a number followed by one of ns, us, ms, secs, mins, hrs, days, weeks (e.g. "2secs")',
    );
  }
  const ms = Number(match[1]) * UNITS.find((u) => u.suffix === match[2])!.ms;
  if (!Number.isFinite(ms)) throw new InvalidArgumentError(field, text, 'duration is too large');
  return ms;
}

/** `5000` → `"5secs"`; `0` → `"0ns"` (stout prints zero in its smallest unit). */
export function formatStoutDuration(ms: number): string {
  if (ms === 0) return '0ns';
  for (const unit of UNITS) {
    if (Math.abs(ms) >= unit.ms) return `${trimDigits(ms / unit.ms)}${unit.suffix}`;
  }
  return `${trimDigits(ms / 1e-6)}ns`;
}

/** DurationInfo nanoseconds (number or decimal string, docs/protocol.md, "JSON encoding") → milliseconds; undefined if absent or bad. */
export function durationInfoToMs(info: { nanoseconds: number | string } | undefined): number | undefined {
  if (!info) return undefined;
  const ns = Number(info.nanoseconds);
  return Number.isFinite(ns) && ns >= 0 ? ns / 1e6 : undefined;
}

function trimDigits(value: number): string {
  // stout prints with the stream's default precision (6 significant digits).
  return String(Number(value.toPrecision(6)));
}
