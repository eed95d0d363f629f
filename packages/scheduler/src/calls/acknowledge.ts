import { InvalidArgumentError, isValidStatusUuid, type SchedulerCall, type TaskStatus } from '@mesosgot/common/internal';
import { copyId, validateId } from './validate-id.js';

/**
 * ACKNOWLEDGE a reliable status update (docs/protocol.md, "Acknowledgements"): echoes agent id, task id and the exact uuid bytes.
 * Throws InvalidArgumentError for an update that must not be acknowledged — one without a uuid
 * (master-generated) or without an agent id — so a bad ack never reaches the master. No I/O.
 */
export function acknowledge(status: TaskStatus): SchedulerCall {
  validateId('status.task_id', status?.task_id);
  if (status.uuid === undefined) {
    throw new InvalidArgumentError('status.uuid', status.uuid, 'updates without a uuid must not be acknowledged');
  }
  if (!isValidStatusUuid(status.uuid)) {
    throw new InvalidArgumentError('status.uuid', status.uuid, 'expected base64 of a 16-byte RFC 4122 uuid');
  }
  validateId('status.agent_id', status.agent_id);
  return {
    type: 'ACKNOWLEDGE',
    acknowledge: { agent_id: copyId(status.agent_id), task_id: copyId(status.task_id), uuid: status.uuid },
  };
}
