/**
 * What the master does for each accepted scheduler call other than SUBSCRIBE
 * (docs/protocol.md, "Scheduler calls",
 * and "Offer lifetime" through "Teardown and shutdown"). Runs after the request ladder of scheduler-api.ts
 * let the call through, so the framework is known and connected.
 */
import { assertNever, type OfferID, type OfferOperation, type SchedulerCall, type TaskInfo, type TaskStatus } from '@mesosgot/common/internal';
import type { Framework } from './frameworks.js';
import { bare } from './agent-registry.js';
import { validateLaunch, type LaunchContext } from './launch-validation.js';
import { validateTaskGroup } from './task-group-validation.js';
import type { MasterCounter } from './master-metrics.js';
import type { MasterState } from './master-state.js';
import type { OutstandingOffer } from './offers.js';
import { applyResourceOperation, isResourceOperation, type ResourceOperationType } from './offer-operations.js';
import { postRefinement, preRefinement } from './offers.js';
import { reconcile } from './reconciliation.js';
import { addResources, newStatusUuid, ResourceBalance, subtractResources, type Resource } from '@mesosgot/common/internal';

type NonSubscribeCall = Exclude<SchedulerCall, { type: 'SUBSCRIBE' }>;

/** The `master/messages_*` counter a real master increments for each call it receives. */
const CALL_COUNTER: Partial<Record<NonSubscribeCall['type'], MasterCounter>> = {
  TEARDOWN: 'messages_unregister_framework',
  ACCEPT: 'messages_launch_tasks',
  DECLINE: 'messages_decline_offers',
  REVIVE: 'messages_revive_offers',
  SUPPRESS: 'messages_suppress_offers',
  KILL: 'messages_kill_task',
  ACKNOWLEDGE: 'messages_status_update_acknowledgement',
  RECONCILE: 'messages_reconcile_tasks',
  MESSAGE: 'messages_framework_to_executor',
  REQUEST: 'messages_resource_request',
};

/** Applies one call. Everything it decides is reported as events, never as an HTTP error. */
export function applySchedulerCall(state: MasterState, framework: Framework, call: NonSubscribeCall): void {
  const counter = CALL_COUNTER[call.type];
  if (counter) state.counters.inc(counter);
  switch (call.type) {
    case 'TEARDOWN':
      return state.removeFramework(framework);
    case 'ACCEPT':
      return accept(state, framework, call.accept.offer_ids ?? [], call.accept.operations ?? [], call.accept.filters?.refuse_seconds);
    case 'DECLINE':
      // DECLINE = ACCEPT without operations (docs/protocol.md, "Filters and declines"), except unknown ids are ignored.
      for (const id of call.decline.offer_ids ?? []) {
        const offer = state.offers.get(id.value);
        if (offer?.frameworkId !== framework.id) continue;
        state.offers.take(id.value);
        refuseLeftover(state, framework, offer, offer.resources, call.decline.filters?.refuse_seconds);
      }
      return state.scheduleAllocation();
    case 'REVIVE':
    case 'SUPPRESS': {
      const payload = call.type === 'REVIVE' ? call.revive : call.suppress;
      const roles = payload?.roles && payload.roles.length > 0 ? payload.roles : framework.roles;
      // Roles the framework is not subscribed to drop the whole call (docs/protocol.md, "Filters and declines").
      if (roles.some((r) => !framework.roles.includes(r))) return;
      for (const role of roles) {
        if (call.type === 'REVIVE') framework.suppressedRoles.delete(role);
        else framework.suppressedRoles.add(role);
      }
      if (call.type === 'REVIVE') {
        state.offers.clearFilters(framework.id);
        state.scheduleAllocation();
      }
      return;
    }
    case 'KILL': {
      const task = state.tasks.get(framework.id, call.kill.task_id.value);
      if (!task) {
        // Unknown task: the master answers with explicit reconciliation (docs/protocol.md, "Killing tasks").
        const [status] = reconcile(framework.id, [call.kill], reconcileView(state), framework.isPartitionAware);
        if (status) state.sendUpdate(framework, status);
        return;
      }
      // A different agent_id than the task's is silently ignored (docs/protocol.md, "Killing tasks").
      if (call.kill.agent_id && call.kill.agent_id.value !== task.agentId) return;
      state.agents.get(task.agentId)?.link.killTask({ value: framework.id }, call.kill.task_id, call.kill.kill_policy);
      return;
    }
    case 'SHUTDOWN':
      state.agents.get(call.shutdown.agent_id.value)?.link.shutdownExecutor({ value: framework.id }, call.shutdown.executor_id);
      return;
    case 'ACKNOWLEDGE': {
      const { agent_id, task_id, uuid } = call.acknowledge;
      const agent = state.agents.get(agent_id.value);
      agent?.link.acknowledge({ value: framework.id }, task_id, uuid);
      state.tasks.acknowledge(framework.id, task_id.value, uuid);
      state.counters.inc(agent ? 'valid_status_update_acknowledgements' : 'invalid_status_update_acknowledgements');
      return;
    }
    case 'RECONCILE':
      for (const status of reconcile(framework.id, call.reconcile.tasks, reconcileView(state), framework.isPartitionAware)) {
        state.sendUpdate(framework, status);
      }
      return;
    case 'MESSAGE': {
      const agent = state.agents.get(call.message.agent_id.value);
      agent?.link.frameworkMessage({ value: framework.id }, call.message.executor_id, call.message.data);
      state.counters.inc(agent ? 'valid_framework_to_executor_messages' : 'invalid_framework_to_executor_messages');
      return;
    }
    case 'UPDATE_FRAMEWORK': {
      const info = call.update_framework.framework_info;
      framework.info = { ...info, id: { value: framework.id }, user: framework.info.user, checkpoint: framework.info.checkpoint };
      state.changes.emit({ kind: 'framework-updated', framework });
      state.scheduleAllocation();
      return;
    }
    case 'REQUEST': // ignored by Mesos' default allocator (docs/protocol.md, "Scheduler calls")
    case 'ACCEPT_INVERSE_OFFERS': // no maintenance schedules here, so no inverse offers exist
    case 'DECLINE_INVERSE_OFFERS':
    case 'ACKNOWLEDGE_OPERATION_STATUS': // no offer operations with feedback are performed
    case 'RECONCILE_OPERATIONS':
      return;
    default:
      return assertNever(call, 'scheduler call');
  }
}

