/**
 * End-to-end one-way TaskMsgs per second through the local cluster, 100-byte messages, both
 * ways (goals in docs/design.md, "Measured speed"): GoTaskScheduler's schedOut → 4 `bench` tasks (counted
 * by the tasks, each answers "got:<n>"), and 4 tasks' output → schedIn (each task told
 * "burst:<n>"). Two data planes (docs/protocol.md, "Data plane"):
 *
 * - relay (`--data-plane relay`, 4 tasks on one agent): batched ReliableLink frames, one Mesos
 *   MESSAGE call per frame. Baseline, in paired rounds (a fifth of the count): each message its own
 *   MESSAGE call through another local cluster of this process — the scheduler driver's
 *   sendFrameworkMessage (scheduler → executor) and the executor driver's (executor → scheduler).
 *   Goals: ≥ 100,000 msg/s and ≥ 10 × that baseline (the relay no slower than before).
 * - direct (the default, 4 tasks on 2 agents): the same frames on each executor's own TCP
 *   connection to the scheduler. Baseline: the relay rows, measured in paired rounds of the same
 *   run. Goals: ≥ 1,000,000 msg/s each way; 1 MiB messages scheduler → task ≥ 300 MB/s.
 *   Beside them, report-only: the same bytes one way over a bare loopback socket
 *   (baselines/tcp-one-way.ts), rounds alternating with the direct ones, the ceiling of any
 *   transport on this machine at that moment.
 */
import { performance } from 'node:perf_hooks';
import type { TaskMsg } from '@mesosgot/common';
import type { Benchmark, MetricSpec } from '../harness/benchmark.js';
import { measurePaired } from '../harness/measure.js';
import { judge, unavailableRows, type Row } from '../harness/row.js';
import { perSecond } from '../harness/stats.js';
import { loopbackOneWay } from '../baselines/tcp-one-way.js';
import { benchTask, loadDriverStack, startDriverCluster, type DriverCluster } from '../cluster/bench-framework.js';
import { MESSAGE_BYTES, startGoTaskBench, type GoTaskBench } from '../cluster/gotask-bench.js';

const GOALS: MetricSpec['goals'] = [
  { kind: 'min', value: 100_000 },
  { kind: 'min-ratio', value: 10 },
];
const DOWN: MetricSpec = { metric: 'e2e one-way msgs, scheduler→task, relay', unit: 'msg/s', goals: GOALS };
const UP: MetricSpec = { metric: 'e2e one-way msgs, task→scheduler, relay', unit: 'msg/s', goals: GOALS };
const DIRECT_GOALS: MetricSpec['goals'] = [{ kind: 'min', value: 1_000_000 }];
const DIRECT_DOWN: MetricSpec = { metric: 'e2e one-way msgs, scheduler→task, direct', unit: 'msg/s', goals: DIRECT_GOALS };
const DIRECT_UP: MetricSpec = { metric: 'e2e one-way msgs, task→scheduler, direct', unit: 'msg/s', goals: DIRECT_GOALS };
const DIRECT_LARGE: MetricSpec = { metric: 'e2e 1 MiB msgs scheduler→task, direct', unit: 'MB/s', goals: [{ kind: 'min', value: 300 }] };
const DIRECT_CEILING: MetricSpec = { metric: 'e2e direct ceiling: same bytes, bare loopback TCP', unit: 'msg/s' };
const LARGE_BYTES = 1024 * 1024;
const TASKS = 4;
const EXECUTOR_ID = 'bench-exec-0';
/** Calls the unbatched baseline keeps queued in the scheduler driver at once. */
const BASELINE_WINDOW = 256;

/** schedOut → tasks: `count` messages of `bytes` round-robin over the tasks; resolves with msg/s. */
export async function gotaskDown(bench: GoTaskBench, count: number, bytes = MESSAGE_BYTES): Promise<number> {
  const { schedOut, taskIds } = bench;
  const per = count / taskIds.length;
  for (const id of taskIds) await schedOut.send({ taskName: id, data: `expect:${per}` });
  const payload = new Uint8Array(bytes).fill(0x61);
  const start = performance.now();
  const messages: TaskMsg[] = taskIds.map((taskName) => ({ taskName, data: payload }));
  for (let i = 0; i < count; i++) await schedOut.send(messages[i % messages.length]!);
  for (let i = 0; i < taskIds.length; i++) await bench.receiveText('got:');
  return perSecond(count, performance.now() - start);
}

