// Shared pieces of the fault-injection cluster tests (test/cluster/faults-*.test.ts): the
// bundled executor and the Jest hooks that stop what a test started, a LocalCluster starter that keeps a handle for fault injection, a checker
// of the numbered message streams, a ledger of task events, and process bookkeeping.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from '@jest/globals';
import type { TaskMsg } from '@mesosgot/common';
import { LocalCluster, type LocalClusterOptions } from '@mesosgot/local';
import { bundleScript } from '@mesosgot/cli/internal';
import { waitFor } from '@mesosgot/local/testing';
import type { LocalClusterStarter, SchedEvent } from '../../src/index.js';
import { runCleanups } from './run-cleanups.js';

/** Bundles fixtures/faults-app-executor.ts into a fresh temp dir; `cleanup` removes it. */
export async function bundleFaultsExecutor(): Promise<{ bundle: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'faults-'));
  const bundle = await bundleScript(join(import.meta.dirname, '..', 'fixtures', 'faults-app-executor.ts'), join(dir, 'app_executor.mjs'));
  return { bundle, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Anything a fault test starts and must end: a cluster (or ClusterHandle), a proxy. */
export type Stoppable = { stop(): Promise<void> } | { close(): Promise<void> };

/** What faultsSuite() gives a test file. */
export interface FaultsSuite {
  /** The bundled faults-app-executor (throws before beforeAll has run). */
  readonly bundle: string;
  /** Stops (or closes) `thing` after the current test, last tracked first; returns `thing`. */
  track<T extends Stoppable>(thing: T): T;
}

/**
 * Registers the file's Jest hooks: beforeAll bundles the executor (60 s: esbuild on a cold
 * cache), afterEach stops everything the test tracked — even when the test failed before it
 * got to stop it — and afterAll removes the bundle. Call once, at the top level of a test file.
 */
export function faultsSuite(): FaultsSuite {
  let bundled: { bundle: string; cleanup: () => Promise<void> } | undefined;
  let tracked: Stoppable[] = [];
  beforeAll(async () => {
    bundled = await bundleFaultsExecutor();
  }, 60_000);
  afterAll(async () => {
    await bundled?.cleanup();
  });
  afterEach(async () => {
    // Last started, first stopped: a proxy goes before the cluster behind it.
    const things = tracked.reverse();
    tracked = [];
    await runCleanups(things.map((thing) => () => ('stop' in thing ? thing.stop() : thing.close())));
  });
  return {
    get bundle(): string {
      if (bundled === undefined) throw new Error('faultsSuite: the executor is not bundled yet (use bundle inside a test)');
      return bundled.bundle;
    },
    track<T extends Stoppable>(thing: T): T {
      tracked.push(thing);
      return thing;
    },
  };
}

/**
 * A `localCluster` seam that starts a LocalCluster and keeps it, so a test can inject faults
 * (`cluster.stopAgent(i)`, `killExecutor`, `dropSubscription`) while the scheduler runs, and
 * stop it in afterEach even when run() never got that far.
 */
export class ClusterHandle {
  cluster: LocalCluster | undefined;
  /** Every executor pid any agent reported while sampling (see sample()). */
  readonly pids = new Set<number>();
  #sampler: NodeJS.Timeout | undefined;

  constructor(private readonly extra: LocalClusterOptions = {}) {}

  readonly starter: LocalClusterStarter = async ({ agents, agentResources, refuseSeconds }) => {
    const cluster = new LocalCluster({ agents, agentResources, offerRefuseDefault: refuseSeconds, executorShutdownGracePeriodMs: 2_000, ...this.extra });
    this.cluster = cluster;
    const masterUrl = await cluster.start();
    this.#sampler = setInterval(() => this.sample(), 25);
    return { masterUrl, stop: () => this.stop() };
  };

  get started(): LocalCluster {
    if (this.cluster === undefined) throw new Error('the cluster was not started');
    return this.cluster;
  }

  /** Records the pids of every executor the agents report right now. */
  sample(): void {
    for (const agent of this.cluster?.agents ?? []) {
      for (const e of agent.executors()) if (e.pid !== undefined) this.pids.add(e.pid);
    }
  }

  async stop(): Promise<void> {
    if (this.#sampler !== undefined) clearInterval(this.#sampler);
    this.#sampler = undefined;
    this.sample();
    await this.cluster?.stop();
  }
}

/** True while a process with this pid exists (signal 0 only checks). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** Pids among `pids` still alive after a short grace (the kernel reaps asynchronously). */
export async function survivors(pids: Iterable<number>): Promise<number[]> {
  const list = [...pids];
  try {
    await waitFor(() => list.every((p) => !isAlive(p)), { timeoutMs: 3_000, what: 'every executor process gone' });
  } catch {
    // Reported by the caller's assertion on the list below, which names the pids.
  }
  return list.filter(isAlive);
}

export function text(m: TaskMsg): string {
  return typeof m.data === 'string' ? m.data : Buffer.from(m.data).toString('utf8');
}

/**
 * Checks the numbered streams of faults-app-executor: per task and prefix (`e` echoes, `n`
 * produced), numbers must arrive as 0, 1, 2, … — a gap is a loss, a repeat a duplicate, a
 * smaller number a reordering. `ready` and `bad:` are counted separately.
 */
export class SeqChecker {
  readonly next = new Map<string, number>();
  readonly ready = new Map<string, number>();
  readonly problems: string[] = [];
  total = 0;

  accept(m: TaskMsg): void {
    const data = text(m);
    this.total++;
    if (data === 'ready') {
      this.ready.set(m.taskName, (this.ready.get(m.taskName) ?? 0) + 1);
      return;
    }
    const match = /^([en]):(\d+)$/.exec(data);
    if (match === null) {
      this.problems.push(`${m.taskName}: unexpected ${data}`);
      return;
    }
    const key = `${m.taskName}/${match[1]}`;
    const n = Number(match[2]);
    const expected = this.next.get(key) ?? 0;
    if (n !== expected) this.problems.push(`${key}: got ${n}, expected ${expected}`);
    this.next.set(key, Math.max(expected, n + 1));
  }

  /** How many of `prefix` arrived in order from `task`. */
  count(task: string, prefix: 'e' | 'n'): number {
    return this.next.get(`${task}/${prefix}`) ?? 0;
  }

  /** Forget a task's streams: it was relaunched and starts from 0 again. */
  restart(task: string): void {
    this.next.delete(`${task}/e`);
    this.next.delete(`${task}/n`);
  }
}

type TaskEvent = Extract<SchedEvent, { taskId: string }>;

/** Every SchedEvent, with per-task counts and a check that no status update came twice. */
export class EventLog {
  readonly events: SchedEvent[] = [];
  readonly #uuids = new Set<string>();
  readonly duplicates: string[] = [];

  push(e: SchedEvent): void {
    this.events.push(e);
    const status = 'taskId' in e ? e.status : undefined;
    if (status?.uuid !== undefined) {
      const key = `${status.task_id.value}/${status.uuid}`;
      if (this.#uuids.has(key)) this.duplicates.push(`${e.type} ${key}`);
      this.#uuids.add(key);
    }
  }

  /** Consumes schedEvents until the channel closes. */
  async drain(events: AsyncIterable<SchedEvent>): Promise<void> {
    for await (const e of events) this.push(e);
  }

  count(type: SchedEvent['type'], taskId?: string): number {
    return this.events.filter((e) => e.type === type && (taskId === undefined || (e as TaskEvent).taskId === taskId)).length;
  }

  has(type: SchedEvent['type'], taskId?: string): boolean {
    return this.count(type, taskId) > 0;
  }

  ofType<T extends SchedEvent['type']>(type: T): Extract<SchedEvent, { type: T }>[] {
    return this.events.filter((e): e is Extract<SchedEvent, { type: T }> => e.type === type);
  }
}

/**
 * The usual load of a faults test, started from inside a scheduler function: `log` takes every
 * event, `seq` every message from the tasks, and each of `tasks` is sent `m:0` … `m:<count-1>`
 * round-robin (faults-app-executor's chat echoes them). Resolves when the last was sent.
 */
export function chatTraffic(
  channels: { schedIn: AsyncIterable<TaskMsg>; schedOut: { send(msg: TaskMsg): Promise<void> }; schedEvents: AsyncIterable<SchedEvent> },
  log: EventLog,
  seq: SeqChecker,
  tasks: readonly string[],
  count: number,
): Promise<void> {
  void log.drain(channels.schedEvents);
  void (async () => {
    for await (const m of channels.schedIn) seq.accept(m);
  })();
  return (async () => {
    for (let k = 0; k < count; k++) for (const t of tasks) await channels.schedOut.send({ taskName: t, data: `m:${k}` });
  })();
}
