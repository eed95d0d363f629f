/**
 * Sandbox directories, laid out as a real agent lays them out (docs/protocol.md, "Launch path"):
 * `<workDir>/slaves/<AID>/frameworks/<FID>/executors/<EID>/runs/<containerId>`.
 * The same path is the executor's cwd, MESOS_DIRECTORY and MESOS_SANDBOX.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

export interface SandboxLocation {
  workDir: string;
  agentId: string;
  frameworkId: string;
  executorId: string;
  containerId: string;
}

/** The sandbox path for one container run; does no I/O. */
export function sandboxPath({ workDir, agentId, frameworkId, executorId, containerId }: SandboxLocation): string {
  // Ids were validated by the master (docs/protocol.md, "Ids": no `/`, not `.`/`..`), so joining cannot escape workDir.
  return join(workDir, 'slaves', agentId, 'frameworks', frameworkId, 'executors', executorId, 'runs', containerId);
}

/** Creates the sandbox directory (and its parents); resolves with its path. */
export async function createSandbox(location: SandboxLocation): Promise<string> {
  const path = sandboxPath(location);
  await mkdir(path, { recursive: true });
  return path;
}
