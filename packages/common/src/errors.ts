/**
 * Every error mesosgot throws or rejects with. One tree, one module
 * (cf. undici lib/core/errors.js): handlers switch on `code`, which is stable.
 */

/** Largest response body kept on a MesosHttpError, so a huge HTML page cannot bloat logs. */
export const MAX_ERROR_BODY_BYTES = 4096;

/**
 * Base class of every mesosgot error. Catch it to handle all of them; switch on `code`, which
 * never changes between releases, rather than on the message.
 */
export abstract class MesosGotError extends Error {
  /** Stable machine-readable code, `MESOSGOT_…`. */
  abstract readonly code: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad user input, thrown synchronously before any I/O. Names the field and the value. */
export class InvalidArgumentError extends MesosGotError {
  /** Always `'MESOSGOT_INVALID_ARGUMENT'`. */
  readonly code = 'MESOSGOT_INVALID_ARGUMENT';
  constructor(
    /** The option or argument that was wrong, such as `resources.cpus`. */
    readonly field: string,
    /** The value given. */
    readonly value: unknown,
    reason: string,
  ) {
    super(`invalid ${field} (${describeValue(value)}): ${reason}`);
  }
}

/** Malformed RecordIO, JSON or a missing protocol header. Names the offset or the field. */
export class ProtocolError extends MesosGotError {
  /** Always `'MESOSGOT_PROTOCOL'`. */
  readonly code = 'MESOSGOT_PROTOCOL';
  constructor(
    message: string,
    /** Byte offset in the stream where decoding failed, when there is one. */
    readonly offset?: number,
    options?: { cause?: unknown },
  ) {
    super(offset === undefined ? message : `${message} (at byte ${offset})`, options);
  }
}

/** Any non-2xx answer from a master or agent. Body capped at MAX_ERROR_BODY_BYTES. */
export class MesosHttpError extends MesosGotError {
  /** Always `'MESOSGOT_HTTP'`. */
  readonly code = 'MESOSGOT_HTTP';
  /** The response body (Mesos sends plain text), cut at MAX_ERROR_BODY_BYTES. */
  readonly body: string;
  constructor(
    /** The HTTP status. */
    readonly status: number,
    body: string,
    /** The call that was refused, such as `SUBSCRIBE` or `ACCEPT`. */
    readonly callType: string,
    /** The URL the request went to. */
    readonly url?: string,
  ) {
    const capped = capBody(body);
    super(`${callType} refused: ${status}${capped ? ` ${capped}` : ''}`);
    this.body = capped;
  }
  /** The same call may succeed later (rate limit, no leader yet, recovering). */
  get retryable(): boolean {
    return this.status === 429 || this.status === 503;
  }
  /** The master no longer knows this subscription: re-subscribe before calling again. */
  get subscriptionLost(): boolean {
    return this.status === 403 || (this.status === 400 && /stream ID|Framework cannot be found/i.test(this.body));
  }
}

/** A call made while the driver has no live subscription. Fails fast, never waits. */
export class NotSubscribedError extends MesosGotError {
  /** Always `'MESOSGOT_NOT_SUBSCRIBED'`. */
  readonly code = 'MESOSGOT_NOT_SUBSCRIBED';
  constructor(
    /** The call that was not sent. */
    readonly callType: string,
  ) {
    super(`${callType} not sent: the driver is not subscribed`);
  }
}

/** A send on a closed channel. */
export class ChannelClosedError extends MesosGotError {
  /** Always `'MESOSGOT_CHANNEL_CLOSED'`. */
  readonly code = 'MESOSGOT_CHANNEL_CLOSED';
  constructor(what = 'channel') {
    super(`send on closed ${what}`);
  }
}

/** A task function threw or rejected; the original error is `cause`. */
export class TaskError extends MesosGotError {
  /** Always `'MESOSGOT_TASK'`. */
  readonly code = 'MESOSGOT_TASK';
  constructor(
    /** The id of the task whose function failed. */
    readonly taskId: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`task ${taskId}: ${message}`, options);
  }
}

/**
 * A typed message its receiver could not decode with the codec its task kind declares (or, on
 * the sending side, could not encode). Names the task, the kind and the codec's reason; the
 * codec's own error is `cause`. The message is skipped and the stream goes on.
 */
