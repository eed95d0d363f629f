/**
 * What a script's entry helper needs from its process, as one seam: arguments, environment,
 * output, signals and exit. Only the entry helpers (schedulerMain, executorMain) use it; library
 * classes never touch `process`. Tests pass their own host.
 */
import { StoppedError } from '../errors.js';

/** The signals that ask a script to stop gracefully. */
export type StopSignal = 'SIGINT' | 'SIGTERM';

/** The process as an entry helper sees it; `nodeProcessHost()` is the real one, tests pass a fake. */
export interface ProcessHost {
  /** Arguments after the script (`process.argv.slice(2)`). */
  readonly argv: readonly string[];
  /** Path of the script being run (`process.argv[1]`). */
  readonly script: string | undefined;
  /** The environment (`process.env`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Writes to standard output. */
  writeOut(text: string): void;
  /** Writes to standard error. */
  writeErr(text: string): void;
  /** Calls `handler` on each delivery of `signal`; returns the function that removes it. */
  onSignal(signal: StopSignal, handler: () => void): () => void;
  /** Ends the process with `code` (a test host records it instead). */
  exit(code: number): void;
}

/** The real process. */
export function nodeProcessHost(): ProcessHost {
  return {
    argv: process.argv.slice(2),
    script: process.argv[1],
    env: process.env,
    writeOut: (text) => void process.stdout.write(text),
    writeErr: (text) => void process.stderr.write(text),
    onSignal: (signal, handler) => {
      process.on(signal, handler);
      return () => void process.off(signal, handler);
    },
    exit: (code) => process.exit(code),
  };
}

/** Exit status of a process ended by `signal` (the shell's 128 + signal number). */
export const SIGNAL_EXIT_CODES: Readonly<Record<StopSignal, number>> = { SIGINT: 130, SIGTERM: 143 };

/** Why a stop was requested: the signal that asked for it. */
export class StopSignalError extends StoppedError {
  constructor(
    /** The signal that asked for the stop. */
    readonly signal: StopSignal,
  ) {
    super(`stopped by ${signal}`);
  }
}

/**
 * Runs `main` with a signal that the first SIGINT or SIGTERM aborts (reason: StopSignalError) for
 * a graceful stop; a second signal exits at once with 128 + its number. When `main` settles, the
 * handlers are removed and the host exits with the code `main` resolved with (a signal's code if
 * a signal stopped it). Resolves with that code (after exit() on a test host).
 */
export async function runMain(host: ProcessHost, main: (signal: AbortSignal) => Promise<number>, onStopRequest?: (signal: StopSignal) => void): Promise<number> {
  const controller = new AbortController();
  const removers = (['SIGINT', 'SIGTERM'] as const).map((name) =>
    host.onSignal(name, () => {
      if (controller.signal.aborted) {
        host.writeErr(`${name} again: exiting now without cleaning up\n`);
        host.exit(SIGNAL_EXIT_CODES[name]);
        return;
      }
      onStopRequest?.(name);
      controller.abort(new StopSignalError(name));
    }),
  );
  let code: number;
  try {
    code = await main(controller.signal);
  } catch (error) {
    host.writeErr(`error: ${(error as Error)?.message ?? String(error)}\n`);
    code = 1;
  } finally {
    for (const remove of removers) remove();
  }
  const reason = controller.signal.reason as unknown;
  if (reason instanceof StopSignalError) code = SIGNAL_EXIT_CODES[reason.signal];
  host.exit(code);
  return code;
}
