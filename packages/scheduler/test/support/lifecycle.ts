// Shared pieces of the lifecycle regression tests: a logger that keeps its lines, and one way to
// run a small app on the embedded cluster with the lifecycle executor (fixtures/lifecycle-executor.ts)
// and see everything: events (from the observer, so also those before the scheduler function
// starts), log lines, and how run() settled and when.
import { join } from 'node:path';
import type { Logger, SendChannel, TaskMsg } from '@mesosgot/common/internal';
import { GoTaskScheduler, parseSchedulerConfig, type GoTaskSchedulerOptions, type SchedEvent, type SchedFunc } from '@mesosgot/scheduler/internal';
import { FIXTURES, type AcceptanceSuite, type ClusterProbe, type Scratch } from './gotask-acceptance.js';

export const LIFECYCLE_EXECUTOR = join(FIXTURES, 'lifecycle-executor.ts');

/** A Logger whose lines (`<level> <message> k=v…`) land in `lines`. */
export function memoryLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    const extra = fields ? Object.entries(fields).filter(([, v]) => v !== undefined).map(([k, v]) => ` ${k}=${String(v)}`).join('') : '';
    lines.push(`${level} ${message}${extra}`);
  };
  return { logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, lines };
}

export interface AppRun {
  sched: GoTaskScheduler;
  events: SchedEvent[];
  lines: string[];
  probe: ClusterProbe | undefined;
  scratch: Scratch;
  /** Settles like run(): the error, or undefined when it resolved. */
  outcome: Promise<unknown>;
  /** ms from run() to its settling (set when settled). */
  settledMs: number | undefined;
}

export interface AppSpec {
  flags?: string[];
  /** Agent resources of the embedded cluster (default cpus:2;mem:2048). */
  agentResources?: string;
  agents?: number;
  spawn: (sched: GoTaskScheduler, marks: string) => void;
  schedFunc: SchedFunc;
  options?: GoTaskSchedulerOptions;
  /** false: no embedded cluster (flags name the master). */
  isLocal?: boolean;
}

/** Starts run() of a small app; the scratch dir and cluster are cleaned up after the test. */
export async function startApp(suite: AcceptanceSuite<'lifecycle'>, spec: AppSpec): Promise<AppRun> {
  const scratch = await suite.scratch('lifecycle');
  const isLocal = spec.isLocal ?? true;
  const probe = isLocal ? suite.probe({ workDir: scratch.work, agentResources: spec.agentResources ?? 'cpus:2;mem:2048', agents: spec.agents ?? 1 }) : undefined;
  const { logger, lines } = memoryLogger();
  const events: SchedEvent[] = [];
  const config = parseSchedulerConfig(['--executor', suite.bundleOf('lifecycle'), ...(spec.flags ?? [])], {});
  const sched = new GoTaskScheduler(config, { logger, onEvent: (e) => events.push(e), ...(probe ? { localCluster: probe.starter } : {}), ...spec.options });
  spec.spawn(sched, scratch.marks);
  sched.registerSchedFunc(spec.schedFunc);
  const started = performance.now();
  const app: AppRun = { sched, events, lines, probe, scratch, outcome: Promise.resolve(), settledMs: undefined };
  app.outcome = sched.run().then(
    () => undefined,
    (error: unknown) => error,
  ).finally(() => (app.settledMs = performance.now() - started));
  return app;
}

/** The sandbox paths named by the embedded cluster's "kept the sandbox…" log line(s). */
export function keptPaths(lines: readonly string[]): string[] {
  return lines.filter((l) => l.includes('kept the sandbox')).flatMap((l) => [...l.matchAll(/ at (\S+?)(?=;|$)/g)].map((m) => m[1]!));
}

export function text(data: TaskMsg['data']): string {
  return typeof data === 'string' ? data : Buffer.from(data).toString('utf8');
}

/** Fills `taskName`'s queue of schedOut (1 KiB messages) until a send would wait; resolves with how many went in. */
export function fillUntilBlocked(schedOut: SendChannel<TaskMsg>, taskName: string): number {
  let n = 0;
  while (schedOut.trySend({ taskName, data: 'x'.repeat(1024) })) n++;
  return n;
}

/** Sends 1 KiB messages to `taskName` until a send rejects; resolves with that rejection. */
export async function floodUntilRejected(schedOut: SendChannel<TaskMsg>, taskName: string): Promise<unknown> {
  try {
    for (;;) await schedOut.send({ taskName, data: 'x'.repeat(1024) });
  } catch (error) {
    return error;
  }
}

/** A scheduler function that tells `taskId` (a diesloud task) to die once it says it is ready. */
export function dieWhenReady(taskId: string): SchedFunc {
  return async (schedIn, schedOut) => {
    for await (const m of schedIn) {
      if (text(m.data).startsWith('ready:')) await schedOut.send({ taskName: taskId, data: 'die' });
    }
  };
}
