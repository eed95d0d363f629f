/**
 * Ping-pong round trip between the scheduler function and one task through the local cluster:
 * schedOut.send("ping:<i>") → MESSAGE call → master → agent → executor → the task's input; the
 * task's answer → executor MESSAGE call → agent → master → schedIn. One ping in flight at a time.
 * Each round takes p50 and p99 of its pings; the rows are the medians over rounds (goal p50 ≤
 * 2 ms). Beside them, the TCP echo RTT (baselines/tcp-echo.ts) measured in the same
 * rounds with the same count: the floor under any request/response over loopback.
 */
import { performance } from 'node:perf_hooks';
import type { Benchmark, MetricSpec } from '../harness/benchmark.js';
import { judge, type Row } from '../harness/row.js';
import { median, percentile } from '../harness/stats.js';
import { startEchoServer, tcpEchoRtts } from '../baselines/tcp-echo.js';
import { ECHO_MESSAGE_BYTES } from './baselines.js';
import { startGoTaskBench, type GoTaskBench } from '../cluster/gotask-bench.js';

const P50: MetricSpec = { metric: 'ping-pong RTT p50', unit: 'ms', goals: [{ kind: 'max', value: 2 }] };
const P99: MetricSpec = { metric: 'ping-pong RTT p99', unit: 'ms' };

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
  metrics: [P50, P99],
  async run({ quick, plan: defaultPlan, signal }): Promise<Row[]> {
    const count = quick ? 300 : 1_000;
    const plan = quick ? { warmup: 1, rounds: 3 } : defaultPlan;
    const bench = await startGoTaskBench({ tasks: 1, agents: 1, agentResources: 'cpus:2;mem:1024;disk:1024;ports:[31000-31099]', signal });
    let echo: Awaited<ReturnType<typeof startEchoServer>> | undefined;
    try {
      echo = await startEchoServer();
      const port = echo.port;
      const subject = { p50: [] as number[], p99: [] as number[] };
      const base = { p50: [] as number[], p99: [] as number[] };
      for (let i = 0; i < plan.warmup + plan.rounds; i++) {
        // Alternate which goes first, as measurePaired does.
        let rtts: number[];
        let echoes: number[];
        if (i % 2 === 0) {
          echoes = await tcpEchoRtts(port, count, ECHO_MESSAGE_BYTES);
          rtts = await roundTrips(bench, count);
        } else {
          rtts = await roundTrips(bench, count);
          echoes = await tcpEchoRtts(port, count, ECHO_MESSAGE_BYTES);
        }
        if (i < plan.warmup) continue;
        subject.p50.push(percentile(rtts, 50));
        subject.p99.push(percentile(rtts, 99));
        base.p50.push(percentile(echoes, 50));
        base.p99.push(percentile(echoes, 99));
      }
      const note = `${count} pings × ${plan.rounds} rounds, median of per-round figures`;
      return [
        judge({ ...P50, value: median(subject.p50), baseline: median(base.p50), baselineName: 'TCP echo', note }),
        judge({ ...P99, value: median(subject.p99), baseline: median(base.p99), baselineName: 'TCP echo', note }),
      ];
    } finally {
      await Promise.allSettled([bench.stop(), echo?.close()]);
    }
  },
};
