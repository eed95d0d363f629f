/**
 * The executor side: GoTaskExecutor and its task-function types (the GoTask layer), and
 * MesosExecutorDriver with the Executor callbacks (the driver layer over the v1 executor HTTP
 * API). Channel, TaskMsg and error types are re-exported from common.
 *
 * @packageDocumentation
 * @module @mesosgot/executor
 */
// @mesosgot/executor: what README documents. GoTaskExecutor and its task-function types, the raw
// driver (MesosExecutorDriver and the interfaces its callers implement), and the channel,
// TaskMsg and error types a task function uses (re-exported from common so an executor script
// depends on this package alone). Everything else is in ./internal.ts
// (`@mesosgot/executor/internal`), which tests use; it is not a stable API.
export { GoTaskExecutor, type GoTaskExecutorOptions } from './gotask/gotask-executor.js';
export type { TaskFunc, TypedTaskFunc, TaskFuncOptions, AppTask, AppTaskExecutor, TaskLaunch } from './gotask/task-func.js';
export type { TaskContext, TaskResources } from './gotask/task-context.js';
export { isTaskThread } from './gotask/task-thread-worker.js';
export { MesosExecutorDriver, type ExecutorDriverOptions } from './driver/mesos-executor-driver.js';
export type { Executor, CallbackResult } from './driver/executor.js';
export type { ExecutorDriver, ExecutorDriverEvents, DriverStatus } from './driver/executor-driver.js';
// All of @mesosgot/common's public API (channels, TaskMsg, typed protocols, errors, logging,
// wire types), so that an application depends on this package alone.
export * from '@mesosgot/common';
export { executorMain, type ExecutorMainOptions } from './gotask/executor-main.js';