export class MessageDecodeError extends MesosGotError {
  readonly code = 'MESOSGOT_MESSAGE_DECODE';
  constructor(
    /** The task the message came from. */
    readonly taskName: string,
    /** That task's kind, whose codec refused the message. */
    readonly kind: string,
    /** Why it could not be decoded. */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`message of task ${taskName} (kind ${kind}) cannot be decoded: ${reason}`, options);
  }
}

/** A wait that ran past its deadline (waitFor, connect, hold timeouts). */
export class TimeoutError extends MesosGotError {
  /** Always `'MESOSGOT_TIMEOUT'`. */
  readonly code = 'MESOSGOT_TIMEOUT';
  constructor(
    message: string,
    /** The deadline that passed, in milliseconds. */
    readonly timeoutMs: number,
  ) {
    super(`${message} (after ${timeoutMs} ms)`);
  }
}

/** Master detection failed: no leader, unreachable ZooKeeper, garbage MasterInfo. */
export class MasterDetectionError extends MesosGotError {
  /** Always `'MESOSGOT_MASTER_DETECTION'`. */
  readonly code = 'MESOSGOT_MASTER_DETECTION';
}

/** The driver was aborted or stopped while the operation was pending. */
export class DriverStoppedError extends MesosGotError {
  /** Always `'MESOSGOT_DRIVER_STOPPED'`. */
  readonly code = 'MESOSGOT_DRIVER_STOPPED';
}

function capBody(body: string): string {
  const bytes = Buffer.from(body, 'utf8');
  if (bytes.length <= MAX_ERROR_BODY_BYTES) return body;
  return `${bytes.subarray(0, MAX_ERROR_BODY_BYTES).toString('utf8')}…`;
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) {
    return String(value);
  }
  try {
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 80)}…` : text;
  } catch {
    // A cyclic value cannot be shown; its type is enough to name it.
    return typeof value;
  }
}

/**
 * An optional package that a feature needs is not installed (`--master local` without
 * `@mesosgot/local`). The message is one line that says what to install.
 */
export class MissingPackageError extends MesosGotError {
  readonly code = 'MESOSGOT_MISSING_PACKAGE';
  constructor(
    /** The npm package to install, such as `@mesosgot/local`. */
    readonly packageName: string,
    feature: string,
    options?: { cause?: unknown },
  ) {
    super(`${feature} needs ${packageName}, which is not installed: npm install ${packageName}`, options);
  }
}

/** A message larger than the link's limit (`--max-message-size`); names both sizes. */
export class MessageTooLargeError extends MesosGotError {
  readonly code = 'MESOSGOT_MESSAGE_TOO_LARGE';
  constructor(
    /** The task the message was going to or coming from. */
    readonly taskName: string,
    /** The message's size in bytes. */
    readonly size: number,
    /** The limit it exceeded, in bytes (`--max-message-size`). */
    readonly limit: number,
  ) {
    super(`message to/from ${taskName} is ${size} bytes, over the ${limit}-byte limit (--max-message-size)`);
  }
}

/** Tasks that no agent can ever hold (their demand exceeds every agent's total). */
export class UnfittableTaskError extends MesosGotError {
  readonly code = 'MESOSGOT_UNFITTABLE_TASK';
  constructor(
    /** The spawn name of the tasks that cannot fit. */
    readonly taskName: string,
    message: string,
  ) {
    super(message);
  }
}

/** run() was stopped from outside (stop(), a signal); `reason` says by what. */
export class StoppedError extends MesosGotError {
  readonly code = 'MESOSGOT_STOPPED';
}

/**
 * An executor bundle could not be built: the entry is missing or does not compile. `problems`
 * holds one `file:line:column: text` line per build error.
 */
export class BundleError extends MesosGotError {
  readonly code = 'MESOSGOT_BUNDLE';
  constructor(
    message: string,
    /** One `file:line:column: text` line per build error; empty when the entry is missing. */
    readonly problems: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(problems.length === 0 ? message : `${message}\n${problems.join('\n')}`, options);
  }
}

/** Exhaustiveness guard for switches over string-literal unions. */
export function assertNever(value: never, what = 'value'): never {
  throw new ProtocolError(`unexpected ${what}: ${JSON.stringify(value)}`);
}
