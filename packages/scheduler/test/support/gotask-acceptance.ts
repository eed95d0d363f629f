// Shared pieces of the GoTask acceptance tests: the Jest hooks that bundle the
// acceptance executor and clean up after each test, a LocalCluster starter that keeps the
// cluster (agents, sandboxes) in reach of the test, and readers for the evidence executors
// leave in their sandboxes.
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from '@jest/globals';
import { TimeoutError, type ReceiveChannel, type TaskMsg } from '@mesosgot/common';
import { LocalCluster } from '@mesosgot/local';
import { bundleScript } from '@mesosgot/cli/internal';
import type { LocalClusterStarter, SchedEvent } from '@mesosgot/scheduler';
import { runCleanups } from './run-cleanups.js';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

/** Bundles the acceptance executor (or `entry`) into `dir`; resolves with the bundle path. */
export function bundleExecutor(dir: string, entry = join(FIXTURES, 'gotask-acceptance-executor.ts')): Promise<string> {
  return bundleScript(entry, join(dir, 'app_executor.mjs'));
}

export function text(m: TaskMsg): string {
  return typeof m.data === 'string' ? m.data : Buffer.from(m.data).toString('utf8');
}

/** A temp dir for one test: `work` (the cluster's sandboxes, kept after stop) and `marks`. */
export interface Scratch {
  root: string;
  work: string;
  marks: string;
  remove: () => Promise<void>;
}

/** Makes a Scratch under the OS temp dir; `remove` deletes it. */
export async function scratch(prefix: string): Promise<Scratch> {
  const root = await mkdtemp(join(tmpdir(), `${prefix}-`));
  return { root, work: join(root, 'work'), marks: root, remove: () => rm(root, { recursive: true, force: true }) };
}

/**
 * A `localCluster` starter whose cluster the test can inspect: sandboxes under `workDir` (not
 * deleted by stop), `agentResources` overriding the config's, a short shutdown grace.
 */
export class ClusterProbe {
  cluster: LocalCluster | undefined;
  stopped = false;

  constructor(private readonly settings: { workDir: string; agentResources?: string; agents?: number }) {}

  readonly starter: LocalClusterStarter = async ({ agents, agentResources, refuseSeconds }) => {
    const cluster = new LocalCluster({
      agents: this.settings.agents ?? agents,
      agentResources: this.settings.agentResources ?? agentResources,
      offerRefuseDefault: refuseSeconds,
      executorShutdownGracePeriodMs: 3_000,
      workDir: this.settings.workDir,
    });
    this.cluster = cluster;
    const masterUrl = await cluster.start();
    return {
      masterUrl,
      stop: async () => {
        await cluster.stop();
        this.stopped = true;
      },
    };
  };

  /** Executors (processes) the agents currently run. */
  executorCount(): number {
    return this.cluster?.agents.reduce((n, a) => n + a.executors().length, 0) ?? 0;
  }

  /** Stops the cluster if a failed test left it running. */
  async cleanup(): Promise<void> {
    if (this.cluster !== undefined && !this.stopped) await this.cluster.stop();
  }
}

/** What acceptanceSuite() gives a test file. */
export interface AcceptanceSuite<K extends string> {
  /** The bundled acceptance executor (throws before beforeAll has run). */
  readonly bundle: string;
  /** The bundle of one of the suite's extra entries. */
  bundleOf(name: K): string;
  /** A scratch dir (see scratch()) that is removed after the current test. */
  scratch(prefix: string): Promise<Scratch>;
  /** A ClusterProbe whose cluster is stopped after the current test if the test left it running. */
  probe(settings: ConstructorParameters<typeof ClusterProbe>[0]): ClusterProbe;
}

/**
 * Registers the file's Jest hooks: beforeAll makes a temp dir named for `name` and bundles the
 * acceptance executor into it, then each of `extra` (name → entry) into a subdirectory (60 s:
 * esbuild on a cold cache); afterEach runs the cleanups of what the test made through
 * suite.scratch()/suite.probe(), in the order it made them, all of them even if one fails;
 * afterAll removes the temp dir. Call once, at the top level of a test file.
 */
