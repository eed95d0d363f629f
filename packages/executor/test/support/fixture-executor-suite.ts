// The shared frame of the executor cluster tests (test/cluster/*.test.ts): a fixture executor
// (test/fixtures/<name>.ts) bundled once per file and run by the agents as a real process, the
// Jest hooks that stop what each test started, and readers for what that process leaves behind
// (its pid, its sandbox, the JSON lines it logs there).
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from '@jest/globals';
import type { ExecutorInfo, Resource } from '@mesosgot/common';
import type { LocalCluster } from '@mesosgot/local';
import { bundleScript } from '@mesosgot/cli/internal';
import { waitFor } from '@mesosgot/local/testing';

/** What the tests give each task and each executor: small enough for many on one agent. */
export const SMALL_RESOURCES: Resource[] = [
  { name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } },
  { name: 'mem', type: 'SCALAR', scalar: { value: 32 } },
];

/** Anything a test starts and must end: a LocalCluster, an HttpScheduler, a LinkScheduler. */
export type Stoppable = { stop(): Promise<void> } | { close(): Promise<void> };

/** What fixtureExecutorSuite() gives a test file. */
export interface FixtureExecutorSuite {
  /** The bundled fixture (throws before beforeAll has run). */
  readonly bundle: string;
  /** An ExecutorInfo whose command runs the bundle (fetched into the sandbox) with this node. */
  executorInfo(executorId: string, name: string): ExecutorInfo;
  /** Stops (or closes) `thing` after the current test, last tracked first; returns `thing`. */
  track<T extends Stoppable>(thing: T): T;
}

/**
 * Registers the file's Jest hooks: beforeAll bundles test/fixtures/`fixture`.ts into a temp dir,
 * afterEach stops what the test tracked — even when the test failed before it got to stop it —
 * and afterAll removes the temp dir. Call once, at the top level of a test file.
 */
export function fixtureExecutorSuite(fixture: string): FixtureExecutorSuite {
  let dir: string | undefined;
  let bundle: string | undefined;
  let tracked: Stoppable[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), `${fixture}-bundle-`));
    bundle = await bundleScript(join(import.meta.dirname, '..', 'fixtures', `${fixture}.ts`), join(dir, `${fixture}.mjs`));
  });
  afterAll(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    // Last started, first stopped: the link end and the scheduler before the cluster under them.
    const things = tracked.reverse();
    tracked = [];
    for (const thing of things) await ('stop' in thing ? thing.stop() : thing.close());
  });
  const bundled = (): string => {
    if (bundle === undefined) throw new Error(`fixtureExecutorSuite(${fixture}): not bundled yet (use bundle inside a test)`);
    return bundle;
  };
  return {
    get bundle(): string {
      return bundled();
    },
    executorInfo(executorId: string, name: string): ExecutorInfo {
      return {
        executor_id: { value: executorId },
        name,
        command: { value: `"${process.execPath}" ${fixture}.mjs`, shell: true, uris: [{ value: bundled(), extract: false }] },
        resources: SMALL_RESOURCES,
      };
    },
    track<T extends Stoppable>(thing: T): T {
      tracked.push(thing);
      return thing;
    },
  };
}

/** Waits (10 s) until the first agent runs `executorId` as a process; its sandbox and pid. */
export async function executorProcess(cluster: LocalCluster, executorId: string): Promise<{ sandbox: string; pid: number }> {
  const snapshot = await waitFor(() => cluster.agents[0]!.executors().find((e) => e.executorId === executorId && e.pid !== undefined), {
    what: `executor ${executorId} running`,
    timeoutMs: 10_000,
  });
  return { sandbox: snapshot.sandbox, pid: snapshot.pid! };
}

/** One line the fixture logged: `kind` says what happened, the rest is its detail. */
export interface SandboxEvent {
  kind: string;
  [key: string]: unknown;
}

/** The JSON lines the fixture appended to `file` in its sandbox so far ([] before the first). */
export function sandboxEvents(sandbox: string, file: string): SandboxEvent[] {
  const path = join(sandbox, file);
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as SandboxEvent);
}

/** True while a process with this pid exists and may be signalled (signal 0 only checks). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
