import type { AgentID, ExecutorID, SchedulerCall } from '@mesosgot/common/internal';
import { copyId, validateId } from './validate-id.js';

/** SHUTDOWN one executor on one agent (docs/protocol.md, "Teardown and shutdown"); both ids are required by the master. No I/O. */
export function shutdown(executorId: ExecutorID, agentId: AgentID): SchedulerCall {
  validateId('executorId', executorId);
  validateId('agentId', agentId);
  return { type: 'SHUTDOWN', shutdown: { executor_id: copyId(executorId), agent_id: copyId(agentId) } };
}
