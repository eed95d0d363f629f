import { InvalidArgumentError, type AgentID, type ExecutorID, type SchedulerCall } from '@mesosgot/common/internal';
import { copyId, validateId } from './validate-id.js';

/**
 * MESSAGE to an executor (docs/protocol.md, "Framework messages"): best effort, at most once. `data` is raw bytes (a string is
 * sent as its UTF-8 bytes); it goes base64 on the wire (docs/protocol.md, "JSON encoding"). No I/O.
 */
export function message(executorId: ExecutorID, agentId: AgentID, data: Uint8Array | string): SchedulerCall {
  validateId('executorId', executorId);
  validateId('agentId', agentId);
  let bytes: Buffer;
  if (typeof data === 'string') bytes = Buffer.from(data, 'utf8');
  else if (data instanceof Uint8Array) bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  else throw new InvalidArgumentError('data', data, 'expected a Uint8Array or a string');
  return {
    type: 'MESSAGE',
    message: { agent_id: copyId(agentId), executor_id: copyId(executorId), data: bytes.toString('base64') },
  };
}
