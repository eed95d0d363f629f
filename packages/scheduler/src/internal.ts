// @mesosgot/scheduler/internal: everything tests and sibling packages use; not a stable API. Applications
// import the main entry (index.ts) instead.
export * as calls from './calls/index.js';
export type { Scheduler } from './scheduler.js';
export { decodeEvent, decodeEventBytes, parseEventJson } from './events/decode.js';
export { callbacksFor, invokeCallback, UNKNOWN_EXIT_STATUS, type DispatchContext } from './events/dispatch.js';
export type { SchedulerCallback, SchedulerCallbackArgs, SchedulerCallbackName } from './events/scheduler-callback.js';
export type { ReconcileTask } from './calls/reconcile.js';
export type { ResourceRequest } from './calls/request.js';
export type { DriverStatus, SchedulerDriver } from './driver/scheduler-driver.js';
export type { ConnectionStatus } from './driver/status-stream.js';
export type { MasterDetector } from './driver/master-detector.js';
export { StaticMasterDetector, parseMasters } from './driver/static-master-detector.js';
export { ConnectionState, type ConnectionPhase, type ConnectionSnapshot, type Subscription } from './driver/connection-state.js';
export { HeartbeatWatchdog, DEFAULT_HEARTBEAT_TIMEOUT_FACTOR } from './driver/heartbeat-watchdog.js';
export { MesosSchedulerDriver } from './driver/mesos-scheduler-driver.js';
export {
  DEFAULT_BACKOFF_INITIAL_MS,
  DEFAULT_BACKOFF_MAX_MS,
  type BackoffSettings,
  type SchedulerDriverOptions,
} from './driver/driver-options.js';
export { buildFrameworkInfo, type FrameworkSettings } from './driver/framework-info.js';
export type { CallSendOptions, MasterTransport, OpenedStream } from './driver/master-transport.js';
export { CallQueue, ACK_CONCURRENCY, MAX_QUEUED_CALLS } from './driver/call-queue.js';
export { HttpMasterTransport, type HttpMasterTransportOptions } from './driver/http-master-transport.js';
export { STATUS_QUEUE_BOUND } from './driver/status-stream.js';
export {
  SCHED_EVENT_TYPES,
  schedEventTypeOf,
  schedEventFromStatus,
  type SchedEvent,
  type SchedEventType,
  type TaskEventData,
  type TaskEndData,
  type AllocationShortfall,
} from './gotask/sched-events.js';
export {
  loadSchedulerConfig,
  parseSchedulerConfig,
  USAGE_ERROR_EXIT_CODE,
  formatHelp,
  SCHEDULER_FLAGS,
  DEFAULT_LOCAL_AGENTS,
  DEFAULT_LOCAL_AGENT_RESOURCES,
  DEFAULT_HOLD_TIMEOUT_SECONDS,
  DEFAULT_MAX_RESTARTS,
  DEFAULT_CONNECT_TIMEOUT_SECONDS,
  DEFAULT_DRAIN_TIMEOUT_SECONDS,
  type SchedulerConfig,
  type LoadSchedulerConfigOptions,
  type TaskFailurePolicy,
  type FlagSpec,
  type FlagValue,
} from './gotask/config.js';
export { ArtifactServer, type ArtifactServerOptions } from './gotask/artifact-server.js';
export { DataPlaneServer, CREDENTIAL_BYTES, DEFAULT_HANDSHAKE_TIMEOUT_MS, DATA_PLANE_KEEPALIVE_MS, type DataPlaneServerOptions } from './gotask/data-plane-server.js';
export {
  GangAllocator,
  type GangAllocatorOptions,
  type GangTask,
  type GangPlan,
  type TaskPlacement,
  type AgentPlacement,
} from './gotask/gang-allocator.js';
export { createMasterDetector } from './driver/create-master-detector.js';
export { ZooKeeperMasterDetector, masterUrlFromInfo, DEFAULT_LEADER_WAIT_MS, type ZooKeeperMasterDetectorOptions } from './driver/zk-master-detector.js';
export {
  GoTaskScheduler,
  DEFAULT_EXECUTOR_RESOURCES,
  DEFAULT_DRAIN_TIMEOUT_MS,
  SCHED_FUNC_GRACE_MS,
  type GoTaskSchedulerOptions,
  type SchedFunc,
  type SchedTask,
  type LocalClusterStarter,
  type LocalClusterHandle,
  type SpawnOptions,
  defaultExecutorBundle,
  DEFAULT_EXECUTOR_BUNDLE_NAME,
  startEmbeddedCluster,
} from './gotask/gotask-scheduler.js';
export type { DriverFactory } from './gotask/scheduler-session.js';
export { TaskTable, type SpawnSpec, type TaskEntry, type TaskPhase } from './gotask/task-table.js';
export { MessagePump, type MessagePumpOptions } from './gotask/message-pump.js';
export { GangLauncher, type GangLauncherOptions } from './gotask/gang-launcher.js';
export { buildExecutorInfo, buildTaskInfo, executorIdFor, type ExecutorSource } from './gotask/launch-builder.js';
export { schedulerMain, EXIT_OK, EXIT_FAILED, type SchedulerMainOptions } from './gotask/scheduler-main.js';
export { SchedOut, type SchedOutOptions } from './gotask/sched-out.js';
