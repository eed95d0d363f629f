/**
 * stout durations, as a Mesos agent writes them into the executor's environment
 * (mesos-v1-protocol.md §7.1): `<number><unit>`, the number possibly fractional.
 */
import { InvalidArgumentError } from '@mesosgot/common';

/** Milliseconds per stout duration unit (stout `Duration::parse`). */
const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  ms: 1,
  secs: 1_000,
  mins: 60_000,
  hrs: 3_600_000,
  days: 86_400_000,
  weeks: 604_800_000,
};

const DURATION_PATTERN = /^([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(ns|us|ms|secs|mins|hrs|days|weeks)$/;

/**
 * Parses a stout duration (`15mins`, `2secs`, `1.5secs`, `250ms`) into milliseconds.
 * Throws InvalidArgumentError naming `field` on anything else (no unit, unknown unit,
 * negative or non-finite number), before any I/O.
 */
export function parseDuration(text: string, field = 'duration'): number {
  const match = DURATION_PATTERN.exec(text.trim());
  if (!match) {
    throw new InvalidArgumentError(
      field,
      text,
      'expected a stout duration: a number followed by one of ns, us, ms, secs, mins, hrs, days, weeks (e.g. "2secs")',
    );
  }
  const ms = Number(match[1]) * UNIT_MS[match[2]!]!;
  if (!Number.isFinite(ms)) throw new InvalidArgumentError(field, text, 'duration is too large');
  return ms;
}
