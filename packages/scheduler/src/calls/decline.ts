import type { Filters, OfferID, SchedulerCall } from '@mesosgot/common/internal';
import { validateFilters } from './accept.js';
import { copyId, validateIds } from './validate-id.js';

/**
 * DECLINE (docs/protocol.md, "Filters and declines"): give the offers back; `filters.refuse_seconds` (default 5) keeps those
 * resources away from this framework. Throws InvalidArgumentError on malformed ids; no I/O.
 */
export function decline(offerIds: readonly OfferID[], filters?: Filters): SchedulerCall {
  validateIds('offerIds', offerIds);
  const call: SchedulerCall = { type: 'DECLINE', decline: { offer_ids: offerIds.map(copyId) } };
  if (filters !== undefined) call.decline.filters = validateFilters(filters);
  return call;
}
