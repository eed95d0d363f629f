/**
 * Where the driver asks "which master should I subscribe to?" (docs/protocol.md, "Master detection"). The
 * driver only knows this interface: a fixed list (StaticMasterDetector) and ZooKeeper detection
 * (added later, `zk://`) both plug in here, and 307 redirects are followed below it by the client.
 */
export interface MasterDetector {
  /**
   * Resolves with the base URL (`http(s)://host:port`) of the master to try for the next
   * SUBSCRIBE. Called once per attempt; after a failed attempt a list detector moves on to the
   * next entry. Rejects with MasterDetectionError when no master can be named yet (the driver
   * retries with backoff) and with `signal.reason` on abort.
   */
  nextMaster(options?: { signal?: AbortSignal }): Promise<string>;
  /**
   * Optional push side: yields a master URL each time the leader changes (ZooKeeper watches).
   * When it yields a URL other than the one subscribed to, the driver drops that subscription and
   * re-subscribes. Ends when `signal` aborts.
   */
  leaderChanges?(options?: { signal?: AbortSignal }): AsyncIterable<string>;
  /** Releases sessions and timers; the driver calls it from stop()/abort(). */
  close?(): Promise<void>;
}
