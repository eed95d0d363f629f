/**
 * Every benchmark, in the order the table lists them. Baselines first: they show the
 * ceilings the later rows are compared with.
 */
import type { Benchmark } from './harness/benchmark.js';
import { baselines } from './benchmarks/baselines.js';
import { channelThroughput } from './benchmarks/channel-throughput.js';
import { recordioDecode } from './benchmarks/recordio-decode.js';
import { acceptToRunning } from './benchmarks/accept-to-running.js';
import { relayedMessages } from './benchmarks/relayed-messages.js';
import { e2eEncodings, relayEncodings } from './benchmarks/relay-encodings.js';
import { declineRate } from './benchmarks/decline-rate.js';
import { gangPacking } from './benchmarks/gang-packing.js';
import { helloRss, memory } from './benchmarks/memory.js';
import { pingPong } from './benchmarks/ping-pong.js';
import { e2eDirect, e2eMessages } from './benchmarks/e2e-messages.js';
import { statusPageCost } from './benchmarks/status-page-cost.js';
import { taskLaunch } from './benchmarks/task-launch.js';
import { gangSpawn } from './benchmarks/gang-spawn.js';
import { taskThreadsCpu, taskThreadsLight, taskThreadsMemory, taskThreadsRtt } from './benchmarks/task-threads.js';

export const BENCHMARKS: readonly Benchmark[] = [
  baselines,
  channelThroughput,
  recordioDecode,
  gangPacking,
  e2eMessages,
  e2eDirect,
  statusPageCost,
  pingPong,
  taskThreadsCpu,
  taskThreadsRtt,
  taskThreadsLight,
  taskThreadsMemory,
  taskLaunch,
  gangSpawn,
  acceptToRunning,
  declineRate,
  relayedMessages,
  relayEncodings,
  e2eEncodings,
  memory,
  helloRss,
];
