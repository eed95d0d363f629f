/**
 * Persistent volumes on a local agent, laid out as Mesos' agent lays them out:
 * `<workDir>/volumes/roles/<role>/<persistence id>`. A task (or executor) whose resources hold a
 * volume sees it at `<sandbox>/<container_path>`, a symbolic link, as Mesos' `filesystem/posix`
 * isolator makes it; the directory outlives the task and goes only with DESTROY.
 */
import { mkdir, rm, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Resource } from '@mesosgot/common/internal';

/** The persistent volumes among `resources` (disk with `persistence` and `volume`). */
export function persistentVolumes(resources: readonly Resource[] | undefined): Resource[] {
  return (resources ?? []).filter((r) => r.disk?.persistence !== undefined && r.disk.volume !== undefined);
}

/** Where a volume's data lives on the agent; does no I/O. */
export function volumePath(workDir: string, volume: Resource): string {
  // Role and id passed the master's validation (docs/protocol.md, "Ids": no `/`, not `.`/`..`).
  const role = volume.reservations?.at(-1)?.role ?? volume.role ?? '*';
  return join(workDir, 'volumes', 'roles', role, volume.disk!.persistence!.id);
}

/**
 * Creates each volume's directory if new and links it into the sandbox at its container path.
 * Resolves when all links exist; rejects if one cannot be made (the caller fails the launch).
 */
export async function linkVolumes(workDir: string, sandbox: string, volumes: readonly Resource[]): Promise<void> {
  for (const volume of volumes) {
    const target = volumePath(workDir, volume);
    await mkdir(target, { recursive: true });
    const link = join(sandbox, volume.disk!.volume!.container_path);
    await mkdir(dirname(link), { recursive: true });
    try {
      await symlink(target, link, 'dir');
    } catch (error) {
      // A later task of the same executor names the same volume: the link is already there.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/** Deletes destroyed volumes' directories; resolves when they are gone (missing ones are fine). */
export async function removeVolumes(workDir: string, volumes: readonly Resource[]): Promise<void> {
  for (const volume of persistentVolumes(volumes)) await rm(volumePath(workDir, volume), { recursive: true, force: true });
}
