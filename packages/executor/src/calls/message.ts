import type { ExecutorCall } from '@mesosgot/common/internal';
import type { ExecutorIds } from './executor-ids.js';

/** MESSAGE to the scheduler; `data` is raw bytes (or UTF-8 text), sent as base64 (docs/protocol.md, "JSON encoding"). */
export function message(ids: ExecutorIds, data: Uint8Array | string): ExecutorCall {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return {
    type: 'MESSAGE',
    framework_id: { value: ids.frameworkId },
    executor_id: { value: ids.executorId },
    message: { data: bytes.toString('base64') },
  };
}
