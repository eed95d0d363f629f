/**
 * Benchmarks of the GoTask layer (GoTaskScheduler, GoTaskExecutor), which has not landed yet.
 * Each probes for the exports it needs at run time and shows "not available" with the missing one; when the feature lands, its entry here is
 * replaced by a file of its own in this folder.
 */
import type { MetricSpec } from '../harness/benchmark.js';
import { pendingBenchmark, type Requirement } from '../harness/pending.js';

const GOTASK: Requirement[] = [
  { specifier: '@mesosgot/scheduler', name: 'GoTaskScheduler', methods: ['spawnTask', 'registerSchedFunc', 'run'] },
  { specifier: '@mesosgot/executor', name: 'GoTaskExecutor', methods: ['registerTaskFunc', 'run'] },
  { specifier: '@mesosgot/local', name: 'LocalCluster' },
];

export const memory = pendingBenchmark(
  'memory',
  [
    { metric: 'executor RSS, 100 tasks', unit: 'MB', goals: [{ kind: 'max', value: 80 }] },
    { metric: 'scheduler RSS, 10,000 tasks', unit: 'MB' },
  ],
  GOTASK,
);
