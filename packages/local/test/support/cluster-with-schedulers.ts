// A one-agent LocalCluster per test, and the HttpSchedulers a test subscribes, all stopped after it.
import { afterEach, beforeEach } from '@jest/globals';
import { LocalCluster } from '../../src/cluster.js';
import type { HttpScheduler } from './http-scheduler.js';

/** What a test reads: the running cluster, its master URL, and `track` for schedulers to close afterwards. */
export interface ClusterWithSchedulers {
  readonly cluster: LocalCluster;
  readonly url: string;
  track(scheduler: HttpScheduler): HttpScheduler;
}

/** Registers beforeEach/afterEach hooks: a fresh cluster (one agent, 50 ms allocations) before each test, everything closed after it. */
export function clusterWithSchedulers(): ClusterWithSchedulers {
  let cluster: LocalCluster | undefined;
  let url = '';
  const schedulers: HttpScheduler[] = [];
  beforeEach(async () => {
    cluster = new LocalCluster({ agents: 1, allocationIntervalMs: 50 });
    url = await cluster.start();
  });
  afterEach(async () => {
    for (const s of schedulers.splice(0)) await s.close();
    await cluster?.stop();
  });
  return {
    get cluster() {
      if (!cluster) throw new Error('the cluster starts in beforeEach');
      return cluster;
    },
    get url() {
      return url;
    },
    track(scheduler) {
      schedulers.push(scheduler);
      return scheduler;
    },
  };
}
