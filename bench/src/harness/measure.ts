/**
 * Rounds, warm-up and medians. The machine is noisy (docs/design.md, "Measured speed"), so every
 * figure is the median of several rounds taken after unrecorded warm-up rounds, and a ratio
 * is taken between a subject and its baseline measured in alternating rounds of the same run.
 */
import { performance } from 'node:perf_hooks';
import { InvalidArgumentError } from '@mesosgot/common';
import { median } from './stats.js';

/** How many rounds to run. Warm-up rounds let V8 optimise and pools fill; they are discarded. */
export interface RoundPlan {
  warmup: number;
  rounds: number;
}

/** The recorded samples of one measured quantity and their median. */
export interface Sampled {
  samples: number[];
  median: number;
}

/** One round: resolves with the round's figure (ops/s, ms, bytes...). */
export type Round = () => number | Promise<number>;

function checkPlan(plan: RoundPlan): void {
  if (!Number.isInteger(plan.warmup) || plan.warmup < 0) {
    throw new InvalidArgumentError('warmup', plan.warmup, 'must be an integer ≥ 0');
  }
  if (!Number.isInteger(plan.rounds) || plan.rounds < 1) {
    throw new InvalidArgumentError('rounds', plan.rounds, 'must be an integer ≥ 1');
  }
}

/**
 * Runs `plan.warmup` discarded rounds, then `plan.rounds` recorded ones, one after the other.
 * Resolves with the recorded figures and their median; rejects with the first round's error.
 */
export async function measure(round: Round, plan: RoundPlan): Promise<Sampled> {
  checkPlan(plan);
  for (let i = 0; i < plan.warmup; i++) await round();
  const samples: number[] = [];
  for (let i = 0; i < plan.rounds; i++) samples.push(await round());
  return { samples, median: median(samples) };
}

/**
 * Like `measure`, for a baseline and a subject doing the same work: each round runs both,
 * alternating which goes first, so drift (thermal, GC debt, other processes) falls on both.
 */
export async function measurePaired(
  baseline: Round,
  subject: Round,
  plan: RoundPlan,
): Promise<{ baseline: Sampled; subject: Sampled }> {
  checkPlan(plan);
  const b: number[] = [];
  const s: number[] = [];
  for (let i = 0; i < plan.warmup + plan.rounds; i++) {
    let bv: number;
    let sv: number;
    if (i % 2 === 0) {
      bv = await baseline();
      sv = await subject();
    } else {
      sv = await subject();
      bv = await baseline();
    }
    if (i >= plan.warmup) {
      b.push(bv);
      s.push(sv);
    }
  }
  return { baseline: { samples: b, median: median(b) }, subject: { samples: s, median: median(s) } };
}

/** Milliseconds `fn` takes to settle (rejections propagate). */
export async function timeMs(fn: () => unknown): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}
