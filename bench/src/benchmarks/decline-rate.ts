/**
 * Offers declined per second by the scheduler driver: a scripted master (FakeMaster from
 * @mesosgot/local/testing, which answers every call 202) sends one OFFERS event with N offers;
 * the framework declines each in its resourceOffers callback (one DECLINE call per offer, as
 * libmesos' declineOffer does, docs/protocol.md, "Filters and declines"). Timed from the event to the N-th DECLINE received. The
 * undici POST loop with the same count is the one-call-at-a-time ceiling.
 */
import { performance } from 'node:perf_hooks';
import type { FakeMaster } from '@mesosgot/local/testing';
import type { Offer } from '@mesosgot/common';
import { requireExport, type Benchmark, type MetricSpec } from '../harness/benchmark.js';
import { measurePaired } from '../harness/measure.js';
import { judge, unavailableRows, type Row } from '../harness/row.js';
import { perSecond } from '../harness/stats.js';
import { httpPostLoop, startHttpSink } from '../baselines/http-post-loop.js';
import { BenchFramework, loadDriverStack } from '../cluster/bench-framework.js';

const METRIC: MetricSpec = { metric: 'offers declined by the scheduler driver', unit: 'offer/s' };

type FakeMasterStatic = { start(): Promise<FakeMaster> };

function offers(count: number, frameworkId: string, round: number): Offer[] {
  return Array.from({ length: count }, (_, i) => ({
    id: { value: `bench-offer-${round}-${i}` },
    framework_id: { value: frameworkId },
    agent_id: { value: `bench-agent-S${i % 100}` },
    hostname: '127.0.0.1',
    resources: [
      { name: 'cpus', type: 'SCALAR', scalar: { value: 4 } },
      { name: 'mem', type: 'SCALAR', scalar: { value: 4096 } },
    ],
  }));
}

/** Resolves once `master` has recorded `target` DECLINE calls in total; polls every ms. */
async function waitForDeclines(master: FakeMaster, target: number, from: { index: number; seen: number }, signal: AbortSignal): Promise<void> {
  for (;;) {
    for (; from.index < master.calls.length; from.index++) if (master.calls[from.index]!.type === 'DECLINE') from.seen++;
    if (from.seen >= target) return;
    signal.throwIfAborted();
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

export const declineRate: Benchmark = {
  name: 'decline-rate',
  metrics: [METRIC],
  async run({ quick, plan, signal }): Promise<Row[]> {
    const stack = await loadDriverStack();
    if (!stack.ok) return unavailableRows(this.metrics, stack.reason);
    const fake = await requireExport('@mesosgot/local/testing', 'FakeMaster');
    if (!fake.ok) return unavailableRows(this.metrics, fake.reason);
    const count = quick ? 1_000 : 5_000;
    const master = await (fake.value as FakeMasterStatic).start();
    const framework = new BenchFramework();
    framework.declineAll = 5;
    const driver = new stack.value.Driver(framework, { name: 'mesosgot-bench', user: 'bench' }, master.url);
    const sink = await startHttpSink();
    try {
      const status = await driver.start();
      if (status !== 'DRIVER_RUNNING') throw new Error(`driver start: ${status}`);
      const stream = await master.waitForStream(0);
      await framework.waitUntil(() => framework.frameworkId !== undefined, signal);
      const cursor = { index: 0, seen: 0 };
      let round = 0;
      const declineRound = async (): Promise<number> => {
        const target = cursor.seen + count;
        const start = performance.now();
        stream.send({ type: 'OFFERS', offers: { offers: offers(count, framework.frameworkId!, round++) } });
        await waitForDeclines(master, target, cursor, signal);
        return perSecond(count, performance.now() - start);
      };
      const { baseline, subject } = await measurePaired(() => httpPostLoop(sink.url, count), declineRound, plan);
      return [
        judge({ ...METRIC, value: subject.median, baseline: baseline.median, baselineName: 'POST loop', note: `${count} offers in one OFFERS event` }),
      ];
    } finally {
      await driver.abort().catch(() => undefined); // teardown of a benchmark; nothing to report
      await master.close();
      await sink.close();
    }
  },
};
