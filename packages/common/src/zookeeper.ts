// @mesosgot/common/zookeeper: the ZooKeeper session and zk:// URLs that the scheduler's master
// detector and the local cluster's HA masters share. A subpath of its own so that nothing else
// (an executor, its bundle) loads node-zookeeper-client; only the packages that import this
// subpath depend on that client.
export * from './zk/zk-url.js';
export * from './zk/zk-session.js';
