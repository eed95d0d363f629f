import type { SchedulerCall } from '@mesosgot/common/internal';
import { validateRoles } from './roles.js';

/**
 * SUPPRESS (docs/protocol.md, "Filters and declines"): stop offers for the roles (all when none given); updates, messages and
 * rescinds still flow. No I/O.
 */
export function suppress(roles?: readonly string[]): SchedulerCall {
  const list = validateRoles('roles', roles);
  return list ? { type: 'SUPPRESS', suppress: { roles: list } } : { type: 'SUPPRESS' };
}
