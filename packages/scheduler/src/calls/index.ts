// Call builders: pure functions from arguments to SchedulerCall wire objects, no I/O
// (mesos-go scheduler/calls). The driver stamps framework_id and sends them.
export { accept, launch, validateFilters } from './accept.js';
export { acknowledge } from './acknowledge.js';
export { decline } from './decline.js';
export { kill } from './kill.js';
export { message } from './message.js';
export { reconcile, type ReconcileTask } from './reconcile.js';
export { request, type ResourceRequest } from './request.js';
export { revive } from './revive.js';
export { shutdown } from './shutdown.js';
export { subscribe, type SubscribeOptions } from './subscribe.js';
export { suppress } from './suppress.js';
export { teardown } from './teardown.js';
