import { isZkUrl } from '@mesosgot/common/zookeeper';
import type { MasterDetector } from './master-detector.js';
import { StaticMasterDetector } from './static-master-detector.js';
import { ZooKeeperMasterDetector, type ZooKeeperMasterDetectorOptions } from './zk-master-detector.js';

/**
 * The detector for a `--master` value: `zk://…` ⇒ ZooKeeper leader detection; one or several
 * `http(s)://host:port` / `host:port` ⇒ a static list; a MasterDetector is used as given.
 * Throws InvalidArgumentError (before any I/O) for a malformed value.
 */
export function createMasterDetector(
  master: string | readonly string[] | MasterDetector,
  zkOptions: ZooKeeperMasterDetectorOptions = {},
): MasterDetector {
  if (typeof master === 'object' && !Array.isArray(master) && 'nextMaster' in master) return master;
  const text = typeof master === 'string' ? master : undefined;
  if (text !== undefined && isZkUrl(text)) return new ZooKeeperMasterDetector(text, zkOptions);
  return new StaticMasterDetector(master as string | readonly string[]);
}
