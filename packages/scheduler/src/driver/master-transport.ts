/**
 * What the driver needs from HTTP, and nothing more: open a SUBSCRIBE stream, send a call.
 * The implementation (http-master-transport.ts) wraps @mesosgot/common's MesosHttpClient; tests
 * and other transports can plug in here. 307 redirects are followed below this seam (docs/protocol.md, "Scheduler endpoint answers").
 */
import type { ContentType, SchedulerCall } from '@mesosgot/common/internal';

/** A SUBSCRIBE that got its `200`: the stream is open, nothing read yet. */
export interface OpenedStream {
  /** The master that answered (after redirects). Calls of this subscription go there. */
  readonly masterUrl: string;
  /** `Mesos-Stream-Id` of the response (docs/protocol.md, "Stream id"). */
  readonly streamId: string;
  /** The RecordIO records (payloads) of the body; `break` or the signal closes the connection. */
  readonly records: AsyncIterable<Uint8Array>;
  /** Encoding of the records (docs/protobuf.md); JSON when absent. */
  readonly contentType?: ContentType;
}

/** How one call is sent. */
export interface CallSendOptions {
  /** `Mesos-Stream-Id` of the subscription the call belongs to. */
  streamId: string;
  signal?: AbortSignal;
  /**
   * Repeating the call is harmless (ACKNOWLEDGE): it may be pipelined behind calls still
   * waiting for their answers, and sent again when the connection fails before its answer.
   */
  isRepeatable?: boolean;
}

export interface MasterTransport {
  /**
   * POSTs SUBSCRIBE on a new connection. Resolves once the 200 and its headers arrived. Rejects
   * with MesosHttpError for a non-2xx answer, ProtocolError when Mesos-Stream-Id is missing,
   * a network error, or `signal.reason`.
   */
  subscribe(masterUrl: string, call: SchedulerCall, options: { signal: AbortSignal }): Promise<OpenedStream>;
  /**
   * POSTs a non-SUBSCRIBE call with the stream id, on the calls connection (keep-alive, one at a
   * time but for repeatable calls, docs/protocol.md, "Connections"). Resolves on 2xx; rejects with MesosHttpError, a network error or `signal.reason`.
   */
  call(masterUrl: string, call: SchedulerCall, options: CallSendOptions): Promise<void>;
  /** Closes every connection; resolves when the sockets are gone. */
  close(): Promise<void>;
}
