/**
 * Relayed MESSAGE calls per second, scheduler → executor through the local cluster: one
 * MESSAGE call per message (driver.sendFrameworkMessage → master → agent → executor MESSAGE
 * event, docs/protocol.md, "Framework messages"), counted by the bench executor. The undici POST loop with
 * the same count is shown as the one-call-per-message ceiling.
 */
import type { Benchmark, MetricSpec } from '../harness/benchmark.js';
import { measurePaired } from '../harness/measure.js';
import { judge, unavailableRows, type Row } from '../harness/row.js';
import { httpPostLoop, startHttpSink } from '../baselines/http-post-loop.js';
import { loadDriverStack, startDriverCluster, startRelayTask } from '../cluster/bench-framework.js';

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
      const round = await startRelayTask(dc, EXECUTOR_ID, signal);
      const payload = 'x'.repeat(32);
      const relay = (): Promise<number> => round(count, payload);
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
