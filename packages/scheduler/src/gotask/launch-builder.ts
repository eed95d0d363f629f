/**
 * Wire objects for launching GoTask tasks: one custom executor per agent (its id shared by all
 * of the application's tasks there) and a TaskInfo per task whose `data` carries the spawn's
 * args and env (common's task spec). Pure functions, no I/O (like calls/).
 */
import {
  encodeTaskSpec,
  type CommandInfo,
  type ExecutorInfo,
  DEFAULT_CONTENT_TYPE,
  type ContentType,
  type Resource,
  type TaskInfo,
} from '@mesosgot/common/internal';
import type { TaskEntry } from './task-table.js';
import type { GangFailurePolicy } from './gang-registry.js';
import { gangLabelsOf } from './gang-labels.js';

/** How agents obtain and start the executor. */
export type ExecutorSource =
  /** Fetch `url` into the sandbox as `fileName` and run it with `node`. */
  | { kind: 'artifact'; url: string; fileName: string; nodeCommand: string }
  /** Run this command line (the agents already have the code). */
  | { kind: 'command'; command: string };

/** Executor ids are `<framework name>-executor-<agent id>[-<generation>]`, within Mesos' 255 chars. */
export function executorIdFor(frameworkName: string, agentId: string, generation: number): string {
  const base = `${frameworkName.replace(/[^A-Za-z0-9_.-]/g, '_')}-executor-${agentId}`.slice(0, 240);
  return generation === 0 ? base : `${base}-${generation}`;
}

/** POSIX shell single-quoting, for paths put into a `shell: true` command. */
export function shellQuote(text: string): string {
  return /^[A-Za-z0-9_./:=@-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * The ExecutorInfo of one agent's executor. `contentType` reaches the executor as
 * MESOSGOT_CONTENT_TYPE, so it speaks to its agent in the scheduler's encoding (docs/protobuf.md).
 */
export function buildExecutorInfo(
  executorId: string,
  frameworkName: string,
  source: ExecutorSource,
  resources: readonly Resource[],
  contentType: ContentType = DEFAULT_CONTENT_TYPE,
): ExecutorInfo {
  let command: CommandInfo;
  switch (source.kind) {
    case 'artifact':
      // The fetcher puts the URI into the sandbox, the executor's working directory (docs/protocol.md, "Launch path").
      command = {
        uris: [{ value: source.url, executable: false, extract: false, cache: false, output_file: source.fileName }],
        value: `${source.nodeCommand} ${shellQuote(source.fileName)}`,
        shell: true,
      };
      break;
    case 'command':
      command = { value: source.command, shell: true };
      break;
  }
  command.environment = { variables: [{ name: 'MESOSGOT_CONTENT_TYPE', type: 'VALUE', value: contentType }] };
  return {
    type: 'CUSTOM',
    executor_id: { value: executorId },
    name: `${frameworkName} executor`,
    command,
    resources: [...resources],
  };
}

/** A task's TaskInfo; its labels name its gang and `policy` for a successor (gang-labels.ts). */
export function buildTaskInfo(task: TaskEntry, agentId: string, resources: readonly Resource[], executor: ExecutorInfo, policy?: GangFailurePolicy): TaskInfo {
  const data = encodeTaskSpec({ args: [...task.args], env: { ...task.env }, ...(task.inline === undefined ? {} : { inline: task.inline }) });
  return {
    name: task.id,
    task_id: { value: task.id },
    agent_id: { value: agentId },
    resources: resources as Resource[],
    executor,
    data,
    labels: gangLabelsOf(task, policy, data),
  };
}
