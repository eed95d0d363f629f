/**
 * Shared by the scheduler and executor packages: the error tree, the Mesos v1 wire types
 * (spelled as Mesos' JSON), Go-style channels and `select`, the TaskMsg shape and resource maps.
 *
 * @packageDocumentation
 * @module @mesosgot/common
 */
// @mesosgot/common: what applications and raw-driver users import (README "The API", "The driver
// layer"): the error tree, the Mesos v1 wire types, channels and select, the TaskMsg shape and
// resource maps. Everything else the sibling packages share is in ./internal.ts
// (`@mesosgot/common/internal`), which is not a stable API.
export {
  MesosGotError,
  InvalidArgumentError,
  ProtocolError,
  MesosHttpError,
  NotSubscribedError,
  ChannelClosedError,
  TaskError,
  TimeoutError,
  MasterDetectionError,
  DriverStoppedError,
  MissingPackageError,
  MessageTooLargeError,
  UnfittableTaskError,
  StoppedError,
  BundleError,
} from './errors.js';
export * from './wire/mesos.js';
export * from './wire/scheduler.js';
export * from './wire/executor.js';
export { DEFAULT_CONTENT_TYPE, MEDIA_TYPES, type ContentType } from './http/content-type.js';
export { newStatusUuid, isValidStatusUuid, statusUuidToString } from './wire/uuid.js';
export { Channel, DEFAULT_CHANNEL_CAPACITY } from './channel/channel.js';
export type { SendChannel, ReceiveChannel, ReceiveResult } from './channel/channel.js';
export { select, onReceive, onSend } from './channel/select.js';
export type {
  SelectCase,
  ReceiveCase,
  SendCase,
  SelectResult,
  ReceiveFired,
  SendFired,
  SelectTimeout,
  SelectOptions,
} from './channel/select.js';
export type { TaskMsg } from './taskmsg/codec.js';
export type { ResourceMap, RangePairs } from './resources/parse.js';
export { DEFAULT_MAX_MESSAGE_BYTES } from './taskmsg/reliable-link.js';
export * from './log/logger.js';
export * from './entry/process-host.js';
export { MessageDecodeError } from './errors.js';
export { jsonCodec, bytesCodec, stringCodec } from './typed/message-codec.js';
export type { MessageCodec, WireData } from './typed/message-codec.js';
export { defineProtocol, TaskProtocol } from './typed/task-protocol.js';
export type {
  KindCodecs,
  ProtocolSpec,
  KindOf,
  TaskIdOf,
  ToTaskOf,
  FromTaskOf,
  SchedOutMsg,
  SchedInMsg,
  TaskInMsg,
  TaskOutMsg,
} from './typed/task-protocol.js';