/** tasks → schedIn: each task sends count/tasks messages; resolves with msg/s. */
export async function gotaskUp(bench: GoTaskBench, count: number): Promise<number> {
  const { schedIn, schedOut, taskIds } = bench;
  const per = count / taskIds.length;
  const start = performance.now();
  for (const id of taskIds) await schedOut.send({ taskName: id, data: `burst:${per}` });
  let payloads = 0;
  let sent = 0;
  while (payloads < count || sent < taskIds.length) {
    const got = schedIn.tryReceive() ?? (await schedIn.receive());
    if (!got.ok) throw new Error(`schedIn closed after ${payloads} of ${count} messages`);
    if (typeof got.value.data === 'string') {
      if (got.value.data.startsWith('sent:')) sent++;
    } else {
      if (got.value.data.length !== MESSAGE_BYTES) throw new Error(`got a ${got.value.data.length}-byte message`);
      payloads++;
    }
  }
  return perSecond(count, performance.now() - start);
}

/** One MESSAGE call per message, scheduler driver → bench executor. */
async function unbatchedDown(dc: DriverCluster, agentId: { value: string }, count: number, signal: AbortSignal): Promise<number> {
  const { framework, driver } = dc;
  const executorId = { value: EXECUTOR_ID };
  framework.messages.length = 0;
  await driver.sendFrameworkMessage(executorId, agentId, `expect:${count}`);
  const payload = 'y'.repeat(MESSAGE_BYTES);
  const start = performance.now();
  // A window of callers, not `count` at once: past MAX_QUEUED_CALLS every waiting caller of the
  // driver's call queue wakes on each completion, which would measure that pile-up, not the calls.
  let next = 0;
  const sender = async (): Promise<void> => {
    while (next < count) {
      next++;
      await driver.sendFrameworkMessage(executorId, agentId, payload);
    }
  };
  await Promise.all(Array.from({ length: BASELINE_WINDOW }, sender));
  await framework.waitUntil(() => framework.messages.includes(`got:${count}`), signal);
  return perSecond(count, performance.now() - start);
}

/** One MESSAGE call per message, bench executor → scheduler driver. */
async function unbatchedUp(dc: DriverCluster, agentId: { value: string }, count: number, signal: AbortSignal): Promise<number> {
  const { framework, driver } = dc;
  framework.messages.length = 0;
  const start = performance.now();
  await driver.sendFrameworkMessage({ value: EXECUTOR_ID }, agentId, `burst:${count}`);
  await framework.waitUntil(() => framework.messages.length >= count + 1, signal);
  const elapsed = performance.now() - start;
  if (framework.messages[count] !== `sent:${count}`) throw new Error(`baseline burst: last message ${framework.messages[count]}`);
  return perSecond(count, elapsed);
}

export const e2eMessages: Benchmark = {
  name: 'e2e-messages',
  metrics: [DOWN, UP],
  async run({ quick, signal }): Promise<Row[]> {
    const stack = await loadDriverStack();
    if (!stack.ok) return unavailableRows(this.metrics, stack.reason);
    const count = quick ? 4_000 : 20_000;
    // One call per message crawls (1–4k msg/s, 100s under load): its rounds are shorter, and the
    // rates per second still compare. 20,000-message baseline rounds overran the budget at load 10+.
    const baselineCount = quick ? 1_000 : 4_000;
    const plan = quick ? { warmup: 1, rounds: 3 } : { warmup: 1, rounds: 5 };
    const resources = 'cpus:4;mem:4096;disk:1024;ports:[31000-31099]';
    const bench = await startGoTaskBench({ tasks: TASKS, agents: 1, agentResources: resources, dataPlane: 'relay', signal });
    let dc: DriverCluster | undefined;
    try {
      dc = await startDriverCluster(stack.value, { agents: 1 });
      const { framework, driver } = dc;
      await framework.waitUntil(() => framework.offers.length > 0, signal);
      const offer = framework.takeOffers()[0]!;
      await driver.acceptOffers([offer.id], [{ type: 'LAUNCH', launch: { task_infos: [benchTask('e2e-0', offer.agent_id, EXECUTOR_ID)] } }]);
      await framework.waitUntil(() => framework.states.get('e2e-0') === 'TASK_RUNNING', signal);
      const driverCluster = dc;
      const rows: Row[] = [];
      const note = `${count} × ${MESSAGE_BYTES} B (baseline ${baselineCount}), ${TASKS} tasks, median of ${plan.rounds}`;
      const down = await measurePaired(() => unbatchedDown(driverCluster, offer.agent_id, baselineCount, signal), () => gotaskDown(bench, count), plan);
      rows.push(judge({ ...DOWN, value: down.subject.median, baseline: down.baseline.median, baselineName: '1 MESSAGE/msg', note }));
      const up = await measurePaired(() => unbatchedUp(driverCluster, offer.agent_id, baselineCount, signal), () => gotaskUp(bench, count), plan);
      rows.push(judge({ ...UP, value: up.subject.median, baseline: up.baseline.median, baselineName: '1 MESSAGE/msg', note }));
      return rows;
    } finally {
      await Promise.allSettled([bench.stop(), dc?.stop()]);
    }
  },
};

