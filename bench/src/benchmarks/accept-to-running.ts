/**
 * Time from ACCEPT to all RUNNING: the driver holds one offer from each of 4 local agents,
 * then accepts them with LAUNCH operations for 1,000 tasks (one bench executor per agent)
 * and waits until every task reported TASK_RUNNING. Includes starting the 4 executor
 * processes, the agents' status-update streams and the acknowledgements (docs/protocol.md, "Acknowledgements").
 */
import { performance } from 'node:perf_hooks';
import type { Benchmark, MetricSpec } from '../harness/benchmark.js';
import { measure } from '../harness/measure.js';
import { judge, unavailableRows, type Row } from '../harness/row.js';
import { benchTask, loadDriverStack, startDriverCluster } from '../cluster/bench-framework.js';

export const AGENTS = 4;
/** Room for 10,000 tiny tasks per agent plus the executor. */
export const BENCH_AGENT_RESOURCES = 'cpus:64;mem:65536;disk:4096;ports:[31000-31099]';
const FAILED_STATES = new Set(['TASK_FAILED', 'TASK_LOST', 'TASK_ERROR', 'TASK_DROPPED', 'TASK_KILLED']);

const METRIC: MetricSpec = { metric: 'ACCEPT → all RUNNING, 1,000 tasks, 4 agents', unit: 's' };

export const acceptToRunning: Benchmark = {
  name: 'accept-to-running',
  metrics: [METRIC],
  async run({ quick, signal }): Promise<Row[]> {
    const stack = await loadDriverStack();
    if (!stack.ok) return unavailableRows(this.metrics, stack.reason);
    const tasks = 1_000;
    // Each round starts a fresh cluster (4 executor processes): keep the count small.
    const plan = quick ? { warmup: 0, rounds: 2 } : { warmup: 1, rounds: 5 };
    const round = async (): Promise<number> => {
      const dc = await startDriverCluster(stack.value, { agents: AGENTS, agentResources: BENCH_AGENT_RESOURCES });
      try {
        const { framework, driver } = dc;
        await framework.waitUntil(() => new Set(framework.offers.map((o) => o.agent_id.value)).size >= AGENTS, signal);
        const byAgent = new Map(framework.takeOffers().map((o) => [o.agent_id.value, o]));
        const offers = [...byAgent.values()].slice(0, AGENTS);
        const start = performance.now();
        await Promise.all(
          offers.map((offer, a) => {
            const launch = Array.from({ length: tasks / AGENTS }, (_, i) => benchTask(`t-${a}-${i}`, offer.agent_id, `bench-exec-${a}`));
            return driver.acceptOffers([offer.id], [{ type: 'LAUNCH', launch: { task_infos: launch } }]);
          }),
        );
        await framework.waitUntil(() => {
          for (const s of FAILED_STATES) if (framework.stateCounts.get(s as never)) return true;
          return (framework.stateCounts.get('TASK_RUNNING') ?? 0) >= tasks;
        }, signal);
        const elapsed = (performance.now() - start) / 1000;
        const failed = [...framework.states].filter(([, s]) => FAILED_STATES.has(s));
        if (failed.length > 0) throw new Error(`${failed.length} tasks failed, e.g. ${failed[0]![0]}: ${failed[0]![1]}`);
        return elapsed;
      } finally {
        await dc.stop();
      }
    };
    const got = await measure(round, plan);
    return [judge({ ...METRIC, value: got.median, note: `median of ${plan.rounds}, fresh cluster per round` })];
  },
};
