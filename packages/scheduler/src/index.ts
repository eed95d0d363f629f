/**
 * The scheduler side: GoTaskScheduler with its config and events (the GoTask layer), and
 * MesosSchedulerDriver with the Scheduler callbacks (the libmesos-shaped driver layer over the
 * v1 scheduler HTTP API). Channel, TaskMsg and error types are re-exported from common.
 *
 * @packageDocumentation
 * @module @mesosgot/scheduler
 */
// @mesosgot/scheduler: what README documents. The GoTask layer (GoTaskScheduler, its config and
// events), the raw driver (MesosSchedulerDriver and the interfaces its callers implement), and
// the channel, TaskMsg and error types a scheduler function uses (re-exported from common so an
// application depends on this package alone). Everything else is in ./internal.ts
// (`@mesosgot/scheduler/internal`), which tests and sibling packages use; it is not a stable API.
export {
  GoTaskScheduler,
  type GoTaskSchedulerOptions,
  type DataPlaneAddress,
  type SchedFunc,
  type TypedSchedFunc,
  type SchedTask,
  type SpawnOptions,
  type LocalClusterStarter,
  type LocalClusterHandle,
} from './gotask/gotask-scheduler.js';
export type { GangFailurePolicy, GangInfo } from './gotask/gang-registry.js';
export {
  loadSchedulerConfig,
  parseSchedulerConfig,
  USAGE_ERROR_EXIT_CODE,
  DEFAULT_CONNECT_TIMEOUT_SECONDS,
  DEFAULT_DRAIN_TIMEOUT_SECONDS,
  type SchedulerConfig,
  type LoadSchedulerConfigOptions,
  type TaskFailurePolicy,
  type DataPlaneMode,
  type FlagSpec,
  type FlagValue,
} from './gotask/config.js';
export {
  SCHED_EVENT_TYPES,
  type SchedEvent,
  type SchedEventType,
  type TaskEventData,
  type TaskEndData,
  type AllocationShortfall,
} from './gotask/sched-events.js';
export { MesosSchedulerDriver } from './driver/mesos-scheduler-driver.js';
export type { Scheduler } from './scheduler.js';
export type { DriverStatus, SchedulerDriver } from './driver/scheduler-driver.js';
export type { BackoffSettings, SchedulerDriverOptions } from './driver/driver-options.js';
export type { ConnectionStatus } from './driver/status-stream.js';
export type { MasterDetector } from './driver/master-detector.js';
export type { ReconcileTask } from './calls/reconcile.js';
export type { ResourceRequest } from './calls/request.js';
// All of @mesosgot/common's public API (channels, TaskMsg, typed protocols, errors, logging,
// wire types), so that an application depends on this package alone.
export * from '@mesosgot/common';
export { schedulerMain, EXIT_OK, EXIT_FAILED, type SchedulerMainOptions } from './gotask/scheduler-main.js';
