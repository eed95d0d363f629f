/**
 * The operator API's RESERVE_RESOURCES, UNRESERVE_RESOURCES, CREATE_VOLUMES and DESTROY_VOLUMES
 * on the local master: the offer operations of offer-operations.ts applied to an agent's
 * unallocated resources, as Mesos' master applies them for an operator (docs/protobuf.md,
 * "Offer operations"): offers holding what is needed are rescinded first; 202 once applied,
 * 400 for an unknown agent or an invalid operation, 409 when the resources are in use.
 */
import { subtractResources, type OfferOperation, type Resource } from '@mesosgot/common/internal';
import type { MasterState } from './master-state.js';
import { applyResourceOperation, type ResourceOperationType } from './offer-operations.js';
import type { OperatorCall } from '../operator/operator-call.js';

/** Operator call type → its payload field, its list field and the offer operation it is. */
const CALLS = {
  RESERVE_RESOURCES: { payload: 'reserve_resources', list: 'resources', operation: 'RESERVE' },
  UNRESERVE_RESOURCES: { payload: 'unreserve_resources', list: 'resources', operation: 'UNRESERVE' },
  CREATE_VOLUMES: { payload: 'create_volumes', list: 'volumes', operation: 'CREATE' },
  DESTROY_VOLUMES: { payload: 'destroy_volumes', list: 'volumes', operation: 'DESTROY' },
} as const satisfies Record<string, { payload: string; list: string; operation: ResourceOperationType }>;

export type OperatorResourceCallType = keyof typeof CALLS;

/** True for the four call types answered here. */
export function isOperatorResourceCall(type: string): type is OperatorResourceCallType {
  return Object.hasOwn(CALLS, type);
}

/** The HTTP answer of one call; the conversion is applied before it returns. */
export function applyOperatorResourceCall(state: MasterState, call: OperatorCall & { type: OperatorResourceCallType }): { status: number; body: string } {
  const { payload: field, list, operation } = CALLS[call.type];
  const payload = call[field] as { agent_id?: { value?: unknown }; [key: string]: unknown } | undefined;
  if (payload === undefined || payload === null || typeof payload !== 'object') {
    return { status: 400, body: `Failed to validate master::Call: Expecting '${field}' to be present` };
  }
  const agent = state.agents.get(typeof payload.agent_id?.value === 'string' ? payload.agent_id.value : undefined);
  if (!agent) return { status: 400, body: 'No agent found with specified ID' };
  const resources = (Array.isArray(payload[list]) ? payload[list] : []) as Resource[];
  const op = { type: operation, [operation.toLowerCase()]: { [list]: resources } } as OfferOperation & { type: ResourceOperationType };
  const attempt = () =>
    applyResourceOperation(op, {
      frameworkRoles: undefined,
      isMultiRole: false,
      hasSharedResources: true,
      role: undefined,
      offered: subtractResources(subtractResources(agent.total, agent.used), state.offers.offeredOn(agent.id)),
      total: agent.total,
      used: agent.used,
    });
  const wantsResources = (o: ReturnType<typeof attempt>) => !o.ok && o.message.startsWith(`Invalid ${operation} Operation:`);
  let outcome = attempt();
  if (wantsResources(outcome)) {
    // What the agent's offers hold is taken back (RESCIND) before the operation is refused for want of it.
    state.rescindOffersOn(agent.id);
    outcome = attempt();
    if (!outcome.ok && wantsResources(outcome)) return { status: 409, body: outcome.message };
  }
  if (!outcome.ok) return { status: 400, body: `Invalid ${operation} operation on agent ${agent.id}: ${outcome.message}` };
  const destroyed = operation === 'DESTROY' ? subtractResources(agent.total, outcome.total) : [];
  agent.total = outcome.total;
  if (destroyed.length > 0) agent.link.destroyVolumes?.(destroyed);
  state.scheduleAllocation();
  return { status: 202, body: '' };
}
