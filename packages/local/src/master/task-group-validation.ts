/**
 * LAUNCH_GROUP validation (docs/protobuf.md, "Offer operations"), in Mesos' order: the group's
 * executor (type DEFAULT, a valid id, this framework's, the same ExecutorInfo as one already
 * running under that id), a non-empty group of tasks without executors of their own, then each
 * task as LAUNCH checks it, against what is left of the offers once a new executor is charged.
 * All or nothing: the first failure fails the whole group. Pure: the caller applies the verdict.
 */
import { canonicalJson, isEmptyResources, resourcesContain, subtractResources, type ExecutorInfo, type Resource, type TaskInfo } from '@mesosgot/common/internal';
import { bare } from './agent-registry.js';
import { validateId, validateLaunch, type LaunchContext } from './launch-validation.js';
import { formatResources } from './resource-text.js';

export type TaskGroupVerdict =
  | {
      ok: true;
      /** The tasks as the master keeps them (with the group's executor). */
      tasks: { task: TaskInfo; taskResources: Resource[] }[];
      /** Set when the group starts its executor, whose resources are charged now. */
      newExecutor: ExecutorInfo | undefined;
      /** The group's executor, with the framework id filled in. */
      executor: ExecutorInfo;
    }
  | { ok: false; message: string };

/** Validates one LAUNCH_GROUP; `ctx.offered` is what is left of the accepted offers. */
export function validateTaskGroup(executor: ExecutorInfo | undefined, tasks: readonly TaskInfo[], ctx: LaunchContext): TaskGroupVerdict {
  if (executor === undefined) return { ok: false, message: "'LaunchGroup.executor' must be set" };
  const filled: ExecutorInfo = executor.framework_id ? executor : { ...executor, framework_id: { value: ctx.frameworkId } };
  const idError = validateId(filled.executor_id.value);
  if (idError) return { ok: false, message: `'ExecutorInfo.executor_id' is invalid: ${idError}` };
  if (filled.type !== 'DEFAULT') return { ok: false, message: "'ExecutorInfo.type' must be 'DEFAULT'" };
  if (filled.framework_id!.value !== ctx.frameworkId) {
    return { ok: false, message: `ExecutorInfo has an invalid FrameworkID (Actual: ${filled.framework_id!.value} vs Expected: ${ctx.frameworkId})` };
  }
  const existing = ctx.existingExecutor(filled.executor_id.value);
  if (existing && canonicalJson(existing) !== canonicalJson(filled)) {
    return { ok: false, message: 'ExecutorInfo is not compatible with existing ExecutorInfo with same ExecutorID.' };
  }
  if (tasks.length === 0) return { ok: false, message: 'Task group cannot be empty' };
  if (tasks.some((t) => t.executor !== undefined)) return { ok: false, message: "'TaskInfo.executor' must not be set" };
  const executorResources = existing ? [] : bare(filled.resources ?? []);
  if (!existing && isEmptyResources(executorResources)) return { ok: false, message: "'ExecutorInfo.resources' must not be empty" };
  if (!resourcesContain(ctx.offered, executorResources)) {
    return { ok: false, message: `Total resources ${formatResources(executorResources, ctx.role)} required by the executor is more than available ${formatResources(ctx.offered, ctx.role)}` };
  }
  const verdicts = validateLaunch(tasks, { ...ctx, offered: subtractResources(ctx.offered, executorResources) });
  const failed = verdicts.find((v) => !v.ok);
  if (failed && !failed.ok) return { ok: false, message: `Task ${failed.task.task_id.value} is invalid: ${failed.message}` };
  return {
    ok: true,
    tasks: verdicts.flatMap((v) => (v.ok ? [{ task: { ...v.task, executor: filled }, taskResources: v.taskResources }] : [])),
    newExecutor: existing ? undefined : filled,
    executor: filled,
  };
}
