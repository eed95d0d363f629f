/**
 * The relay paths in both encodings, side by side in one run (docs/protobuf.md, "Which
 * encoding"): the JSON row is the protobuf row's baseline, measured in paired rounds.
 * - Relayed MESSAGE calls, scheduler driver → master → agent → executor, one call per message:
 *   32-byte messages (calls/s) and 64 KiB messages (MB/s). In protobuf the data travels as raw
 *   bytes; in JSON as base64 text.
 * - GoTask e2e one-way scheduler→task TaskMsgs (batched in framework messages), msgs/s and MB/s
 *   of TaskMsg payload.
 */
import { performance } from 'node:perf_hooks';
import type { TaskMsg } from '@mesosgot/common';
import type { Benchmark, MetricSpec } from '../harness/benchmark.js';
import { measurePaired } from '../harness/measure.js';
import { judge, unavailableRows, type Row } from '../harness/row.js';
import { perSecond } from '../harness/stats.js';
import { loadDriverStack, startDriverCluster, startRelayTask } from '../cluster/bench-framework.js';
import { MESSAGE_BYTES, startGoTaskBench, type GoTaskBench } from '../cluster/gotask-bench.js';

type Encoding = 'json' | 'protobuf';

const SMALL: MetricSpec = { metric: 'relayed MESSAGE calls, 32 B, protobuf vs JSON', unit: 'call/s' };
const LARGE: MetricSpec = { metric: 'relayed MESSAGE calls, 64 KiB, protobuf vs JSON', unit: 'MB/s' };
const E2E: MetricSpec = { metric: 'e2e one-way msgs scheduler→task, protobuf vs JSON', unit: 'msg/s' };
const E2E_BYTES: MetricSpec = { metric: 'e2e one-way payload scheduler→task, protobuf vs JSON', unit: 'MB/s' };
const LARGE_BYTES = 64 * 1024;
const EXECUTOR_ID = 'bench-exec-0';
const E2E_TASKS = 4;

/** A relay round for one encoding: a cluster, a driver and an executor speaking it. */
interface Relay {
  /** Sends `count` messages of `bytes` bytes; resolves with messages/s once the executor counted them. */
  round(count: number, bytes: number): Promise<number>;
  stop(): Promise<void>;
}

async function startRelay(encoding: Encoding, signal: AbortSignal): Promise<Relay | string> {
  const stack = await loadDriverStack();
  if (!stack.ok) return stack.reason;
  const dc = await startDriverCluster(stack.value, { agents: 1 }, undefined, { contentType: encoding });
  try {
    const relay = await startRelayTask(dc, EXECUTOR_ID, signal, encoding);
    return {
      round: (count, bytes) => relay(count, new Uint8Array(bytes).fill(0x78)),
      stop: () => dc.stop(),
    };
  } catch (err) {
    await dc.stop();
    throw err;
  }
}

/** schedOut → tasks, `count` TaskMsgs round-robin; resolves with msg/s once every task counted its share. */
async function e2eDown(bench: GoTaskBench, count: number): Promise<number> {
  const per = count / bench.taskIds.length;
  for (const id of bench.taskIds) await bench.schedOut.send({ taskName: id, data: `expect:${per}` });
  const payload = new Uint8Array(MESSAGE_BYTES).fill(0x61);
  const messages: TaskMsg[] = bench.taskIds.map((taskName) => ({ taskName, data: payload }));
  const start = performance.now();
  for (let i = 0; i < count; i++) await bench.schedOut.send(messages[i % messages.length]!);
  for (let i = 0; i < bench.taskIds.length; i++) await bench.receiveText('got:');
  return perSecond(count, performance.now() - start);
}

const mb = (perSecondCount: number, bytes: number): number => (perSecondCount * bytes) / 1e6;

/** Four clusters would not start within the quick budget: each benchmark starts two. */
function planFor(quick: boolean): { warmup: number; rounds: number } {
  return quick ? { warmup: 0, rounds: 1 } : { warmup: 1, rounds: 5 };
}

export const relayEncodings: Benchmark = {
  name: 'relay-encodings',
  metrics: [SMALL, LARGE],
  async run({ quick, signal }): Promise<Row[]> {
    const plan = planFor(quick);
    const smallCount = quick ? 500 : 2_000;
    const largeCount = quick ? 40 : 200;
    const json = await startRelay('json', signal);
    if (typeof json === 'string') return unavailableRows(this.metrics, json);
    let protobuf: Relay | string | undefined;
    try {
      protobuf = await startRelay('protobuf', signal);
      if (typeof protobuf === 'string') return unavailableRows(this.metrics, protobuf);
      const pb = protobuf;
      const small = await measurePaired(() => json.round(smallCount, 32), () => pb.round(smallCount, 32), plan);
      const large = await measurePaired(() => json.round(largeCount, LARGE_BYTES), () => pb.round(largeCount, LARGE_BYTES), plan);
      return [
        judge({ ...SMALL, value: small.subject.median, baseline: small.baseline.median, baselineName: 'JSON', note: `${smallCount} calls, median of ${plan.rounds}` }),
        judge({
          ...LARGE,
          value: mb(large.subject.median, LARGE_BYTES),
          baseline: mb(large.baseline.median, LARGE_BYTES),
          baselineName: 'JSON',
          note: `${largeCount} calls, median of ${plan.rounds}`,
        }),
      ];
    } finally {
      await json.stop();
      if (protobuf !== undefined && typeof protobuf !== 'string') await protobuf.stop();
    }
  },
};

export const e2eEncodings: Benchmark = {
  name: 'e2e-encodings',
  metrics: [E2E, E2E_BYTES],
  async run({ quick, signal }): Promise<Row[]> {
    const plan = planFor(quick);
    const count = quick ? 10_000 : 50_000;
    const benches: Partial<Record<Encoding, GoTaskBench>> = {};
    try {
      for (const encoding of ['json', 'protobuf'] as const) {
        benches[encoding] = await startGoTaskBench({ tasks: E2E_TASKS, agents: 1, contentType: encoding, signal });
      }
      const e2e = await measurePaired(() => e2eDown(benches.json!, count), () => e2eDown(benches.protobuf!, count), plan);
      const note = `${count} × ${MESSAGE_BYTES} B TaskMsgs to ${E2E_TASKS} tasks, median of ${plan.rounds}`;
      return [
        judge({ ...E2E, value: e2e.subject.median, baseline: e2e.baseline.median, baselineName: 'JSON', note }),
        judge({
          ...E2E_BYTES,
          value: mb(e2e.subject.median, MESSAGE_BYTES),
          baseline: mb(e2e.baseline.median, MESSAGE_BYTES),
          baselineName: 'JSON',
          note,
        }),
      ];
    } finally {
      for (const bench of Object.values(benches)) await bench.stop();
    }
  },
};
