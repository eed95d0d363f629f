// Pure builders of executor calls: wire objects in, no I/O (as mesos-go executor/calls).
export * from './executor-ids.js';
export * from './subscribe.js';
export * from './update.js';
export * from './message.js';
export * from './heartbeat.js';
