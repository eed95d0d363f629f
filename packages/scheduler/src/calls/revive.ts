import type { SchedulerCall } from '@mesosgot/common/internal';
import { validateRoles } from './roles.js';

/**
 * REVIVE (docs/protocol.md, "Filters and declines"): un-suppress the roles (all when none given) and clear their filters.
 * The payload is `revive.roles` (an array; the docs' `role` is wrong, docs/protocol.md, "Scheduler calls"). No I/O.
 */
export function revive(roles?: readonly string[]): SchedulerCall {
  const list = validateRoles('roles', roles);
  return list ? { type: 'REVIVE', revive: { roles: list } } : { type: 'REVIVE' };
}
