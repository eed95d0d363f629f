// What a task is given: its ports as PORT0, PORT1, …, PORT and PORTS in its env, and a task
// context (resources, agent, host); a task serves HTTP on its PORT0 and the scheduler function
// reaches it at the hostname of the TaskLaunched event. Also the spawn's `inline` choice.
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { GoTaskScheduler, parseSchedulerConfig, type SchedEvent } from '@mesosgot/scheduler';
import { acceptanceSuite, collectEvents, eventsOf, FIXTURES, text, within } from '../support/gotask-acceptance.js';

const suite = acceptanceSuite('gotask-task-context', { context: join(FIXTURES, 'task-context-executor.ts') });

describe('GoTaskScheduler task context', () => {
  it('a task serves HTTP on its PORT0 and the scheduler function reaches it; env and context carry the allocation', async () => {
    const sched = new GoTaskScheduler(parseSchedulerConfig(['--executor', suite.bundleOf('context'), '--local-agents', '1'], {}));
    sched.spawnTask('serve', 1, { cpus: 0.5, mem: 64, ports: 2 });
    sched.spawnTask('where', 2, { cpus: 0.1, mem: 32 }, { inline: true });
    const events: SchedEvent[] = [];
    let listening: { ports: Record<string, string>; context: { taskId: string; hostname: string; agentId: string; resources: { cpus: number; mem: number; ports: number[] } } } | undefined;
    let body = '';
    const wheres: string[] = [];
    sched.registerSchedFunc(async (schedIn, _schedOut, schedEvents) => {
      void collectEvents(schedEvents, events);
      await within(30_000, 'the server and both wheres', (async () => {
        for await (const m of schedIn) {
          const t = text(m);
          if (t.startsWith('listening:')) listening = JSON.parse(t.slice('listening:'.length)) as typeof listening;
          if (t.startsWith('where:')) wheres.push(t);
          if (listening !== undefined && wheres.length === 2) return;
        }
      })());
      const launched = eventsOf(events, 'TaskLaunched').find((e) => e.taskId === 'serve-0')!;
      const response = await fetch(`http://${launched.hostname}:${listening!.ports.PORT0}/`);
      body = await response.text();
    });
    await sched.run();
    const launched = eventsOf(events, 'TaskLaunched').find((e) => e.taskId === 'serve-0')!;
    const { ports, context } = listening!;
    const assigned = context.resources.ports;
    expect(assigned).toHaveLength(2);
    expect(ports).toEqual({ PORT0: String(assigned[0]), PORT1: String(assigned[1]), PORT: String(assigned[0]), PORTS: assigned.join(',') });
    expect(context).toMatchObject({ taskId: 'serve-0', hostname: launched.hostname, resources: { cpus: 0.5, mem: 64 } });
    expect(context.agentId).not.toBe('');
    expect(body).toBe(`hello from serve-0 on ${assigned[0]}`);
    // spawnTask(..., { inline: true }) ran the thread-by-default kind on the main thread.
    expect(wheres.sort()).toEqual(['where:0:true', 'where:0:true']);
  }, 90_000);
});