export function reconcileView(state: MasterState) {
  return {
    tasksOf: (fid: string) => state.tasks.forFramework(fid),
    task: (fid: string, tid: string) => state.tasks.get(fid, tid),
    isAgentRegistered: (aid: string) => state.agents.get(aid) !== undefined,
  };
}

/** Offer checks (docs/protocol.md, "Offer lifetime"); the error text a real master puts after "Task launched with invalid offers: ". */
function offersError(state: MasterState, framework: Framework, offerIds: readonly OfferID[]): string | undefined {
  if (offerIds.length === 0) return 'No offers specified';
  const seen = new Set<string>();
  let agentOf: { offer: string; agent: string } | undefined;
  for (const { value } of offerIds) {
    if (seen.has(value)) return `Duplicate offer ${value} in offer list`;
    seen.add(value);
    const offer = state.offers.get(value);
    if (!offer) return `Offer ${value} is no longer valid`;
    if (offer.frameworkId !== framework.id) {
      return `Offer ${value} has invalid framework ${offer.frameworkId} while framework ${framework.id} is expected`;
    }
    if (agentOf && agentOf.agent !== offer.agentId) {
      return `Aggregated offers must belong to one single agent. Offer ${value} uses agent ${offer.agentId} and offer ${agentOf.offer} uses agent ${agentOf.agent}`;
    }
    agentOf = { offer: value, agent: offer.agentId };
  }
  return undefined;
}

function launchTasksOf(op: OfferOperation): TaskInfo[] {
  if (op.type === 'LAUNCH') return op.launch?.task_infos ?? [];
  if (op.type === 'LAUNCH_GROUP') return op.launch_group?.task_group.tasks ?? [];
  return [];
}

