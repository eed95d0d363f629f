/**
 * Per-task LAUNCH validation (docs/protocol.md, "Launch validation"), in Mesos' order. Tasks of one ACCEPT
 * are checked one by one against what is left of the offered resources; an executor's
 * resources are charged only when it is not yet running on that agent (nor launched earlier
 * in the same call). Pure: the caller applies the verdicts.
 */
import { addResources, canonicalJson, isEmptyResources, ResourceBalance, type ExecutorInfo, type Resource, type TaskInfo } from '@mesosgot/common/internal';
import { bare } from './agent-registry.js';
import { formatResources } from './resource-text.js';

export interface LaunchContext {
  frameworkId: string;
  /** The agent of the offers being accepted. */
  agentId: string;
  /** The role the offers were made for (shown in resource texts as `(allocated: role)`). */
  role: string;
  /** All resources of the accepted offers (bare). */
  offered: Resource[];
  /** A non-forgotten task of this framework already has this id. */
  hasTask(taskId: string): boolean;
  /** The ExecutorInfo the master tracks for this executor id on the agent, if any. */
  existingExecutor(executorId: string): ExecutorInfo | undefined;
}

export type TaskVerdict =
  | {
      ok: true;
      task: TaskInfo;
      /** Resources charged for the task itself. */
      taskResources: Resource[];
      /** Set when this task starts a new executor, whose resources are charged now. */
      newExecutor: ExecutorInfo | undefined;
    }
  | { ok: false; task: TaskInfo; message: string };

/** Validates `tasks` in order; the returned list matches `tasks` one to one. */
export function validateLaunch(tasks: readonly TaskInfo[], ctx: LaunchContext): TaskVerdict[] {
  const remaining = new ResourceBalance(ctx.offered);
  const idsInCall = new Set<string>();
  const executorsInCall = new Map<string, ExecutorInfo>();
  const verdicts: TaskVerdict[] = [];
  for (const raw of tasks) {
    // Mesos fills in the executor's framework id when the scheduler left it out (docs/protocol.md, "Ids").
    const task: TaskInfo =
      raw.executor && !raw.executor.framework_id
        ? { ...raw, executor: { ...raw.executor, framework_id: { value: ctx.frameworkId } } }
        : raw;
    const fail = (message: string): void => void verdicts.push({ ok: false, task, message });
    const taskId = task.task_id.value;
    const idError = validateId(taskId);
    if (idError) {
      fail(`'TaskInfo.task_id' is invalid: ${idError}`);
      continue;
    }
    if (idsInCall.has(taskId) || ctx.hasTask(taskId)) {
      fail(`Task has duplicate ID: ${taskId}`);
      continue;
    }
    if (task.agent_id.value !== ctx.agentId) {
      fail(`Task uses invalid agent ${task.agent_id.value} while agent ${ctx.agentId} is expected`);
      continue;
    }
    const taskResources = bare(task.resources ?? []);
    if (isEmptyResources(taskResources)) {
      fail('Task uses no resources');
      continue;
    }
    const badResource = taskResources.find((r) => r.type === 'SCALAR' && !((r.scalar?.value ?? -1) >= 0));
    if (badResource) {
      fail(`Invalid resources: Invalid scalar resource ${badResource.name}`);
      continue;
    }
    if ((task.executor === undefined) === (task.command === undefined)) {
      fail('Task should have at least one (but not both) of CommandInfo or ExecutorInfo present');
      continue;
    }
    let newExecutor: ExecutorInfo | undefined;
    if (task.executor) {
      const executorError = validateExecutor(task.executor, ctx.frameworkId);
      if (executorError) {
        fail(executorError);
        continue;
      }
      const executorId = task.executor.executor_id.value;
      const existing = ctx.existingExecutor(executorId) ?? executorsInCall.get(executorId);
      if (existing && !isSameExecutor(existing, task.executor)) {
        fail('ExecutorInfo is not compatible with existing ExecutorInfo with same ExecutorID.');
        continue;
      }
      if (!existing) newExecutor = task.executor;
    }
    const needed = newExecutor ? addResources(taskResources, bare(newExecutor.resources ?? [])) : taskResources;
    if (!remaining.contains(needed)) {
      fail(
        `Total resources ${formatResources(needed, ctx.role)} required by task and its executor is more than available ${formatResources(remaining.resources(), ctx.role)}`,
      );
      continue;
    }
    remaining.subtract(needed);
    idsInCall.add(taskId);
    if (newExecutor) executorsInCall.set(newExecutor.executor_id.value, newExecutor);
    verdicts.push({ ok: true, task, taskResources, newExecutor });
  }
  return verdicts;
}

/** Canonical texts of ExecutorInfos already compared (the one in a call is compared with every task's). */
const canonicalTexts = new WeakMap<ExecutorInfo, string>();

/**
 * Whether two ExecutorInfos are equal whatever their key order. Equal plain JSON texts settle
 * it cheaply (every task of a launch carries the same executor, in the same key order); only
 * differing texts are compared canonically.
 */
function isSameExecutor(a: ExecutorInfo, b: ExecutorInfo): boolean {
  if (a === b || textOf(plainTexts, a, JSON.stringify) === JSON.stringify(b)) return true;
  return textOf(canonicalTexts, a, canonicalJson) === textOf(canonicalTexts, b, canonicalJson);
}

/** Plain JSON texts of ExecutorInfos already compared. */
const plainTexts = new WeakMap<ExecutorInfo, string>();

function textOf(cache: WeakMap<ExecutorInfo, string>, executor: ExecutorInfo, write: (e: ExecutorInfo) => string): string {
  let text = cache.get(executor);
  if (text === undefined) {
    text = write(executor);
    cache.set(executor, text);
  }
  return text;
}

/** Id text rules (docs/protocol.md, "Ids"): non-empty, ≤255 chars, not `.`/`..`, no `/`, `\` or control characters. */
export function validateId(id: string): string | undefined {
  if (id.length === 0) return 'ID must not be empty';
  if (id.length > 255) return 'ID must not be greater than 255 characters';
  if (id === '.' || id === '..') return "'.' and '..' are disallowed";
  if (id.includes('/') || id.includes('\\')) return "'/' and '\\' are disallowed";
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(id)) return 'Control characters are disallowed';
  return undefined;
}

function validateExecutor(executor: ExecutorInfo, frameworkId: string): string | undefined {
  const idError = validateId(executor.executor_id.value);
  if (idError) return `'ExecutorInfo.executor_id' is invalid: ${idError}`;
  if (executor.type !== undefined && executor.type !== 'CUSTOM') return "'ExecutorInfo.type' must be 'CUSTOM'";
  if (!executor.command) return "'ExecutorInfo.command' must be set";
  if (executor.framework_id && executor.framework_id.value !== frameworkId) {
    return `ExecutorInfo has an invalid FrameworkID (Actual: ${executor.framework_id.value} vs Expected: ${frameworkId})`;
  }
  return undefined;
}

