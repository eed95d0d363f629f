// @mesosgot/common/internal: everything the sibling packages and tests share; not a stable API.
// Applications import the main entry (index.ts) instead. The public API is re-exported whole,
// so this file lists only what the main entry leaves out.
export * from './index.js';
export * from './errors.js';
export { PassingChannel } from './channel/passing-channel.js';
export * from './wire/uuid.js';
export * from './recordio/decoder.js';
export * from './recordio/encoder.js';
export * from './recordio/json-records.js';
export {
  addResources,
  subtractResources,
  resourcesContain,
  ResourceBalance,
  isEmptyResources,
  scalarOf,
  rangesOf,
  toResourceMap,
} from './resources/arithmetic.js';
export { parseResourceMap, parseResourceList, parseResourceFlags } from './resources/parse.js';
export type { ResourceRequest } from './resources/parse.js';
export { allocate, allocateAll, fits } from './resources/fit.js';
export type { Allocation } from './resources/fit.js';
export * from './http/client.js';
export * from './http/get-json.js';
export * from './http/call-lanes.js';
export * from './http/basic-auth.js';
export * from './http/leader-redirect.js';
export * from './http/status-errors.js';
export {
  encodeLinkFrame,
  encodeLinkFrameChunks,
  joinLinkFrameChunks,
  decodeLinkFrame,
  isLinkFrame,
  LINK_FRAME_MAGIC,
  LINK_FRAME_VERSION,
  LINK_FRAME_HEADER_BYTES,
} from './taskmsg/link-frame.js';
export type { LinkFrame, LinkFrameChunks, LinkFrameKind, LinkSection, LinkFeedback } from './taskmsg/link-frame.js';
export { DEFAULT_MAX_BATCH_BYTES } from './taskmsg/batch.js';
export { INITIAL_STREAM_CREDIT } from './taskmsg/link-stream.js';
export {
  ReliableLink,
  DEFAULT_RECEIVE_WINDOW,
  DEFAULT_MAX_FRAMES_IN_FLIGHT,
  DEFAULT_RETRANSMIT_MS,
  DEFAULT_MAX_RETRANSMIT_MS,
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
export * from './backoff.js';
export * from './taskmsg/task-spec.js';
export * from './stout-duration.js';
export * from './canonical-json.js';
export * from './http/content-type.js';
export { loadWireCodecs } from './wire/load-wire-codecs.js';
export * from './taskmsg/link-transport.js';
export * from './dataplane/socket-frame-parser.js';
export * from './dataplane/data-plane-hello.js';
export * from './dataplane/data-plane-offer.js';
export * from './dataplane/direct-transport.js';
export * from './dataplane/first-frame.js';
