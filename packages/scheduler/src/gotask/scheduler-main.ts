/**
 * schedulerMain: the entry helper of a scheduler script. It does what library classes never do:
 * reads argv and the environment into a SchedulerConfig, answers `--help` (exit 0) and bad flags
 * (one line and the usage, exit 2), finds the executor bundle beside the script, turns the first
 * SIGINT/SIGTERM into a graceful stop (the scheduler function sees Shutdown, its `finally` blocks
 * run, the framework is torn down and the embedded cluster's temp directory removed) and a second
 * into an immediate exit, and exits with a code that says how run() ended.
 *
 *   await schedulerMain((sched) => {
 *     sched.spawnTask('echo', 4, { cpus: 0.1, mem: 64 });
 *     sched.registerSchedFunc(async (schedIn, schedOut, schedEvents) => { … });
 *   });
 */
import {
  InvalidArgumentError,
  createStderrLogger,
  nodeProcessHost,
  runMain,
  type Logger,
  type ProcessHost,
} from '@mesosgot/common/internal';
import { USAGE_ERROR_EXIT_CODE, formatHelp, parseSchedulerConfig, type FlagSpec, type SchedulerConfig } from './config.js';
import { GoTaskScheduler, defaultExecutorBundle, type GoTaskSchedulerOptions } from './gotask-scheduler.js';

/** Exit codes of a scheduler script (a signal's stop exits 130 for SIGINT, 143 for SIGTERM). */
export const EXIT_OK = 0;
/** run() rejected: a task failure, the scheduler function threw, the master refused or was unreachable. */
export const EXIT_FAILED = 1;

/** Options of schedulerMain. */
export interface SchedulerMainOptions {
  /** The application's own flags (listed in --help, values in `config.appFlags`). */
  extraFlags?: readonly FlagSpec[];
  /** First line of --help. */
  usage?: string;
  /** Options for the GoTaskScheduler (not `signal`: the helper owns it). */
  scheduler?: Omit<GoTaskSchedulerOptions, 'signal'>;
  /** Replaces the default stderr logger (at `--log-level`). */
  logger?: (config: SchedulerConfig) => Logger;
  /** The process seam (tests); default the real process. */
  host?: ProcessHost;
}

/**
 * Parses the command line, lets `setup` declare tasks and register the scheduler function, runs
 * the scheduler and exits the process: 0 when run() resolved, 1 when it rejected (the reason is
 * logged), 2 for a usage error, 130/143 after a SIGINT/SIGTERM stop. `setup` throwing counts as
 * a failure (1; an InvalidArgumentError from a declaration as usage, 2). Resolves with the exit
 * code once the host's exit() returned (only a test host returns).
 */
export async function schedulerMain(
  setup: (sched: GoTaskScheduler, config: SchedulerConfig) => void | Promise<void>,
  options: SchedulerMainOptions = {},
): Promise<number> {
  const host = options.host ?? nodeProcessHost();
  const helpText = (): string => formatHelp({ ...(options.usage ? { usage: options.usage } : {}), ...(options.extraFlags ? { extraFlags: options.extraFlags } : {}) });
  let config: SchedulerConfig;
  try {
    config = parseSchedulerConfig(host.argv, host.env, { ...(options.extraFlags ? { extraFlags: options.extraFlags } : {}) });
  } catch (error) {
    if (!(error instanceof InvalidArgumentError)) throw error;
    host.writeErr(`error: ${error.message}\n\n${helpText()}`);
    host.exit(USAGE_ERROR_EXIT_CODE);
    return USAGE_ERROR_EXIT_CODE;
  }
  if (config.help) {
    host.writeOut(helpText());
    host.exit(EXIT_OK);
    return EXIT_OK;
  }
  // Neither --executor nor --executor-command: the bundle beside the scheduler script.
  if (config.executor === undefined && config.executorCommand === undefined) {
    const bundle = defaultExecutorBundle(host.script);
    if (bundle !== undefined) config = { ...config, executor: bundle };
  }
  const logger = options.logger?.(config) ?? createStderrLogger({ level: config.logLevel, write: (line) => host.writeErr(line) });
  return runMain(
    host,
    async (signal) => {
      const sched = new GoTaskScheduler(config, { ...options.scheduler, logger, signal });
      try {
        await setup(sched, config);
      } catch (error) {
        if (!(error instanceof InvalidArgumentError)) throw error;
        host.writeErr(`error: ${error.message}\n`);
        return USAGE_ERROR_EXIT_CODE;
      }
      try {
        await sched.run();
        return EXIT_OK;
      } catch {
        // run() logged why; a stop by signal is not a failure (runMain turns it into 130/143).
        return EXIT_FAILED;
      }
    },
    (name) => logger.warn(`${name}: stopping gracefully (send it again to exit at once)`),
  );
}
