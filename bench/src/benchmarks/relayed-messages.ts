/**
 * Relayed MESSAGE calls per second, scheduler → executor through the local cluster: one
 * MESSAGE call per message (driver.sendFrameworkMessage → master → agent → executor MESSAGE
 * event, docs/protocol.md, "Framework messages"), counted by the bench executor. The undici POST loop with
 * the same count is shown as the one-call-per-message ceiling.
 */
import { performance } from 'node:perf_hooks';
import type { Benchmark, MetricSpec } from '../harness/benchmark.js';
import { measurePaired } from '../harness/measure.js';
import { judge, unavailableRows, type Row } from '../harness/row.js';
import { perSecond } from '../harness/stats.js';
import { httpPostLoop, startHttpSink } from '../baselines/http-post-loop.js';
import { benchTask, loadDriverStack, startDriverCluster } from '../cluster/bench-framework.js';

const METRIC: MetricSpec = { metric: 'relayed MESSAGE calls, scheduler→executor', unit: 'call/s' };
const EXECUTOR_ID = 'bench-exec-0';

export const relayedMessages: Benchmark = {
  name: 'relayed-messages',
  metrics: [METRIC],
  async run({ quick, plan: defaultPlan, signal }): Promise<Row[]> {
    const stack = await loadDriverStack();
    if (!stack.ok) return unavailableRows(this.metrics, stack.reason);
    const count = quick ? 1_000 : 5_000;
    const plan = quick ? { warmup: 1, rounds: 3 } : defaultPlan;
    const dc = await startDriverCluster(stack.value, { agents: 1 });
    const sink = await startHttpSink().catch(async (err: unknown) => {
      await dc.stop();
      throw err;
    });
    try {
      const { framework, driver } = dc;
      await framework.waitUntil(() => framework.offers.length > 0, signal);
      const offer = framework.takeOffers()[0]!;
      await driver.acceptOffers([offer.id], [{ type: 'LAUNCH', launch: { task_infos: [benchTask('relay-0', offer.agent_id, EXECUTOR_ID)] } }]);
      await framework.waitUntil(() => framework.states.get('relay-0') === 'TASK_RUNNING', signal);
      const executorId = { value: EXECUTOR_ID };
      const payload = 'x'.repeat(32);
      const relay = async (): Promise<number> => {
        framework.messages.length = 0;
        await driver.sendFrameworkMessage(executorId, offer.agent_id, `expect:${count}`);
        const start = performance.now();
        const sends: Promise<unknown>[] = [];
        for (let i = 0; i < count; i++) sends.push(driver.sendFrameworkMessage(executorId, offer.agent_id, payload));
        await Promise.all(sends);
        await framework.waitUntil(() => framework.messages.includes(`got:${count}`), signal);
        return perSecond(count, performance.now() - start);
      };
      const { baseline, subject } = await measurePaired(() => httpPostLoop(sink.url, count), relay, plan);
      return [
        judge({
          ...METRIC,
          value: subject.median,
          baseline: baseline.median,
          baselineName: 'POST loop',
          note: `${count} calls, median of ${plan.rounds}`,
        }),
      ];
    } finally {
      await sink.close();
      await dc.stop();
    }
  },
};
