/**
 * A task's gang, written where Mesos keeps it for a successor (docs/design.md, "Adopting
 * gangs"): every TaskInfo we launch carries labels naming its gang and the gang's failure
 * policy, and a task of a gang spawned during run() also carries its spawn spec (the `data` a
 * successor cannot read back: Mesos' Task keeps a TaskInfo's labels but not its `data`). The
 * master lists those Tasks (operator API GET_TASKS, docs/protocol.md, "Operator endpoints");
 * reconciliation answers never carry the TaskInfo's labels, so that list is where a scheduler
 * taking over the framework learns the gangs. Pure functions, no I/O.
 */
import type { Label, Labels } from '@mesosgot/common/internal';
import type { GangFailurePolicy } from './gang-registry.js';
import type { TaskEntry } from './task-table.js';

/** The gang id (0 for the tasks declared before run()). */
export const GANG_LABEL = 'mesosgot.gang';
/** The gang's failure policy, when the spawn chose one. */
export const GANG_POLICY_LABEL = 'mesosgot.policy';
/** The spawn spec (TaskInfo `data`, base64) of a task of a gang spawned during run(). */
export const TASK_SPEC_LABEL = 'mesosgot.spec';

/** What a task's labels say of its gang; undefined when they name none (not one of ours). */
export interface GangLabels {
  gang: number;
  policy: GangFailurePolicy | undefined;
  /** TaskInfo `data` as launched (base64); undefined for gang 0, which a successor declares itself. */
  spec: string | undefined;
}

/** The labels of `entry`'s TaskInfo; `data` is the TaskInfo's `data` (repeated for runtime gangs only). */
export function gangLabelsOf(entry: TaskEntry, policy: GangFailurePolicy | undefined, data: string): Labels {
  const labels: Label[] = [{ key: GANG_LABEL, value: String(entry.gang) }];
  if (policy !== undefined) labels.push({ key: GANG_POLICY_LABEL, value: policy });
  if (entry.gang > 0) labels.push({ key: TASK_SPEC_LABEL, value: data });
  return { labels };
}

/** Reads the labels gangLabelsOf wrote; undefined when there is no valid gang label. */
export function readGangLabels(labels: Labels | undefined): GangLabels | undefined {
  const find = (key: string): string | undefined => labels?.labels?.find((l) => l.key === key)?.value;
  const gangText = find(GANG_LABEL);
  const gang = gangText === undefined || !/^\d{1,9}$/.test(gangText) ? undefined : Number(gangText);
  if (gang === undefined) return undefined;
  const policyText = find(GANG_POLICY_LABEL);
  const policy = policyText === 'stop' || policyText === 'restart' || policyText === 'isolate' ? policyText : undefined;
  return { gang, policy, spec: find(TASK_SPEC_LABEL) };
}
