/**
 * Channel<T> throughput: one producer, one consumer, capacity 256, against the minimal
 * promise queue doing the same work in paired rounds. Unbatched (`send` / `for await`) the goal
 * is parity with the promise queue; batched (`sendMany` of 256 / `batches(256)`, the protocol of
 * a Go buffered channel moving values in a tight loop, about 25 M/s on this kind of machine) the
 * goal is 20 M msgs/s.
 */
import { requireExport, type Benchmark, type MetricSpec } from '../harness/benchmark.js';
import { measurePaired, timeMs } from '../harness/measure.js';
import { perSecond } from '../harness/stats.js';
import { judge, unavailableRows, type Row } from '../harness/row.js';
import { PromiseQueue, queueThroughput, type QueueUnderTest } from '../baselines/promise-queue.js';
import { QUEUE_CAPACITY } from './baselines.js';

/** What the batched rows drive: Channel's batch path. */
interface BatchQueue extends QueueUnderTest {
  sendMany(values: readonly number[]): Promise<void>;
  batches(max?: number): AsyncIterableIterator<number[]>;
}
type ChannelCtor = new (capacity: number) => BatchQueue;

/** Values per sendMany call and most values per received batch. */
const BATCH = 256;

const UNBATCHED: MetricSpec = {
  metric: 'Channel<T> throughput (1→1, cap 256)',
  unit: 'msg/s',
  goals: [{ kind: 'min-ratio', value: 1 }],
};
const BATCHED: MetricSpec = {
  metric: 'Channel<T> batched (sendMany 256 / batches, cap 256)',
  unit: 'msg/s',
  goals: [{ kind: 'min', value: 20_000_000 }],
};

/**
 * One producer sends `count` numbers in sendMany calls of BATCH then closes; one consumer
 * drains `batches(BATCH)`. Resolves with messages per second; rejects on a wrong count or order.
 */
async function batchedThroughput(channel: BatchQueue, count: number): Promise<number> {
  const chunks: number[][] = [];
  for (let start = 0; start < count; start += BATCH) {
    chunks.push(Array.from({ length: Math.min(BATCH, count - start) }, (_, i) => start + i));
  }
  let expected = 0;
  const elapsed = await timeMs(async () => {
    const consumer = (async () => {
      for await (const batch of channel.batches(BATCH)) {
        for (const v of batch) {
          if (v !== expected) throw new Error(`channel delivered ${v}, expected ${expected}`);
          expected++;
        }
      }
    })();
    for (const chunk of chunks) await channel.sendMany(chunk);
    channel.close();
    await consumer;
  });
  if (expected !== count) throw new Error(`channel delivered ${expected} of ${count} messages`);
  return perSecond(count, elapsed);
}

export const channelThroughput: Benchmark = {
  name: 'channel-throughput',
  metrics: [UNBATCHED, BATCHED],
  async run({ quick, plan }): Promise<Row[]> {
    const feature = await requireExport('@mesosgot/common', 'Channel', ['send', 'receive', 'close', 'sendMany', 'batches']);
    if (!feature.ok) return unavailableRows(this.metrics, feature.reason);
    const Channel = feature.value as ChannelCtor;
    const count = quick ? 200_000 : 1_000_000;
    const single = await measurePaired(
      () => queueThroughput(new PromiseQueue<number>(QUEUE_CAPACITY), count),
      () => queueThroughput(new Channel(QUEUE_CAPACITY), count),
      plan,
    );
    const batchCount = count * 4;
    const batched = await measurePaired(
      () => queueThroughput(new PromiseQueue<number>(QUEUE_CAPACITY), batchCount),
      () => batchedThroughput(new Channel(QUEUE_CAPACITY), batchCount),
      plan,
    );
    return [
      judge({
        ...UNBATCHED,
        value: single.subject.median,
        baseline: single.baseline.median,
        baselineName: 'promise queue',
        note: `${count} msgs, median of ${plan.rounds}`,
      }),
      judge({
        ...BATCHED,
        value: batched.subject.median,
        baseline: batched.baseline.median,
        baselineName: 'promise queue',
        note: `${batchCount} msgs, median of ${plan.rounds}`,
      }),
    ];
  },
};
