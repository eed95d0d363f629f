import {
  InvalidArgumentError,
  type Filters,
  type OfferID,
  type OfferOperation,
  type SchedulerCall,
  type TaskInfo,
} from '@mesosgot/common/internal';
import { copyId, validateId, validateIds } from './validate-id.js';

/**
 * ACCEPT (docs/protocol.md, "Scheduler calls", "Filters and declines"): run `operations` on the resources of `offerIds` (same agent, same role).
 * Unused resources are implicitly declined with `filters` (default refuse_seconds 5 when omitted).
 * Throws InvalidArgumentError on malformed ids or operations; does no I/O.
 */
export function accept(offerIds: readonly OfferID[], operations: readonly OfferOperation[], filters?: Filters): SchedulerCall {
  validateIds('offerIds', offerIds, true);
  if (!Array.isArray(operations)) throw new InvalidArgumentError('operations', operations, 'expected an array');
  operations.forEach((op, i) => {
    if (typeof op !== 'object' || op === null || typeof op.type !== 'string') {
      throw new InvalidArgumentError(`operations[${i}].type`, op, 'expected an Offer.Operation with a type');
    }
  });
  const call: SchedulerCall = {
    type: 'ACCEPT',
    accept: { offer_ids: offerIds.map(copyId), operations: [...operations] },
  };
  if (filters !== undefined) call.accept.filters = validateFilters(filters);
  return call;
}

/**
 * ACCEPT with one LAUNCH operation: libmesos' launchTasks. Every task must name its agent
 * (a missing `agent_id` is an HTTP 400 for the whole call, docs/protocol.md, "Launch validation"), so it is refused here first.
 */
export function launch(offerIds: readonly OfferID[], tasks: readonly TaskInfo[], filters?: Filters): SchedulerCall {
  if (!Array.isArray(tasks)) throw new InvalidArgumentError('tasks', tasks, 'expected an array of TaskInfo');
  tasks.forEach((task, i) => {
    validateId(`tasks[${i}].task_id`, task?.task_id);
    validateId(`tasks[${i}].agent_id`, task.agent_id);
    if (typeof task.name !== 'string') throw new InvalidArgumentError(`tasks[${i}].name`, task.name, 'required');
  });
  return accept(offerIds, [{ type: 'LAUNCH', launch: { task_infos: [...tasks] } }], filters);
}

/** Checks a Filters object; returns a copy with only the fields Mesos knows. */
export function validateFilters(filters: Filters): Filters {
  if (typeof filters !== 'object' || filters === null) {
    throw new InvalidArgumentError('filters', filters, 'expected { refuse_seconds?: number }');
  }
  const out: Filters = {};
  if (filters.refuse_seconds !== undefined) {
    if (typeof filters.refuse_seconds !== 'number' || Number.isNaN(filters.refuse_seconds)) {
      throw new InvalidArgumentError('filters.refuse_seconds', filters.refuse_seconds, 'expected a number of seconds');
    }
    out.refuse_seconds = filters.refuse_seconds;
  }
  return out;
}
