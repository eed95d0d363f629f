/**
 * Declares a subscription dead after a silence (docs/protocol.md, "Heartbeats"): the master sends
 * HEARTBEAT every `heartbeat_interval_seconds` (15 s), so no event of any kind for `factor`
 * intervals (default 5, i.e. 75 s) means the path to the master is broken even if the socket
 * looks open (a stalled proxy, a partition without RST).
 */

/** Intervals of silence before the connection counts as lost (docs/protocol.md, "Heartbeats" suggests ~5). */
export const DEFAULT_HEARTBEAT_TIMEOUT_FACTOR = 5;

/**
 * The range a master's `heartbeat_interval_seconds` is clamped to. The value comes from the
 * master: 1e7 s would overflow Node's timer (it then fires after 1 ms, so every subscription
 * would be dropped at once), and a tiny one would drop healthy subscriptions. Mesos' default is 15 s.
 */
export const MIN_HEARTBEAT_INTERVAL_SECONDS = 0.01;
export const MAX_HEARTBEAT_INTERVAL_SECONDS = 3_600;

/** Longest delay setTimeout honours (2^31 − 1 ms); longer ones fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class HeartbeatWatchdog {
  /** The armed timer; undefined while stopped. Written by start/stop only. */
  #timer: NodeJS.Timeout | undefined;

  /** `onSilence` runs once per arming, when the deadline passes without `kick()`. */
  constructor(private readonly onSilence: (silentForMs: number) => void) {}

  /**
   * Arms (or re-arms) the watchdog for a subscription whose heartbeat interval is
   * `intervalSeconds`. An undefined interval (master sends no heartbeats) leaves it disarmed.
   */
  start(intervalSeconds: number | undefined, factor = DEFAULT_HEARTBEAT_TIMEOUT_FACTOR): void {
    this.stop();
    if (intervalSeconds === undefined || !(intervalSeconds > 0) || !(factor > 0)) return;
    this.arm(HeartbeatWatchdog.timeoutMs(intervalSeconds, factor));
  }

  /**
   * Arms (or re-arms) the watchdog for `timeoutMs` of silence, clamped to what a timer can
   * hold; used on its own as the deadline for a subscription's first event.
   */
  arm(timeoutMs: number): void {
    this.stop();
    const ms = Math.min(MAX_TIMER_MS, Math.max(1, timeoutMs));
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.onSilence(ms);
    }, ms);
  }

  /** The clamped silence after which a subscription announcing `intervalSeconds` counts as lost. */
  static timeoutMs(intervalSeconds: number, factor = DEFAULT_HEARTBEAT_TIMEOUT_FACTOR): number {
    const interval = Math.min(MAX_HEARTBEAT_INTERVAL_SECONDS, Math.max(MIN_HEARTBEAT_INTERVAL_SECONDS, intervalSeconds));
    return Math.min(MAX_TIMER_MS, interval * factor * 1000);
  }

  /** Any event arrived: push the deadline back. Cheap (Timeout.refresh reuses the timer). */
  kick(): void {
    this.#timer?.refresh();
  }

  get isArmed(): boolean {
    return this.#timer !== undefined;
  }

  /** Disarms; no callback after this returns. */
  stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