export function acceptanceSuite<K extends string = never>(name: string, extra: Record<K, string> = {} as Record<K, string>): AcceptanceSuite<K> {
  let dir: string | undefined;
  let bundle: string | undefined;
  const bundles = new Map<string, string>();
  let cleanups: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), `${name}-`));
    bundle = await bundleExecutor(dir);
    for (const [key, entry] of Object.entries<string>(extra)) bundles.set(key, await bundleExecutor(join(dir, key), entry));
  }, 60_000);
  afterEach(async () => {
    const pending = cleanups;
    cleanups = [];
    await runCleanups(pending);
  });
  afterAll(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });
  const bundled = (what: string, path: string | undefined): string => {
    if (path === undefined) throw new Error(`acceptanceSuite(${name}): ${what} is not bundled (use it inside a test)`);
    return path;
  };
  return {
    get bundle(): string {
      return bundled('the acceptance executor', bundle);
    },
    bundleOf(key: K): string {
      return bundled(key, bundles.get(key));
    },
    async scratch(prefix: string): Promise<Scratch> {
      const s = await scratch(prefix);
      cleanups.push(s.remove);
      return s;
    },
    probe(settings): ClusterProbe {
      const probe = new ClusterProbe(settings);
      cleanups.push(() => probe.cleanup());
      return probe;
    },
  };
}

export interface SandboxEvidence {
  sandbox: string;
  pid: number;
  updates: { taskId?: string; state?: string; message?: string; event?: string }[];
}

/** Every executor sandbox under `workDir` that the acceptance executor wrote into. */
export async function readSandboxes(workDir: string): Promise<SandboxEvidence[]> {
  if (!existsSync(workDir)) return [];
  const out: SandboxEvidence[] = [];
  const entries = await readdir(workDir, { recursive: true });
  for (const rel of entries) {
    if (!rel.endsWith('executor.pid')) continue;
    const sandbox = join(workDir, rel, '..');
    const pid = Number(await readFile(join(sandbox, 'executor.pid'), 'utf8'));
    const log = existsSync(join(sandbox, 'updates.jsonl')) ? await readFile(join(sandbox, 'updates.jsonl'), 'utf8') : '';
    out.push({ sandbox, pid, updates: log.split('\n').filter(Boolean).map((l) => JSON.parse(l) as SandboxEvidence['updates'][number]) });
  }
  return out;
}

/** Executor sandboxes (directories) the agents created, whether or not a process wrote in them. */
export async function sandboxDirs(workDir: string): Promise<string[]> {
  if (!existsSync(workDir)) return [];
  const entries = await readdir(workDir, { recursive: true });
  return entries.filter((rel) => /(^|\/)runs\/[^/]+$/.test(rel));
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Drains `schedEvents` into `into` (with arrival times) until the channel closes. */
export function collectEvents(schedEvents: ReceiveChannel<SchedEvent>, into: SchedEvent[], times?: number[]): Promise<void> {
  return (async () => {
    for await (const e of schedEvents) {
      into.push(e);
      times?.push(performance.now());
    }
  })();
}

export type EventOf<T extends SchedEvent['type']> = Extract<SchedEvent, { type: T }>;

export function eventsOf<T extends SchedEvent['type']>(events: readonly SchedEvent[], type: T): EventOf<T>[] {
  return events.filter((e): e is EventOf<T> => e.type === type);
}

/**
 * Resolves like `work`, or rejects with TimeoutError after `timeoutMs`: a scheduler function
 * that waits on schedIn must fail at a deadline, not hang, when the promise under test is broken
 * (its rejection makes run() tear down, which closes schedIn and ends the abandoned loop).
 */
export async function within<T>(timeoutMs: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(what, timeoutMs)), timeoutMs);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
