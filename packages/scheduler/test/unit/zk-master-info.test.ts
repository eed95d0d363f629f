import { describe, it, expect } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { MasterDetectionError } from '@mesosgot/common';
import { masterUrlFromInfo } from '../../src/driver/zk-master-detector.js';
import { createMasterDetector } from '../../src/driver/create-master-detector.js';
import { StaticMasterDetector } from '../../src/driver/static-master-detector.js';
import { ZooKeeperMasterDetector } from '../../src/driver/zk-master-detector.js';

const layout = JSON.parse(
  readFileSync(new URL('../../../local/test/fixtures/real-mesos/zk-ha-layout.json', import.meta.url), 'utf8'),
) as { json_info_nodes: Record<string, unknown> };

describe('driver/zk-master-detector masterUrlFromInfo', () => {
  it('reads the address of every MasterInfo a real 1.12 master wrote to ZooKeeper', () => {
    const urls = Object.entries(layout.json_info_nodes).map(([name, info]) =>
      masterUrlFromInfo(Buffer.from(JSON.stringify(info)), `/mesos/${name}`),
    );
    expect(urls).toEqual(['http://127.0.0.1:5062', 'http://127.0.0.1:5060', 'http://127.0.0.1:5061']);
  });

  it('falls back to the packed ip and port when address is absent', () => {
    expect(masterUrlFromInfo(Buffer.from('{"id":"x","ip":16777343,"port":5055}'), '/m/json.info_1')).toBe('http://127.0.0.1:5055');
  });

  it.each([
    [1, 'not json', /does not hold MasterInfo JSON/],
    [2, '42', /does not hold a MasterInfo object/],
    [3, '{"id":"x"}', /no usable address/],
    [4, '{"address":{"ip":"1.2.3.4","port":70000}}', /no usable address/],
  ])('case %i: garbage in a json.info node is a MasterDetectionError naming the node', (_n, data, message) => {
    expect(() => masterUrlFromInfo(Buffer.from(data), '/mesos/json.info_0000000003')).toThrow(MasterDetectionError);
    expect(() => masterUrlFromInfo(Buffer.from(data), '/mesos/json.info_0000000003')).toThrow(/json\.info_0000000003/);
    expect(() => masterUrlFromInfo(Buffer.from(data), '/mesos/json.info_0000000003')).toThrow(message);
  });
});

describe('driver/create-master-detector', () => {
  it('picks ZooKeeper for zk:// and a static list otherwise', () => {
    expect(createMasterDetector('zk://127.0.0.1:2181/mesos')).toBeInstanceOf(ZooKeeperMasterDetector);
    expect(createMasterDetector('127.0.0.1:5050,127.0.0.1:5051')).toBeInstanceOf(StaticMasterDetector);
  });
  it('rejects a malformed zk URL before any I/O', () => {
    expect(() => createMasterDetector('zk://h:2181')).toThrow(/znode path/);
  });
});
