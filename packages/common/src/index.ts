// @mesosgot/common: the foundations every package imports. Other packages import only from here.
export * from './errors.js';
export * from './wire/mesos.js';
export * from './wire/scheduler.js';
export * from './wire/executor.js';
export * from './wire/uuid.js';