/**
 * The direct data plane's rows: the same one-way loads on each executor's own connection to the
 * scheduler, 4 tasks on 2 agents, against relay mode as the baseline (a second GoTaskScheduler
 * with `--data-plane relay`, paired rounds of the same run; the relay gets fewer messages per
 * round, rates are comparable). Plus 1 MiB messages scheduler → task in MB/s.
 */
export const e2eDirect: Benchmark = {
  name: 'e2e-direct',
  metrics: [DIRECT_DOWN, DIRECT_UP, DIRECT_LARGE, DIRECT_CEILING],
  async run({ quick, signal }): Promise<Row[]> {
    const relayCount = quick ? 2_000 : 20_000;
    const directCount = quick ? 20_000 : 200_000;
    const largeCount = TASKS * (quick ? 2 : 10);
    const relayLarge = TASKS * (quick ? 1 : 2);
    const plan = quick ? { warmup: 1, rounds: 2 } : { warmup: 1, rounds: 5 };
    const resources = 'cpus:4;mem:4096;disk:1024;ports:[31000-31099]';
    const benches: GoTaskBench[] = [];
    try {
      const relay = await startGoTaskBench({ tasks: TASKS, agents: 1, agentResources: resources, dataPlane: 'relay', signal });
      benches.push(relay);
      const direct = await startGoTaskBench({ tasks: TASKS, agents: 2, dataPlane: 'direct', signal });
      benches.push(direct);
      const rows: Row[] = [];
      const note = `${directCount} × ${MESSAGE_BYTES} B, ${TASKS} tasks on 2 agents; relay: ${relayCount} msgs; median of ${plan.rounds}`;
      const down = await measurePaired(() => gotaskDown(relay, relayCount), () => gotaskDown(direct, directCount), plan);
      rows.push(judge({ ...DIRECT_DOWN, value: down.subject.median, baseline: down.baseline.median, baselineName: 'relay', note }));
      const up = await measurePaired(() => gotaskUp(relay, relayCount), () => gotaskUp(direct, directCount), plan);
      rows.push(judge({ ...DIRECT_UP, value: up.subject.median, baseline: up.baseline.median, baselineName: 'relay', note }));
      // The ceiling, in rounds alternating with the direct down rows so both see the same load.
      const ceiling = await measurePaired(() => gotaskDown(direct, directCount), () => loopbackOneWay(directCount, MESSAGE_BYTES), plan);
      rows.push(
        judge({
          ...DIRECT_CEILING,
          value: ceiling.subject.median,
          baseline: ceiling.baseline.median,
          baselineName: 'direct, scheduler→task',
          note: `${directCount} × ${MESSAGE_BYTES} B as frame bytes, one connection, both ends in one process; median of ${plan.rounds}`,
        }),
      );
      const large = await measurePaired(() => gotaskDown(relay, relayLarge, LARGE_BYTES), () => gotaskDown(direct, largeCount, LARGE_BYTES), plan);
      rows.push(
        judge({
          ...DIRECT_LARGE,
          value: (large.subject.median * LARGE_BYTES) / 1e6,
          baseline: (large.baseline.median * LARGE_BYTES) / 1e6,
          baselineName: 'relay',
          note: `${largeCount} × 1 MiB (relay: ${relayLarge}), ${TASKS} tasks, median of ${plan.rounds}`,
        }),
      );
      return rows;
    } finally {
      await Promise.allSettled(benches.map((b) => b.stop()));
    }
  },
};
