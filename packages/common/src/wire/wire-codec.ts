/**
 * One codec per top-level v1 message, pairing the hand-checked wire type with its schema: the
 * same object encodes as Mesos JSON (`application/json`) or protobuf (`application/x-protobuf`),
 * and decodes back from either (docs/protobuf.md).
 */
import type { DescMessage } from '@bufbuild/protobuf';
import { ProtocolError } from '../errors.js';
import type { ContentType } from '../http/content-type.js';
import type { ExecutorCall, ExecutorEvent } from './executor.js';
import { CallSchema as ExecutorCallSchema, EventSchema as ExecutorEventSchema } from './gen/mesos/v1/executor/executor_pb.js';
import { writeMesosJson } from './mesos-json-writer.js';
import { decodeProtobuf, encodeProtobuf } from './protobuf-codec.js';
import type { SchedulerCall, SchedulerEvent } from './scheduler.js';
import { CallSchema as SchedulerCallSchema, EventSchema as SchedulerEventSchema } from './gen/mesos/v1/scheduler/scheduler_pb.js';
import {
  CallSchema as MasterCallSchema,
  EventSchema as MasterEventSchema,
  ResponseSchema as MasterResponseSchema,
} from './gen/mesos/v1/master/master_pb.js';
import { CallSchema as AgentCallSchema, ResponseSchema as AgentResponseSchema } from './gen/mesos/v1/agent/agent_pb.js';

export class WireCodec<W> {
  /** The generated descriptor, for code that needs the schema itself. */
  readonly schema: DescMessage;

  constructor(schema: DescMessage) {
    this.schema = schema;
  }

  /** Mesos JSON text of `wire` (fields in Mesos' order, doubles with `.0`). */
  toJson(wire: W): string {
    return writeMesosJson(this.schema, wire);
  }

  /** Protobuf bytes of `wire`. @throws ProtocolError on a value of the wrong type. */
  toBinary(wire: W): Uint8Array {
    return encodeProtobuf(this.schema, wire);
  }

  /** The wire object in protobuf bytes. @throws ProtocolError on bytes that do not parse. */
  fromBinary(bytes: Uint8Array): W {
    return decodeProtobuf<W>(this.schema, bytes);
  }

  /** Encodes in `type`: JSON text as UTF-8 bytes, or protobuf. */
  encode(wire: W, type: ContentType): Uint8Array {
    const payload = this.serialize(wire, type);
    return typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  }

  /**
   * `wire` in `type` as JSON text or protobuf bytes, for a writer that takes either (a RecordIO
   * record copies text once into its frame, without first making bytes of it).
   */
  serialize(wire: W, type: ContentType): string | Uint8Array {
    return type === 'json' ? this.toJson(wire) : this.toBinary(wire);
  }

  /**
   * Decodes a body in `type`. JSON is only parsed here (no schema check): the callers' own
   * validators give Mesos' exact error texts.
   *
   * @throws ProtocolError on JSON that does not parse or protobuf that does not decode.
   */
  decode(bytes: Uint8Array, type: ContentType): W {
    if (type === 'protobuf') return this.fromBinary(bytes);
    try {
      return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')) as W;
    } catch (err) {
      throw new ProtocolError(`Invalid JSON in ${this.schema.typeName}: ${(err as Error).message}`, undefined, { cause: err });
    }
  }
}

/** `mesos.v1.scheduler.Call`: what a scheduler POSTs to /api/v1/scheduler. */
export const SCHEDULER_CALL_CODEC = new WireCodec<SchedulerCall>(SchedulerCallSchema);
/** `mesos.v1.scheduler.Event`: one record of a scheduler's subscription stream. */
export const SCHEDULER_EVENT_CODEC = new WireCodec<SchedulerEvent>(SchedulerEventSchema);
/** `mesos.v1.executor.Call`: what an executor POSTs to /api/v1/executor. */
export const EXECUTOR_CALL_CODEC = new WireCodec<ExecutorCall>(ExecutorCallSchema);
/** `mesos.v1.executor.Event`: one record of an executor's subscription stream. */
export const EXECUTOR_EVENT_CODEC = new WireCodec<ExecutorEvent>(ExecutorEventSchema);

/**
 * An operator API message (call, response or event of the master's or an agent's `/api/v1`) as a
 * wire object: its `type` and the payload fields, in Mesos' JSON shape. Left loose: the local
 * cluster builds these from its views, and callers check the fields they read.
 */
export interface OperatorMessage {
  type: string;
  [field: string]: unknown;
}

/** `mesos.v1.master.Call`: what an operator POSTs to a master's /api/v1. */
export const MASTER_CALL_CODEC = new WireCodec<OperatorMessage>(MasterCallSchema);
/** `mesos.v1.master.Response`: a master's answer to any operator call but SUBSCRIBE. */
export const MASTER_RESPONSE_CODEC = new WireCodec<OperatorMessage>(MasterResponseSchema);
/** `mesos.v1.master.Event`: one record of a master's operator SUBSCRIBE stream. */
export const MASTER_EVENT_CODEC = new WireCodec<OperatorMessage>(MasterEventSchema);
/** `mesos.v1.agent.Call`: what an operator POSTs to an agent's /api/v1. */
export const AGENT_CALL_CODEC = new WireCodec<OperatorMessage>(AgentCallSchema);
/** `mesos.v1.agent.Response`: an agent's answer to an operator call. */
export const AGENT_RESPONSE_CODEC = new WireCodec<OperatorMessage>(AgentResponseSchema);
