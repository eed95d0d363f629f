// @mesosgot/common/internal: everything the sibling packages and tests share; not a stable API.
// Applications import the main entry (index.ts) instead.
export * from './errors.js';
export * from './wire/mesos.js';
export * from './wire/scheduler.js';
export * from './wire/executor.js';
export * from './wire/uuid.js';
export * from './recordio/decoder.js';
export * from './recordio/encoder.js';
export * from './recordio/json-records.js';
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
export {
  addResources,
  subtractResources,
  resourcesContain,
  isEmptyResources,
  scalarOf,
  rangesOf,
  toResourceMap,
} from './resources/arithmetic.js';
export { parseResourceMap, parseResourceList, parseResourceFlags } from './resources/parse.js';
export type { ResourceMap, ResourceRequest, RangePairs } from './resources/parse.js';
export { allocate, allocateAll, fits } from './resources/fit.js';
export type { Allocation } from './resources/fit.js';
export * from './http/client.js';
export * from './http/basic-auth.js';
export * from './http/leader-redirect.js';
export * from './http/status-errors.js';
export {
  encodeLinkFrame,
  decodeLinkFrame,
  isLinkFrame,
  LINK_FRAME_MAGIC,
  LINK_FRAME_VERSION,
  LINK_FRAME_HEADER_BYTES,
} from './taskmsg/link-frame.js';
export type { LinkFrame, LinkFrameKind, LinkSection, LinkFeedback } from './taskmsg/link-frame.js';
export { DEFAULT_MAX_BATCH_BYTES } from './taskmsg/batch.js';
export { INITIAL_STREAM_CREDIT } from './taskmsg/link-stream.js';
export {
  ReliableLink,
  DEFAULT_RECEIVE_WINDOW,
  DEFAULT_MAX_FRAMES_IN_FLIGHT,
  DEFAULT_RETRANSMIT_MS,
  DEFAULT_MAX_RETRANSMIT_MS,
  DEFAULT_MAX_MESSAGE_BYTES,
} from './taskmsg/reliable-link.js';
export type { LinkStreamStats, ReliableLinkOptions, ReliableLinkStats } from './taskmsg/reliable-link.js';
export {
  TASK_MSG_OVERHEAD_BYTES,
  encodeTaskMsg,
  decodeTaskMsg,
  encodedTaskMsgLength,
  writeTaskMsg,
  readTaskMsg,
  encodeTaskMsgs,
  decodeTaskMsgs,
} from './taskmsg/codec.js';
export type { TaskMsg } from './taskmsg/codec.js';
export * from './backoff.js';
export * from './taskmsg/task-spec.js';
export * from './stout-duration.js';
export * from './canonical-json.js';
export * from './wire/wire-codec.js';
export { writeMesosJson, formatDouble } from './wire/mesos-json-writer.js';
export { encodeProtobuf, decodeProtobuf, messageToWire } from './wire/protobuf-codec.js';
export * from './http/content-type.js';
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
