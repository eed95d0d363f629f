import type { AgentID, KillPolicy, SchedulerCall, TaskID } from '@mesosgot/common/internal';
import { copyId, validateId } from './validate-id.js';

/**
 * KILL (docs/protocol.md, "Killing tasks"). `agentId` is optional but a wrong one makes the master ignore the kill, and a
 * task unknown to the master gets a reconciliation answer (TASK_LOST) instead. No I/O.
 */
export function kill(taskId: TaskID, agentId?: AgentID, killPolicy?: KillPolicy): SchedulerCall {
  validateId('taskId', taskId);
  const call: SchedulerCall = { type: 'KILL', kill: { task_id: copyId(taskId) } };
  if (agentId !== undefined) {
    validateId('agentId', agentId);
    call.kill.agent_id = copyId(agentId);
  }
  if (killPolicy !== undefined) call.kill.kill_policy = killPolicy;
  return call;
}
