/**
 * Starts an executor (or a command task) the way Mesos' posix launcher does (docs/protocol.md,
 * "CommandInfo and URIs", "Launch path"): `/bin/sh -c <value>` when `shell` is not false, else exec `value` with argv =
 * `arguments`; cwd = sandbox; an explicit environment; stdout/stderr appended to the sandbox
 * files `stdout` and `stderr`. The process leads its own process group (session), so a kill
 * reaches everything it started, as destroying a Mesos container does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';
import type { CommandInfo } from '@mesosgot/common/internal';

/** How a container process ended. */
export interface ContainerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Raw POSIX wait status, as Mesos reports it in FAILURE: exit code << 8, or the signal number. */
  waitStatus: number;
}

export interface LaunchOptions {
  cwd: string;
  env: Record<string, string>;
}

/** One running container process (group). */
export class ContainerProcess {
  /** Resolves once, when the group leader has exited (and the rest of its group was SIGKILLed). */
  readonly exited: Promise<ContainerExit>;
  // Written once by the 'exit' listener; read by hasExited.
  #exit: ContainerExit | undefined;

  private constructor(
    private readonly child: ChildProcess,
    readonly pid: number,
  ) {
    // After a successful spawn 'error' only reports a failed child.kill(), which we never call
    // (kill() signals the group directly); a listener keeps such an event from crashing the agent.
    child.on('error', () => undefined);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.#exit = { code, signal, waitStatus: waitStatusOf(code, signal) };
        // The executor is gone: destroy the rest of its container, as Mesos does, so no
        // grandchild outlives it.
        this.kill('SIGKILL');
        resolve(this.#exit);
      });
    });
  }

  /**
   * Spawns the command. Resolves once the process runs; rejects with the spawn error
   * (e.g. ENOENT for a missing `value` with shell=false) and then leaves nothing running.
   */
  static async launch(command: CommandInfo, { cwd, env }: LaunchOptions): Promise<ContainerProcess> {
    const value = command.value ?? '';
    const out = openSync(join(cwd, 'stdout'), 'a');
    const err = openSync(join(cwd, 'stderr'), 'a');
    try {
      const args = command.arguments ?? [];
      const child =
        command.shell === false
          ? spawn(value, args.slice(1), { cwd, env, detached: true, stdio: ['ignore', out, err], argv0: args[0] ?? value })
          : spawn('/bin/sh', ['-c', value], { cwd, env, detached: true, stdio: ['ignore', out, err] });
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
      });
      return new ContainerProcess(child, child.pid!);
    } finally {
      // The child holds its own copies of the descriptors.
      closeSync(out);
      closeSync(err);
    }
  }

  get hasExited(): boolean {
    return this.#exit !== undefined;
  }

  /** Signals the whole process group; a group that is already gone is not an error. */
  kill(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.pid, signal);
    } catch {
      // ESRCH: every process of the group has exited already, which is what we wanted.
    }
  }
}

function waitStatusOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return (code & 0xff) << 8;
  if (signal !== null) return osConstants.signals[signal] ?? -1;
  return -1;
}
