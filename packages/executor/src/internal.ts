// @mesosgot/executor/internal: everything tests and sibling packages use; not a stable API. Applications
// import the main entry (index.ts) instead.
export * as calls from './calls/index.js';
export type { ExecutorIds, UnacknowledgedLists } from './calls/index.js';
export { decodeEvent } from './events/decode.js';
export * from './driver/executor.js';
export * from './driver/executor-driver.js';
export * from './driver/mesos-executor-driver.js';
export * from './driver/agent-env.js';
export * from './driver/agent-transport.js';
export type { ConnectionState } from './driver/connection-state.js';
export * from './gotask/task-func.js';
export { TaskRegistry } from './gotask/task-registry.js';
export { TaskRunner, MIN_TASK_HEAP_MB } from './gotask/task-runner.js';
export type { TaskHost, TaskOutcome, StopCause, TaskThreads } from './gotask/task-runner.js';
export { portEnv, taskResources, taskContext } from './gotask/task-context.js';
export type { TaskContext, TaskResources, ExecutorPlace } from './gotask/task-context.js';
export { isTaskThread } from './gotask/task-thread-worker.js';
export { ThreadSlots, LEND_CHECK_MS, IDLE_UTILIZATION } from './gotask/thread-slots.js';
export type { ThreadSlot } from './gotask/thread-slots.js';
export { pumpInput, pumpOutput } from './gotask/message-pump.js';
export type { TaskLink } from './gotask/message-pump.js';
export { ExecutorLink } from './gotask/executor-link.js';
export { DataPlaneClient, DATA_PLANE_BACKOFF, DATA_PLANE_CONNECT_TIMEOUT_MS, type DataPlaneClientOptions } from './gotask/data-plane-client.js';
export type { ExecutorLinkOptions } from './gotask/executor-link.js';
export { GoTaskExecutor, DEFAULT_KILL_GRACE_MS, DEFAULT_FLUSH_TIMEOUT_MS, EXECUTOR_USAGE_EXIT_CODE, executorUsage } from './gotask/gotask-executor.js';
export type { GoTaskExecutorOptions } from './gotask/gotask-executor.js';
export { executorMain, type ExecutorMainOptions } from './gotask/executor-main.js';
