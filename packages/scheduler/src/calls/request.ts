import { InvalidArgumentError, type AgentID, type Resource, type SchedulerCall } from '@mesosgot/common/internal';
import { copyId, validateId } from './validate-id.js';

/** One resource request (v1 `Request`): optionally pinned to an agent. */
export interface ResourceRequest {
  /** The agent the resources are wanted on, if any. */
  agent_id?: AgentID;
  /** The resources wanted. */
  resources?: Resource[];
}

/**
 * REQUEST (docs/protocol.md, "Scheduler calls"): ask for resources. The payload is `request.requests`; Mesos' default
 * allocator ignores it, so it is a hint at most. No I/O.
 */
export function request(requests: readonly ResourceRequest[]): SchedulerCall {
  if (!Array.isArray(requests)) throw new InvalidArgumentError('requests', requests, 'expected an array');
  const list = requests.map((r, i) => {
    const entry: ResourceRequest = {};
    if (r?.agent_id !== undefined) {
      validateId(`requests[${i}].agent_id`, r.agent_id);
      entry.agent_id = copyId(r.agent_id);
    }
    if (r?.resources !== undefined) entry.resources = [...r.resources];
    return entry;
  });
  return { type: 'REQUEST', request: { requests: list } };
}
