/**
 * executorMain: the entry helper of an executor script (started by an agent). `--help` says what
 * it reads; a missing MESOS_* variable is one line and exit 2; SIGTERM/SIGINT stop the executor
 * gracefully (tasks killed and reported; a second signal exits at once); and when run() resolves
 * — after SHUTDOWN, the agent gone for good, or a stop — the process ends with 0 (DRIVER_STOPPED)
 * or 1, even if a task function that ignored its input still holds timers: an executor never
 * outlives its framework (Mesos' executors also exit after the shutdown grace period).
 *
 *   await executorMain((exec) => {
 *     exec.registerTaskFunc('echo', async (input, output, args) => { … });
 *   });
 */
import { InvalidArgumentError, createStderrLogger, nodeProcessHost, runMain, type Logger, type ProcessHost } from '@mesosgot/common/internal';
import { EXECUTOR_USAGE_EXIT_CODE, GoTaskExecutor, executorUsage, type GoTaskExecutorOptions } from './gotask-executor.js';

/** Options of executorMain. */
export interface ExecutorMainOptions {
  /** Options for the GoTaskExecutor (not `env` or `signal`: the helper owns them). */
  executor?: Omit<GoTaskExecutorOptions, 'env' | 'signal'>;
  /** Where lifecycle milestones go; default a stderr logger. */
  logger?: Logger;
  /** The process seam (tests); default the real process. */
  host?: ProcessHost;
}

/**
 * Lets `setup` register task functions, runs the executor and exits the process (see above).
 * Resolves with the exit code once the host's exit() returned (only a test host returns).
 */
export async function executorMain(setup: (exec: GoTaskExecutor) => void | Promise<void>, options: ExecutorMainOptions = {}): Promise<number> {
  const host = options.host ?? nodeProcessHost();
  const logger = options.logger ?? createStderrLogger({ name: 'GoTaskExecutor', write: (line) => host.writeErr(line) });
  return runMain(
    host,
    async (signal) => {
      const exec = new GoTaskExecutor({ ...options.executor, logger, env: host.env, signal });
      await setup(exec);
      if (host.argv.includes('--help')) {
        host.writeOut(executorUsage(exec.taskKinds()));
        return 0;
      }
      try {
        const status = await exec.run();
        return status === 'DRIVER_STOPPED' || status === 'DRIVER_NOT_STARTED' ? 0 : 1;
      } catch (error) {
        if (!(error instanceof InvalidArgumentError)) throw error;
        host.writeErr(`error: ${error.message}\n\n${executorUsage(exec.taskKinds())}`);
        return EXECUTOR_USAGE_EXIT_CODE;
      }
    },
    (name) => logger.warn(`${name}: stopping the executor (send it again to exit at once)`),
  );
}
