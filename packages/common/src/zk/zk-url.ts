import { InvalidArgumentError } from '../errors.js';

/** A parsed `zk://[user:pass@]host:port[,host:port...]/path` (docs/protocol.md, "Master detection"). */
export interface ZkUrl {
  /** `host:port,host:port` as ZooKeeper clients take it. */
  connectString: string;
  hosts: { host: string; port: number }[];
  /** The znode under which masters register, e.g. `/mesos`. Never ends with `/`. */
  path: string;
  /** `user:pass` for ZooKeeper digest auth, when given. */
  auth?: { user: string; password: string };
}

const DEFAULT_ZK_PORT = 2181;

/** True when the text names a ZooKeeper master (case-insensitive `zk://` prefix). */
export function isZkUrl(text: string): boolean {
  return /^zk:\/\//i.test(text.trim());
}

/**
 * Parses a zk:// master URL. Throws InvalidArgumentError naming what is wrong: a missing
 * host list, a bad port, a missing or malformed path, an auth part without a colon.
 * The password never appears in the error.
 */
export function parseZkUrl(text: string): ZkUrl {
  const trimmed = text.trim();
  const shown = trimmed.replace(/\/\/[^@/]*@/, '//***@');
  if (!isZkUrl(trimmed)) throw new InvalidArgumentError('master', shown, 'a ZooKeeper URL starts with zk://');
  const rest = trimmed.slice('zk://'.length);
  const slash = rest.indexOf('/');
  if (slash < 0) throw new InvalidArgumentError('master', shown, 'missing the znode path (zk://host:2181/mesos)');
  let authority = rest.slice(0, slash);
  const path = rest.slice(slash).replace(/\/+$/, '');
  if (path === '' || !/^(\/[^/\s\0]+)+$/.test(path)) {
    throw new InvalidArgumentError('master', shown, `bad znode path "${rest.slice(slash)}"`);
  }
  let auth: ZkUrl['auth'];
  const at = authority.lastIndexOf('@');
  if (at >= 0) {
    const credentials = authority.slice(0, at);
    authority = authority.slice(at + 1);
    const colon = credentials.indexOf(':');
    if (colon <= 0) throw new InvalidArgumentError('master', shown, 'credentials must be user:password');
    auth = { user: credentials.slice(0, colon), password: credentials.slice(colon + 1) };
  }
  if (authority === '') throw new InvalidArgumentError('master', shown, 'no ZooKeeper host given');
  const hosts = authority.split(',').map((entry) => {
    const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d+))?$/.exec(entry.trim());
    if (!match) throw new InvalidArgumentError('master', shown, `bad ZooKeeper host "${entry}"`);
    const port = match[2] === undefined ? DEFAULT_ZK_PORT : Number(match[2]);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new InvalidArgumentError('master', shown, `bad ZooKeeper port in "${entry}"`);
    }
    return { host: match[1]!, port };
  });
  const connectString = hosts.map((h) => `${h.host}:${h.port}`).join(',');
  return auth ? { connectString, hosts, path, auth } : { connectString, hosts, path };
}
