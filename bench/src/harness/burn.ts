/**
 * CPU work for the task-thread benchmarks: a loop the optimiser cannot drop, calibrated in the
 * scheduler's process so that "about 1 s of CPU" means the same on any machine.
 */
import { performance } from 'node:perf_hooks';

/** One round: a few thousand integer steps. */
export const STEPS_PER_ROUND = 10_000;

/** Computes `rounds` rounds without yielding; returns a value that depends on all of them. */
export function burnRounds(rounds: number): number {
  let x = 1;
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < STEPS_PER_ROUND; i++) x = (x * 1103515245 + 12345) % 2147483647;
  }
  return x;
}

/** Rounds that take about `ms` of CPU here (measured on a warm loop). */
export function roundsFor(ms: number): number {
  burnRounds(200);
  const probe = 2_000;
  const start = performance.now();
  burnRounds(probe);
  const perRound = (performance.now() - start) / probe;
  return Math.max(1, Math.round(ms / perRound));
}