function accept(
  state: MasterState,
  framework: Framework,
  offerIds: readonly OfferID[],
  operations: readonly OfferOperation[],
  refuseSeconds: number | undefined,
): void {
  const masterStatus = (task: TaskInfo, fields: Pick<TaskStatus, 'state' | 'reason' | 'message'>): TaskStatus => ({
    task_id: task.task_id,
    ...fields,
    source: 'SOURCE_MASTER',
    agent_id: task.agent_id,
    timestamp: Date.now() / 1000,
  });
  const invalid = offersError(state, framework, offerIds);
  if (invalid) {
    // Valid offers named in a bad ACCEPT go back to the pool (Mesos recovers them).
    for (const { value } of offerIds) if (state.offers.get(value)?.frameworkId === framework.id) state.offers.take(value);
    for (const task of operations.flatMap(launchTasksOf)) {
      state.sendUpdate(
        framework,
        masterStatus(task, {
          state: framework.isPartitionAware ? 'TASK_DROPPED' : 'TASK_LOST',
          reason: 'REASON_INVALID_OFFERS',
          message: `Task launched with invalid offers: ${invalid}`,
        }),
      );
    }
    for (const op of operations) {
      if (op.type !== 'LAUNCH' && op.type !== 'LAUNCH_GROUP') dropOperation(state, framework, op, `Operation attempted with invalid offers: ${invalid}`);
    }
    state.scheduleAllocation();
    return;
  }
  const taken = offerIds.map(({ value }) => state.offers.take(value)!);
  const first = taken[0]!;
  const agent = state.agents.get(first.agentId)!;
  let remaining = taken.reduce((sum, o) => addResources(sum, o.resources), [] as OutstandingOffer['resources']);
  const launched: TaskInfo[] = [];
  // What LAUNCH and LAUNCH_GROUP are validated against: the offers' resources not used so far.
  const launchContext = (): LaunchContext => ({
    frameworkId: framework.id,
    agentId: agent.id,
    role: first.role,
    offered: remaining,
    hasTask: (id) => state.tasks.get(framework.id, id) !== undefined,
    existingExecutor: (id) => state.agents.executor(agent, framework.id, id),
  });
  for (const op of operations) {
    const tasks = launchTasksOf(op);
    if (op.type === 'LAUNCH_GROUP') {
      // A task group is launched or refused whole (docs/protobuf.md, "Offer operations").
      const refuse = (message: string): void => {
        for (const task of tasks) state.sendUpdate(framework, masterStatus(task, { state: 'TASK_ERROR', reason: 'REASON_TASK_GROUP_INVALID', message }));
      };
      if (op.id !== undefined) {
        refuse('The `id` field cannot be set on LAUNCH_GROUP operations');
        continue;
      }
      if (!agent.link.launchTaskGroup) {
        refuse('The agent cannot run a task group');
        continue;
      }
      const verdict = validateTaskGroup(op.launch_group?.executor, tasks, launchContext());
      if (!verdict.ok) {
        refuse(verdict.message);
        continue;
      }
      if (verdict.newExecutor) {
        state.agents.addExecutor(agent, framework.id, verdict.newExecutor);
        remaining = subtractResources(remaining, bare(verdict.newExecutor.resources ?? []));
      }
      for (const { task: kept, taskResources } of verdict.tasks) {
        const task = state.tasks.add(framework.id, agent.id, kept, taskResources);
        state.changes.emit({ kind: 'task-added', task });
        state.agents.charge(agent, taskResources);
        remaining = subtractResources(remaining, taskResources);
      }
      // The default executor is handed the tasks as the framework wrote them (no executor field).
      agent.link.launchTaskGroup(framework.info, verdict.executor, [...tasks]);
      continue;
    }
    if (isResourceOperation(op.type)) {
      const outcome = applyResourceOperation(op as OfferOperation & { type: ResourceOperationType }, {
        frameworkRoles: framework.roles,
        isMultiRole: framework.isMultiRole,
        hasSharedResources: framework.info.capabilities?.some((c) => c.type === 'SHARED_RESOURCES') === true,
        role: first.role,
        offered: remaining,
        total: agent.total,
        used: agent.used,
      });
      if (!outcome.ok) {
        dropOperation(state, framework, op, outcome.message);
        continue;
      }
      const destroyed = op.type === 'DESTROY' ? subtractResources(agent.total, outcome.total) : [];
      remaining = outcome.offered;
      agent.total = outcome.total;
      if (destroyed.length > 0) agent.link.destroyVolumes?.(destroyed);
      if (op.id !== undefined) operationFinished(state, framework, agent.id, first.role, op, outcome.converted);
      continue;
    }
    if (op.type !== 'LAUNCH') {
      dropOperation(state, framework, op, `The local master does not perform ${op.type} operations`);
      continue;
    }
    if (op.id !== undefined) {
      for (const task of tasks) {
        state.sendUpdate(framework, masterStatus(task, { state: 'TASK_ERROR', reason: 'REASON_TASK_INVALID', message: 'The `id` field cannot be set on LAUNCH operations' }));
      }
      continue;
    }
    const verdicts = validateLaunch(tasks, launchContext());
    // What the launched tasks leave of the offers, grouped once for the whole operation.
    const left = new ResourceBalance(remaining);
    // The agent is charged once for all of them (TASK_ADDED events do not show its usage).
    const charged: Resource[] = [];
    for (const verdict of verdicts) {
      if (!verdict.ok) {
        state.sendUpdate(framework, masterStatus(verdict.task, { state: 'TASK_ERROR', reason: 'REASON_TASK_INVALID', message: verdict.message }));
        continue;
      }
      const task = state.tasks.add(framework.id, agent.id, verdict.task, verdict.taskResources);
      state.changes.emit({ kind: 'task-added', task });
      charged.push(...verdict.taskResources);
      left.subtract(verdict.taskResources);
      if (verdict.newExecutor) {
        // In the order it always was: what came before, then the executor.
        state.agents.charge(agent, charged.splice(0));
        state.agents.addExecutor(agent, framework.id, verdict.newExecutor);
        left.subtract(verdict.newExecutor.resources ?? []);
      }
      launched.push(verdict.task);
    }
    if (charged.length > 0) state.agents.charge(agent, charged);
    remaining = left.resources();
  }
  if (launched.length > 0) agent.link.launchTasks(framework.info, launched);
  refuseLeftover(state, framework, first, remaining, refuseSeconds);
  state.scheduleAllocation();
}

