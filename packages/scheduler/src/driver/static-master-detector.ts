import { InvalidArgumentError } from '@mesosgot/common/internal';
import type { MasterDetector } from './master-detector.js';

const DEFAULT_MASTER_PORT = 5050;

/**
 * Parses a `master` option: a URL string, a comma-separated list, or an array of
 * `http(s)://host:port` or `host:port` (port defaults to 5050). Returns base URLs without a path.
 * Throws InvalidArgumentError (before any I/O) for an empty list, an unknown scheme, or `zk://`
 * (which needs a ZooKeeper detector passed as `master` instead).
 */
export function parseMasters(master: string | readonly string[]): string[] {
  const entries = (typeof master === 'string' ? master.split(',') : [...master]).map((m) => String(m).trim()).filter((m) => m !== '');
  if (entries.length === 0) throw new InvalidArgumentError('master', master, 'expected at least one master address');
  return entries.map((entry) => {
    if (/^zk:\/\//i.test(entry)) {
      throw new InvalidArgumentError('master', entry, 'zk:// needs a ZooKeeper MasterDetector; pass one as `master`');
    }
    const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(entry) ? entry : `http://${entry}`;
    let url: URL;
    try {
      url = new URL(withScheme);
    } catch (cause) {
      throw new InvalidArgumentError('master', entry, `not a URL or host:port (${(cause as Error).message})`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new InvalidArgumentError('master', entry, 'expected http://, https:// or host:port');
    }
    const port = url.port === '' ? (/:\d+$/.test(url.host) ? '' : String(DEFAULT_MASTER_PORT)) : url.port;
    return `${url.protocol}//${url.hostname}:${port}`;
  });
}

/**
 * A fixed list of masters tried in turn: each nextMaster() after the first moves to the next entry,
 * wrapping around. Which one leads does not matter: a non-leader answers 307 to the leader (docs/protocol.md, "Scheduler endpoint answers"),
 * which the HTTP client follows.
 */
export class StaticMasterDetector implements MasterDetector {
  readonly masters: readonly string[];
  /** Index of the entry the next nextMaster() returns. */
  #next = 0;

  constructor(master: string | readonly string[]) {
    this.masters = parseMasters(master);
  }

  /** Resolves at once with the next entry; rejects only with `signal.reason`. */
  async nextMaster(options: { signal?: AbortSignal } = {}): Promise<string> {
    options.signal?.throwIfAborted();
    const url = this.masters[this.#next % this.masters.length]!;
    this.#next = (this.#next + 1) % this.masters.length;
    return url;
  }
}
