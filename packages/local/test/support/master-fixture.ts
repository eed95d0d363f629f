/** Starts a LocalMaster with fake agents for master tests; `stop()` releases everything. */
import { LocalMaster, type LocalMasterOptions } from '../../src/master/master.js';
import { FakeAgent } from './fake-agent.js';
import { HttpScheduler } from './http-scheduler.js';

export interface MasterFixture {
  master: LocalMaster;
  url: string;
  agents: FakeAgent[];
  schedulers: HttpScheduler[];
  /** Subscribes a scheduler (tracked for cleanup). */
  subscribe(info?: Partial<import('@mesosgot/common').FrameworkInfo>, headers?: Record<string, string>): Promise<HttpScheduler>;
  stop(): Promise<void>;
}

export const FRAMEWORK = { user: 'tester', name: 'master-test', failover_timeout: 60, roles: ['*'], capabilities: [{ type: 'MULTI_ROLE' as const }] };

export async function startMaster(options: LocalMasterOptions = {}, agentCount = 1, resources?: string): Promise<MasterFixture> {
  const master = new LocalMaster({ heartbeatIntervalSeconds: 15, allocationIntervalMs: 20, ...options });
  const url = await master.start();
  const agents: FakeAgent[] = [];
  for (let i = 0; i < agentCount; i++) {
    const agent = new FakeAgent(master.link, master.agentId(i), resources);
    agents.push(agent);
    master.link.agentRegistered(agent);
  }
  const schedulers: HttpScheduler[] = [];
  return {
    master,
    url,
    agents,
    schedulers,
    async subscribe(info = {}, headers = {}) {
      const s = await HttpScheduler.subscribe(url, { ...FRAMEWORK, ...info }, headers);
      schedulers.push(s);
      return s;
    },
    async stop() {
      await Promise.all(schedulers.map((s) => s.close()));
      await master.stop();
    },
  };
}