/** Implicit decline (docs/protocol.md, "Filters and declines"): unused resources of accepted/declined offers are filtered. */
function refuseLeftover(state: MasterState, framework: Framework, offer: OutstandingOffer, leftover: OutstandingOffer['resources'], refuseSeconds: number | undefined): void {
  state.offers.refuse(framework.id, offer.agentId, leftover, refuseSeconds, state.settings.offerRefuseDefaultSeconds);
}

/**
 * An operation that is invalid, or that the local master does not perform (GROW_VOLUME,
 * SHRINK_VOLUME, CREATE_DISK, DESTROY_DISK: resource providers only), is dropped the way Mesos
 * drops an invalid operation (docs/protobuf.md, "Offer operations"): nothing is applied, its
 * resources stay in the leftover of the ACCEPT, and a framework that asked for feedback (an
 * operation `id`) gets UPDATE_OPERATION_STATUS OPERATION_ERROR naming why, without agent id or
 * uuid, as Mesos sends it. Without an id Mesos has no channel to say so either.
 */
function dropOperation(state: MasterState, framework: Framework, op: OfferOperation, message: string): void {
  if (op.id === undefined) return;
  state.send(framework, {
    type: 'UPDATE_OPERATION_STATUS',
    update_operation_status: { status: { operation_id: op.id, state: 'OPERATION_ERROR', message } },
  });
}

/**
 * A performed operation that asked for feedback: OPERATION_FINISHED from the agent, with what it
 * converted (in the framework's resource format) and a uuid to acknowledge
 * (ACKNOWLEDGE_OPERATION_STATUS, which the local master takes and needs no retry for).
 */
function operationFinished(state: MasterState, framework: Framework, agentId: string, role: string, op: OfferOperation, converted: readonly Resource[]): void {
  const format = framework.isReservationRefinement ? postRefinement : preRefinement;
  const allocation = framework.isMultiRole ? { allocation_info: { role } } : {};
  state.send(framework, {
    type: 'UPDATE_OPERATION_STATUS',
    update_operation_status: {
      status: {
        operation_id: op.id!,
        state: 'OPERATION_FINISHED',
        converted_resources: converted.map((r) => ({ ...format(r), ...allocation })),
        uuid: { value: newStatusUuid() },
        agent_id: { value: agentId },
      },
    },
  });
}
