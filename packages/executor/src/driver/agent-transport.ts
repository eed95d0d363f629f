import type { ContentType, ExecutorCall } from '@mesosgot/common/internal';

/**
 * The two HTTP conversations an executor has with its agent (docs/protocol.md, "Connections"): one
 * long SUBSCRIBE stream, and every other call on a separate keep-alive connection.
 */
export interface AgentTransport {
  /** Encoding of the stream's records (docs/protobuf.md); JSON when absent. */
  readonly contentType?: ContentType;
  /**
   * POSTs SUBSCRIBE on a new connection. Resolves at the `200` with the stream's RecordIO
   * records (each one event in `contentType`); rejects with MesosHttpError on any other status, or the
   * network error. Aborting `signal` ends the iteration and destroys the socket.
   */
  subscribe(call: ExecutorCall, signal: AbortSignal): Promise<AsyncIterable<Buffer>>;
  /**
   * POSTs one call. Resolves on `2xx`; rejects with MesosHttpError or the network error.
   * `isRepeatable` (an UPDATE: the agent ignores a repeated uuid) lets it be pipelined behind
   * calls still waiting for their answers, and sent again when the connection fails first.
   */
  send(call: ExecutorCall, signal?: AbortSignal, options?: { isRepeatable?: boolean }): Promise<void>;
  /** Closes the connections. Resolves when the sockets are gone. */
  close(): Promise<void>;
}
