import type { SchedulerCall } from '@mesosgot/common/internal';

/**
 * TEARDOWN (docs/protocol.md, "Teardown and shutdown"): the master kills every task, shuts the executors down and closes the
 * stream; the framework id can never subscribe again. No payload. Does no I/O.
 */
export function teardown(): SchedulerCall {
  return { type: 'TEARDOWN' };
}
