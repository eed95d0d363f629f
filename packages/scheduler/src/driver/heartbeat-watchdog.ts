/**
 * Declares a subscription dead after a silence (docs/protocol.md, "Heartbeats"): the master sends
 * HEARTBEAT every `heartbeat_interval_seconds` (15 s), so no event of any kind for `factor`
 * intervals (default 5, i.e. 75 s) means the path to the master is broken even if the socket
 * looks open (a stalled proxy, a partition without RST).
 */

/** Intervals of silence before the connection counts as lost (docs/protocol.md, "Heartbeats" suggests ~5). */
export const DEFAULT_HEARTBEAT_TIMEOUT_FACTOR = 5;

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
    const timeoutMs = intervalSeconds * factor * 1000;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.onSilence(timeoutMs);
    }, timeoutMs);
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
