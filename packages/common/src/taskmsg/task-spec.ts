/**
 * What a GoTask scheduler tells the executor about one task, carried in TaskInfo.data (bytes,
 * base64 on the wire): the spawn's extra args and env, and whether it asked for the task to run
 * inline (on the executor's main thread) or on a thread. The task id itself is TaskInfo.task_id;
 * the executor passes `[taskId, ...args]` to the task function (mesosgot's rule).
 */
import { ProtocolError } from '../errors.js';
import type { Base64 } from '../wire/mesos.js';

export interface TaskSpec {
  args: string[];
  env: Record<string, string>;
  /** The spawn's choice of thread (true: the executor's main thread); absent: the kind's default. */
  inline?: boolean;
}

const TASK_SPEC_VERSION = 1;

export function encodeTaskSpec(spec: TaskSpec): Base64 {
  const inline = spec.inline === undefined ? {} : { inline: spec.inline };
  return Buffer.from(JSON.stringify({ v: TASK_SPEC_VERSION, args: spec.args, env: spec.env, ...inline }), 'utf8').toString('base64');
}

/** Absent data means no args and no env. Throws ProtocolError naming the problem otherwise. */
export function decodeTaskSpec(data: Base64 | undefined): TaskSpec {
  if (data === undefined || data === '') return { args: [], env: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(data, 'base64').toString('utf8'));
  } catch (cause) {
    throw new ProtocolError('TaskInfo.data is not a mesosgot task spec (not JSON)', undefined, { cause });
  }
  const spec = parsed as { v?: unknown; args?: unknown; env?: unknown; inline?: unknown };
  if (typeof spec !== 'object' || spec === null || spec.v !== TASK_SPEC_VERSION) {
    throw new ProtocolError(`TaskInfo.data: unsupported task spec version ${JSON.stringify(spec?.v)}`);
  }
  if (!Array.isArray(spec.args) || !spec.args.every((a) => typeof a === 'string')) {
    throw new ProtocolError('TaskInfo.data: task spec args must be strings');
  }
  const env = spec.env ?? {};
  if (typeof env !== 'object' || env === null || Array.isArray(env) || !Object.values(env).every((v) => typeof v === 'string')) {
    throw new ProtocolError('TaskInfo.data: task spec env must map names to strings');
  }
  if (spec.inline !== undefined && typeof spec.inline !== 'boolean') throw new ProtocolError('TaskInfo.data: task spec inline must be a boolean');
  const inline = spec.inline === undefined ? {} : { inline: spec.inline };
  return { args: spec.args as string[], env: env as Record<string, string>, ...inline };
}

/**
 * Label a GoTaskExecutor puts on its status updates: its sandbox path (MESOS_DIRECTORY), so the
 * scheduler can read a dead executor's stderr through the agent's /files/read.
 */
export const SANDBOX_LABEL = 'mesosgot.sandbox';
