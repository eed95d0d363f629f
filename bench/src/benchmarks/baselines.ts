/**
 * The four baselines on their own rows, so the table shows the ceilings the other rows are
 * compared with. Benchmarks that judge a ratio re-measure their baseline in paired rounds with
 * the same sizes; these rows are for reading, not for ratios.
 */
import type { Benchmark } from '../harness/benchmark.js';
import { measure } from '../harness/measure.js';
import { judge, type Row } from '../harness/row.js';
import { percentile } from '../harness/stats.js';
import { PromiseQueue, queueThroughput } from '../baselines/promise-queue.js';
import { httpPostLoop, startHttpSink } from '../baselines/http-post-loop.js';
import { startEchoServer, tcpEchoRtts, tcpEchoThroughput } from '../baselines/tcp-echo.js';
import { jsonParseRate, makeRecords } from '../baselines/json-parse.js';

/** Capacity the Channel benchmark uses too (DEFAULT_CHANNEL_CAPACITY). */
export const QUEUE_CAPACITY = 256;
/** Size of one echoed TCP message: about a short task message in a frame. */
export const ECHO_MESSAGE_BYTES = 64;

export const baselines: Benchmark = {
  name: 'baselines',
  metrics: [
    { metric: 'baseline: promise queue', unit: 'msg/s' },
    { metric: 'baseline: HTTP POST loop (1 msg/call)', unit: 'call/s' },
    { metric: 'baseline: TCP echo, pipelined', unit: 'msg/s' },
    { metric: 'baseline: TCP echo RTT p50', unit: 'ms' },
    { metric: 'baseline: TCP echo RTT p99', unit: 'ms' },
    { metric: 'baseline: JSON.parse 1 KiB', unit: 'rec/s' },
  ],
  async run({ quick, plan }): Promise<Row[]> {
    const rows: Row[] = [];
    const queueCount = quick ? 200_000 : 1_000_000;
    const queue = await measure(() => queueThroughput(new PromiseQueue<number>(QUEUE_CAPACITY), queueCount), plan);
    rows.push(judge({ metric: 'baseline: promise queue', value: queue.median, unit: 'msg/s', note: `${queueCount} msgs, cap ${QUEUE_CAPACITY}` }));

    const calls = quick ? 1_000 : 5_000;
    const sink = await startHttpSink();
    try {
      const http = await measure(() => httpPostLoop(sink.url, calls), plan);
      rows.push(judge({ metric: 'baseline: HTTP POST loop (1 msg/call)', value: http.median, unit: 'call/s', note: `undici keep-alive, ${calls} calls` }));
    } finally {
      await sink.close();
    }

    const echoCount = quick ? 200_000 : 1_000_000;
    const pings = quick ? 2_000 : 10_000;
    const echo = await startEchoServer();
    try {
      const tput = await measure(() => tcpEchoThroughput(echo.port, echoCount, ECHO_MESSAGE_BYTES), plan);
      rows.push(judge({ metric: 'baseline: TCP echo, pipelined', value: tput.median, unit: 'msg/s', note: `${echoCount} × ${ECHO_MESSAGE_BYTES} B` }));
      await tcpEchoRtts(echo.port, Math.ceil(pings / 10), ECHO_MESSAGE_BYTES); // warm-up
      const rtts = await tcpEchoRtts(echo.port, pings, ECHO_MESSAGE_BYTES);
      rows.push(judge({ metric: 'baseline: TCP echo RTT p50', value: percentile(rtts, 50), unit: 'ms', note: `${pings} pings` }));
      rows.push(judge({ metric: 'baseline: TCP echo RTT p99', value: percentile(rtts, 99), unit: 'ms', note: `${pings} pings` }));
    } finally {
      await echo.close();
    }

    const recordCount = quick ? 50_000 : 200_000;
    const records = makeRecords(recordCount);
    const parse = await measure(() => jsonParseRate(records), plan);
    rows.push(judge({ metric: 'baseline: JSON.parse 1 KiB', value: parse.median, unit: 'rec/s', note: `${recordCount} records` }));
    return rows;
  },
};
