// @mesosgot/executor
export * as calls from './calls/index.js';
export type { ExecutorIds, UnacknowledgedLists } from './calls/index.js';
export { decodeEvent } from './events/decode.js';
export * from './driver/executor.js';
export * from './driver/executor-driver.js';
export * from './driver/mesos-executor-driver.js';
export * from './driver/agent-env.js';
export * from './driver/agent-transport.js';
export { parseDuration } from './driver/parse-duration.js';
export type { ConnectionState } from './driver/connection-state.js';
