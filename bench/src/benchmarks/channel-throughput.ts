/**
 * Channel<T> throughput: one producer, one consumer, capacity 256, against the minimal
 * promise queue doing the same work in paired rounds (goal ≥ 0.8 × baseline).
 */
import { requireExport, type Benchmark, type MetricSpec } from '../harness/benchmark.js';
import { measurePaired } from '../harness/measure.js';
import { judge, unavailableRows, type Row } from '../harness/row.js';
import { PromiseQueue, queueThroughput, type QueueUnderTest } from '../baselines/promise-queue.js';
import { QUEUE_CAPACITY } from './baselines.js';

type ChannelCtor = new (capacity: number) => QueueUnderTest;

const METRIC: MetricSpec = {
  metric: 'Channel<T> throughput (1→1, cap 256)',
  unit: 'msg/s',
  goals: [{ kind: 'min-ratio', value: 0.8 }],
};

export const channelThroughput: Benchmark = {
  name: 'channel-throughput',
  metrics: [METRIC],
  async run({ quick, plan }): Promise<Row[]> {
    const feature = await requireExport('@mesosgot/common', 'Channel', ['send', 'receive', 'close']);
    if (!feature.ok) return unavailableRows(this.metrics, feature.reason);
    const Channel = feature.value as ChannelCtor;
    const count = quick ? 200_000 : 1_000_000;
    const { baseline, subject } = await measurePaired(
      () => queueThroughput(new PromiseQueue<number>(QUEUE_CAPACITY), count),
      () => queueThroughput(new Channel(QUEUE_CAPACITY), count),
      plan,
    );
    return [
      judge({
        ...METRIC,
        value: subject.median,
        baseline: baseline.median,
        baselineName: 'promise queue',
        note: `${count} msgs, median of ${plan.rounds}`,
      }),
    ];
  },
};
