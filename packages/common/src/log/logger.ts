/**
 * The pluggable logger of the GoTask layer: lifecycle milestones (subscribed, gang launched,
 * allocation pending, retrying, draining, teardown) go here as one line each, so nothing a user
 * must know lives only on an unread events channel. Anything with `debug/info/warn/error` fits;
 * `createStderrLogger` is the default, `SILENT_LOGGER` discards.
 */

/** Levels, least to most severe; a logger at `warn` writes warn and error. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** Every LogLevel, from the most verbose to `silent`. */
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

/** Level of the default logger when none is given (`--log-level`). */
export const DEFAULT_LOG_LEVEL: LogLevel = 'info';

/** Structured extras of a log line (ids, sizes, causes); written as `key=value`. */
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

/**
 * Where the library reports lifecycle milestones and problems it works around. Supply your own to
 * route them elsewhere; createStderrLogger is the default and SILENT_LOGGER discards everything.
 */
export interface Logger {
  /** Detail for diagnosing a problem. */
  debug(message: string, fields?: LogFields): void;
  /** A lifecycle milestone (subscribed, tasks running, torn down). */
  info(message: string, fields?: LogFields): void;
  /** Something unexpected that the library works around. */
  warn(message: string, fields?: LogFields): void;
  /** A failure. */
  error(message: string, fields?: LogFields): void;
}

/** Discards everything (tests, or an app that reads the events itself). */
export const SILENT_LOGGER: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** Options of createStderrLogger. */
export interface StderrLoggerOptions {
  /** Least severe level written (default `info`); `silent` writes nothing. */
  level?: LogLevel;
  /** Prefix of every line (default `mesosgot`). */
  name?: string;
  /** Where lines go (default: process.stderr). */
  write?: (line: string) => void;
  /** Clock for the time stamp (tests). */
  now?: () => Date;
}

/**
 * The default logger: one concise line per call on stderr,
 * `12:00:01.234 mesosgot info subscribed framework=… master=…`. Never throws (a closed stderr
 * must not end the framework).
 */
export function createStderrLogger(options: StderrLoggerOptions = {}): Logger {
  const threshold = LOG_LEVELS.indexOf(options.level ?? DEFAULT_LOG_LEVEL);
  const name = options.name ?? 'mesosgot';
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const now = options.now ?? (() => new Date());
  const line = (level: Exclude<LogLevel, 'silent'>) => (message: string, fields?: LogFields): void => {
    if (LOG_LEVELS.indexOf(level) < threshold) return;
    try {
      write(`${now().toISOString().slice(11, 23)} ${name} ${level} ${message}${formatFields(fields)}\n`);
    } catch {
      // Logging is best effort: a broken stderr must not change what the framework does.
    }
  };
  return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
}

/** Throws nothing; returns the level or undefined for an unknown name. */
export function parseLogLevel(text: string): LogLevel | undefined {
  return (LOG_LEVELS as readonly string[]).includes(text) ? (text as LogLevel) : undefined;
}

function formatFields(fields: LogFields | undefined): string {
  if (fields === undefined) return '';
  let out = '';
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    const text = String(value);
    out += ` ${key}=${/[\s"=]/.test(text) ? JSON.stringify(text) : text}`;
  }
  return out;
}
