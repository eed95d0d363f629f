/**
 * Durations as Mesos prints them (stout `Duration` stringify, mesos-v1-protocol.md §7.1): the
 * largest unit in which the value is at least 1, number without trailing zeros: `5secs`,
 * `1mins`, `250ms`, `1.5secs`. Executors parse these from MESOS_* variables, and agent
 * messages quote them ("Executor did not register within 1mins").
 */

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

/** `5000` → `"5secs"`; `0` → `"0ns"` (stout prints zero in its smallest unit). */
export function formatStoutDuration(ms: number): string {
  if (ms === 0) return '0ns';
  for (const unit of UNITS) {
    if (Math.abs(ms) >= unit.ms) return `${trim(ms / unit.ms)}${unit.suffix}`;
  }
  return `${trim(ms / 1e-6)}ns`;
}

/** Parses `15mins`, `2secs`, `1.5secs`, `250ms`; undefined when the text is not a stout duration. */
export function parseStoutDuration(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ns|us|ms|secs|mins|hrs|days|weeks)\s*$/.exec(text);
  if (!match) return undefined;
  const unit = UNITS.find((u) => u.suffix === match[2]);
  return unit ? Number(match[1]) * unit.ms : undefined;
}

/** DurationInfo nanoseconds (number or decimal string, §1) → milliseconds. */
export function durationInfoToMs(info: { nanoseconds: number | string } | undefined): number | undefined {
  if (!info) return undefined;
  const ns = Number(info.nanoseconds);
  return Number.isFinite(ns) && ns >= 0 ? ns / 1e6 : undefined;
}

function trim(value: number): string {
  // stout prints with the stream's default precision (6 significant digits).
  return String(Number(value.toPrecision(6)));
}
