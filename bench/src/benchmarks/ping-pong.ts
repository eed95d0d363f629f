/**
 * Ping-pong round trip between the scheduler function and one task through the local cluster:
 * schedOut.send("ping:<i>") → MESSAGE call → master → agent → executor → the task's input; the
 * task's answer → executor MESSAGE call → agent → master → schedIn (`--data-plane relay`), and
 * the same over the executor's direct connection to the scheduler (`--data-plane direct`, the
 * default). One ping in flight at a time. Each round takes p50 and p99 of its pings; the rows
 * are the medians over rounds (goals: relay p50 ≤ 2 ms; direct p50 ≤ 0.25 ms, p99 ≤ 1 ms).
 * Beside them, the TCP echo RTT (baselines/tcp-echo.ts) measured in the same rounds with the
 * same count: the floor under any request/response over loopback.
 */
import { performance } from 'node:perf_hooks';
import type { Benchmark, MetricSpec } from '../harness/benchmark.js';
import { judge, type Row } from '../harness/row.js';
import { median, percentile } from '../harness/stats.js';
import { startEchoServer, tcpEchoRtts } from '../baselines/tcp-echo.js';
import { ECHO_MESSAGE_BYTES } from './baselines.js';
import { startGoTaskBench, type GoTaskBench } from '../cluster/gotask-bench.js';

const P50: MetricSpec = { metric: 'ping-pong RTT p50, relay', unit: 'ms', goals: [{ kind: 'max', value: 2 }] };
const P99: MetricSpec = { metric: 'ping-pong RTT p99, relay', unit: 'ms' };
const DIRECT_P50: MetricSpec = { metric: 'ping-pong RTT p50, direct', unit: 'ms', goals: [{ kind: 'max', value: 0.25 }] };
const DIRECT_P99: MetricSpec = { metric: 'ping-pong RTT p99, direct', unit: 'ms', goals: [{ kind: 'max', value: 1 }] };

/** `count` round trips to the task, one at a time; resolves with each in ms. */
async function roundTrips(bench: GoTaskBench, count: number): Promise<number[]> {
  const taskName = bench.taskIds[0]!;
  const rtts: number[] = [];
  for (let i = 0; i < count; i++) {
    const ping = `ping:${i}`;
    const start = performance.now();
    await bench.schedOut.send({ taskName, data: ping });
    const pong = await bench.receiveText('ping:');
    rtts.push(performance.now() - start);
    if (pong.text !== ping) throw new Error(`sent ${ping}, got ${pong.text}`);
  }
  return rtts;
}

export const pingPong: Benchmark = {
  name: 'ping-pong',
  metrics: [P50, P99, DIRECT_P50, DIRECT_P99],
  async run({ quick, plan: defaultPlan, signal }): Promise<Row[]> {
    const count = quick ? 300 : 1_000;
    const plan = quick ? { warmup: 1, rounds: 3 } : defaultPlan;
    const resources = 'cpus:2;mem:1024;disk:1024;ports:[31000-31099]';
    const benches: GoTaskBench[] = [];
    let echo: Awaited<ReturnType<typeof startEchoServer>> | undefined;
    try {
      const relay = await startGoTaskBench({ tasks: 1, agents: 1, agentResources: resources, dataPlane: 'relay', signal });
      benches.push(relay);
      const direct = await startGoTaskBench({ tasks: 1, agents: 1, agentResources: resources, dataPlane: 'direct', signal });
      benches.push(direct);
      echo = await startEchoServer();
      const port = echo.port;
      const figures = { relay: { p50: [] as number[], p99: [] as number[] }, direct: { p50: [] as number[], p99: [] as number[] }, echo: { p50: [] as number[], p99: [] as number[] } };
      for (let i = 0; i < plan.warmup + plan.rounds; i++) {
        // Rotate which goes first, as measurePaired alternates.
        const order: ('relay' | 'direct' | 'echo')[] = i % 3 === 0 ? ['echo', 'relay', 'direct'] : i % 3 === 1 ? ['direct', 'echo', 'relay'] : ['relay', 'direct', 'echo'];
        const got: Partial<Record<'relay' | 'direct' | 'echo', number[]>> = {};
        for (const which of order) {
          got[which] = which === 'echo' ? await tcpEchoRtts(port, count, ECHO_MESSAGE_BYTES) : await roundTrips(which === 'relay' ? relay : direct, count);
        }
        if (i < plan.warmup) continue;
        for (const which of ['relay', 'direct', 'echo'] as const) {
          figures[which].p50.push(percentile(got[which]!, 50));
          figures[which].p99.push(percentile(got[which]!, 99));
        }
      }
      const note = `${count} pings × ${plan.rounds} rounds, median of per-round figures`;
      const echoP50 = median(figures.echo.p50);
      const echoP99 = median(figures.echo.p99);
      return [
        judge({ ...P50, value: median(figures.relay.p50), baseline: echoP50, baselineName: 'TCP echo', note }),
        judge({ ...P99, value: median(figures.relay.p99), baseline: echoP99, baselineName: 'TCP echo', note }),
        judge({ ...DIRECT_P50, value: median(figures.direct.p50), baseline: echoP50, baselineName: 'TCP echo', note }),
        judge({ ...DIRECT_P99, value: median(figures.direct.p99), baseline: echoP99, baselineName: 'TCP echo', note }),
      ];
    } finally {
      await Promise.allSettled([...benches.map((b) => b.stop()), echo?.close()]);
    }
  },
};
