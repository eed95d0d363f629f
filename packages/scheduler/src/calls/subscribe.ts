import { InvalidArgumentError, type FrameworkInfo, type SchedulerCall } from '@mesosgot/common/internal';
import { validateId } from './validate-id.js';

export interface SubscribeOptions {
  /** Roles whose offers stay suppressed after subscribing (docs/protocol.md, "Scheduler calls"). */
  suppressedRoles?: readonly string[];
}

/**
 * SUBSCRIBE (docs/protocol.md, "Scheduler calls", "Subscribing"). When `frameworkInfo.id` is set this is a re-subscription: the id goes
 * in both `framework_id` and `framework_info.id`, which the master requires to be equal (docs/protocol.md, "Scheduler calls").
 * Throws InvalidArgumentError for a missing `user`/`name`; does no I/O.
 */
export function subscribe(frameworkInfo: FrameworkInfo, options: SubscribeOptions = {}): SchedulerCall {
  if (typeof frameworkInfo.user !== 'string') {
    throw new InvalidArgumentError('frameworkInfo.user', frameworkInfo.user, 'required (a Unix user name)');
  }
  if (typeof frameworkInfo.name !== 'string' || frameworkInfo.name === '') {
    throw new InvalidArgumentError('frameworkInfo.name', frameworkInfo.name, 'required');
  }
  const call: SchedulerCall = {
    type: 'SUBSCRIBE',
    subscribe: { framework_info: { ...frameworkInfo } },
  };
  if (frameworkInfo.id !== undefined) {
    validateId('frameworkInfo.id', frameworkInfo.id);
    call.framework_id = { value: frameworkInfo.id.value };
    call.subscribe.framework_info.id = { value: frameworkInfo.id.value };
  }
  if (options.suppressedRoles && options.suppressedRoles.length > 0) {
    call.subscribe.suppressed_roles = [...options.suppressedRoles];
  }
  return call;
}
