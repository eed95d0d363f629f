import { describe, it, expect } from '@jest/globals';
import { InvalidArgumentError } from '@mesosgot/common';
import { isZkUrl, parseZkUrl } from '@mesosgot/common/zookeeper';

describe('zk/zk-url', () => {
  const good: [number, string, ReturnType<typeof parseZkUrl>][] = [
    [1, 'zk://127.0.0.1:2181/mesos', { connectString: '127.0.0.1:2181', hosts: [{ host: '127.0.0.1', port: 2181 }], path: '/mesos' }],
    [2, 'zk://h1:2181,h2:2182/mesos/', { connectString: 'h1:2181,h2:2182', hosts: [{ host: 'h1', port: 2181 }, { host: 'h2', port: 2182 }], path: '/mesos' }],
    [3, 'ZK://zk-a/a/b', { connectString: 'zk-a:2181', hosts: [{ host: 'zk-a', port: 2181 }], path: '/a/b' }],
    [4, 'zk://u:p:w@h:1/m', { connectString: 'h:1', hosts: [{ host: 'h', port: 1 }], path: '/m', auth: { user: 'u', password: 'p:w' } }],
  ];
  it.each(good)('case %i parses %s', (_n, text, expected) => {
    expect(isZkUrl(text)).toBe(true);
    expect(parseZkUrl(text)).toEqual(expected);
  });

  const bad: [number, string, RegExp][] = [
    [1, 'http://h:5050', /starts with zk:\/\//],
    [2, 'zk://h:2181', /missing the znode path/],
    [3, 'zk:///mesos', /no ZooKeeper host/],
    [4, 'zk://h:99999/mesos', /bad ZooKeeper port/],
    [5, 'zk://h:2181//', /bad znode path/],
    [6, 'zk://user@h:2181/mesos', /user:password/],
    [7, 'zk://h 1:2181/mesos', /bad ZooKeeper host/],
  ];
  it.each(bad)('case %i rejects %s with a clear InvalidArgumentError', (_n, text, message) => {
    expect(() => parseZkUrl(text)).toThrow(InvalidArgumentError);
    expect(() => parseZkUrl(text)).toThrow(message);
  });

  it('never shows the password in an error', () => {
    expect(() => parseZkUrl('zk://alice:s3cret@h:bad/mesos')).toThrow(/\*\*\*@/);
    try {
      parseZkUrl('zk://alice:s3cret@h:bad/mesos');
    } catch (error) {
      expect(String((error as Error).message)).not.toContain('s3cret');
    }
  });
});
