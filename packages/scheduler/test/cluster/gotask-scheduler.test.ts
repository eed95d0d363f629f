// GoTaskScheduler end to end: `--master local` through the LocalCluster seam, the executor
// bundle served by the artifact server and fetched by real agents, tasks as real child
// processes, messages both ways over framework messages.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { TaskMsg } from '@mesosgot/common';
import { LocalCluster } from '@mesosgot/local';
import { bundleScript } from '@mesosgot/cli/internal';
import { GoTaskScheduler, parseSchedulerConfig, type LocalClusterStarter, type SchedEvent } from '../../src/index.js';

let dir: string;
let bundle: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gotask-scheduler-'));
  bundle = await bundleScript(join(import.meta.dirname, '..', 'fixtures', 'gotask-app-executor.ts'), join(dir, 'app_executor.mjs'));
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const startLocal: LocalClusterStarter = async ({ agents, agentResources, refuseSeconds }) => {
  const cluster = new LocalCluster({ agents, agentResources, offerRefuseDefault: refuseSeconds, executorShutdownGracePeriodMs: 2_000 });
  const masterUrl = await cluster.start();
  return { masterUrl, stop: () => cluster.stop() };
};

function text(m: TaskMsg): string {
  return typeof m.data === 'string' ? m.data : Buffer.from(m.data).toString('utf8');
}

describe('GoTaskScheduler under --master local', () => {
  it('launches the gang on two agents and carries messages both ways, in order, exactly once', async () => {
    const config = parseSchedulerConfig(['--executor', bundle, '--local-agents', '2', '--local-agent-resources', 'cpus:1;mem:1024;ports:[31000-31009]'], {});
    const sched = new GoTaskScheduler(config, { localCluster: startLocal });
    // 0.1 executor + 3 × 0.3 per agent: the four echo tasks and one counter need both agents.
    sched.spawnTask('echo', 4, { cpus: 0.3, mem: 64 }, { args: ['a1'] });
    sched.spawnTask('count', 1, { cpus: 0.2, mem: 64 }, { args: ['500'] });
    const events: SchedEvent[] = [];
    const perTask = new Map<string, string[]>();
    const N = 200;
    sched.registerSchedFunc(async (schedIn, schedOut, schedEvents) => {
      void (async () => {
        for await (const e of schedEvents) events.push(e);
      })();
      const sending = (async () => {
        for (let i = 0; i < N; i++) for (let t = 0; t < 4; t++) await schedOut.send({ taskName: `echo-${t}`, data: `m${i}` });
      })();
      let total = 0;
      for await (const m of schedIn) {
        const list = perTask.get(m.taskName) ?? [];
        list.push(text(m));
        perTask.set(m.taskName, list);
        // 4 × (ready + N echoes) + 500 counts.
        if (++total === 4 * (N + 1) + 500) break;
      }
      await sending;
    });
    await sched.run();
    for (let t = 0; t < 4; t++) {
      expect(perTask.get(`echo-${t}`)).toEqual([`ready:["echo-${t}","a1"]`, ...Array.from({ length: N }, (_, i) => `echo:m${i}`)]);
    }
    expect(perTask.get('count-0')).toEqual(Array.from({ length: 500 }, (_, i) => `n:${i}`));
    const launched = events.filter((e): e is Extract<SchedEvent, { type: 'TaskLaunched' }> => e.type === 'TaskLaunched');
    expect(launched).toHaveLength(5);
    expect(new Set(launched.map((e) => e.agentId)).size).toBe(2);
    // One executor per agent, shared by that agent's tasks.
    const execByAgent = new Map<string, Set<string>>();
    for (const e of launched) execByAgent.set(e.agentId, (execByAgent.get(e.agentId) ?? new Set()).add(e.executorId));
    for (const ids of execByAgent.values()) expect(ids.size).toBe(1);
    expect(events[0]!.type).toBe('Registered');
    expect(events.at(-1)!.type).toBe('Shutdown');
  }, 60_000);
});
