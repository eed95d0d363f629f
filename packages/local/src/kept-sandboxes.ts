/**
 * The sandboxes of failed executors outlive LocalCluster.stop(): their stderr is usually the only
 * record of why they failed, and the cluster's temp work dir goes at stop. Each is moved to its
 * own temp dir, `mesosgot-failed-<framework>-<executor>` (a suffix when that name is taken).
 */
import { cp, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FailedExecutor } from './agent/local-agent-options.js';

/** A failed executor's sandbox after stop(): where it is now. */
export interface KeptSandbox extends FailedExecutor {
  /** The sandbox's directory after stop() (moved out of a work dir the cluster deletes). */
  path: string;
}

/**
 * Moves each failed executor's sandbox out of the work dir about to be deleted (`isMoving`), or
 * leaves it in place in a work dir the caller owns. Resolves with where each one is; a sandbox
 * that no longer exists (or cannot be moved) is left out, never an error: stop() must go on.
 */
export async function keepSandboxes(failed: readonly FailedExecutor[], isMoving: boolean): Promise<KeptSandbox[]> {
  const kept: KeptSandbox[] = [];
  for (const executor of failed) {
    if (!(await stat(executor.sandbox).then((s) => s.isDirectory(), () => false))) continue;
    if (!isMoving) {
      kept.push({ ...executor, path: executor.sandbox });
      continue;
    }
    const path = await moveOut(executor).catch(() => undefined);
    if (path !== undefined) kept.push({ ...executor, path });
  }
  return kept;
}

/** One line naming every kept sandbox, for the cluster's log. */
export function describeKeptSandboxes(kept: readonly KeptSandbox[]): string {
  const each = kept.map((k) => `${k.executorId} (${k.why}) at ${k.path}`).join('; ');
  return `kept the sandbox${kept.length === 1 ? '' : 'es'} of ${kept.length} failed executor${kept.length === 1 ? '' : 's'} (delete when done): ${each}`;
}

async function moveOut(executor: FailedExecutor): Promise<string> {
  const name = `mesosgot-failed-${safe(executor.frameworkId)}-${safe(executor.executorId)}`;
  // A fresh dir (random suffix) when the plain name is taken by an earlier run's kept sandbox.
  let target = join(tmpdir(), name);
  if (await stat(target).then(() => true, () => false)) target = await mkdtemp(`${target}-`);
  try {
    // rename() replaces an empty target dir (the mkdtemp one) on POSIX.
    await rename(executor.sandbox, target);
  } catch (error) {
    // A work dir on another file system than the temp dir: copy, then let stop() delete the original.
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    await cp(executor.sandbox, target, { recursive: true });
    await rm(executor.sandbox, { recursive: true, force: true });
  }
  return target;
}

/** Ids may hold characters a file name should not (`/`); Mesos ids are mostly [A-Za-z0-9._-]. */
function safe(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, '_');
}
