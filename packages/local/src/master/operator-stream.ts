/**
 * One operator event stream (the master's v1 operator `SUBSCRIBE`): a 200 response whose body
 * is RecordIO-framed events (JSON or protobuf, as negotiated) — SUBSCRIBED with the whole state, HEARTBEAT at once and every
 * `heartbeat_interval_seconds`, then TASK_ADDED, TASK_UPDATED, AGENT_ADDED, AGENT_REMOVED,
 * FRAMEWORK_ADDED, FRAMEWORK_UPDATED, FRAMEWORK_REMOVED as the master's state changes, in the
 * order it changes (recorded: test/fixtures/real-mesos/operator/operator-subscribe.jsonl).
 */
import type { ServerResponse } from 'node:http';
import { encodeRecord } from '@mesosgot/common/internal';
import { MASTER_EVENT_CODEC, type OperatorMessage } from '@mesosgot/common/protobuf';
import type { MasterChange } from './master-changes.js';
import type { MasterState } from './master-state.js';
import { agentView, frameworkView, getState, taskView, timeInfo } from './operator-views.js';
import { encodeOperatorMessage, encodingHeaders, recordType, type MessageType, type OperatorEncoding } from '../operator/operator-call.js';

/**
 * Bytes we let queue for a subscriber that does not read. Past it the stream is cut: memory
 * stays bounded and the master never waits for an operator.
 */
const MAX_QUEUED_STREAM_BYTES = 16 * 1024 * 1024;

/** The operator event a change becomes. */
export function operatorEvent(state: MasterState, change: MasterChange): Record<string, unknown> {
  switch (change.kind) {
    case 'task-added':
      return { type: 'TASK_ADDED', task_added: { task: taskView(change.task) } };
    case 'task-updated':
      return {
        type: 'TASK_UPDATED',
        task_updated: { framework_id: { value: change.task.frameworkId }, status: change.status, state: change.task.state },
      };
    case 'agent-added':
      return { type: 'AGENT_ADDED', agent_added: { agent: agentView(state, change.agent) } };
    case 'agent-removed':
      return { type: 'AGENT_REMOVED', agent_removed: { agent_id: { value: change.agentId } } };
    case 'framework-added':
      // A new framework was never unregistered: the event says so with a zero time.
      return { type: 'FRAMEWORK_ADDED', framework_added: { framework: { ...frameworkView(state, change.framework), unregistered_time: timeInfo(0) } } };
    case 'framework-updated':
      return { type: 'FRAMEWORK_UPDATED', framework_updated: { framework: frameworkView(state, change.framework) } };
    case 'framework-removed':
      return { type: 'FRAMEWORK_REMOVED', framework_removed: { framework_info: change.info } };
  }
}

/**
 * Opens the stream on `res` (writes the head and SUBSCRIBED) and follows the state until the
 * subscriber goes away or `close()`; `onClosed` runs once either way.
 */
export class OperatorStream {
  readonly #res: ServerResponse;
  readonly #unlisten: () => void;
  readonly #heartbeat: NodeJS.Timeout | undefined;
  /** Written by #end only. */
  #closed = false;
  /** JSON or protobuf, per record (RecordIO framing either way). */
  readonly #recordType: MessageType;

  constructor(state: MasterState, res: ServerResponse, encoding: OperatorEncoding, onClosed: (stream: OperatorStream) => void) {
    this.#res = res;
    this.#recordType = recordType(encoding);
    res.writeHead(200, encodingHeaders(encoding));
    res.flushHeaders();
    const heartbeatSeconds = state.settings.heartbeatIntervalSeconds;
    this.#send({ type: 'SUBSCRIBED', subscribed: { get_state: getState(state), heartbeat_interval_seconds: heartbeatSeconds } });
    this.#send({ type: 'HEARTBEAT' });
    this.#unlisten = state.changes.listen((change) => this.#send(operatorEvent(state, change)));
    this.#heartbeat = heartbeatSeconds > 0 ? setInterval(() => this.#send({ type: 'HEARTBEAT' }), heartbeatSeconds * 1000) : undefined;
    res.on('close', () => {
      this.#end();
      onClosed(this);
    });
  }

  /** Ends the body; the 'close' that follows runs onClosed. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#end();
    this.#res.end();
  }

  #send(event: Record<string, unknown>): void {
    if (this.#closed) return;
    if (this.#res.writableLength > MAX_QUEUED_STREAM_BYTES) {
      this.#end();
      this.#res.destroy();
      return;
    }
    this.#res.write(encodeRecord(encodeOperatorMessage(event as OperatorMessage, this.#recordType, MASTER_EVENT_CODEC)));
  }

  #end(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unlisten();
    if (this.#heartbeat) clearInterval(this.#heartbeat);
  }
}
