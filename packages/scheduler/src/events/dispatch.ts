/**
 * Event → Scheduler callbacks. Two steps, both free of connection logic: `callbacksFor` maps a
 * decoded event to the callbacks it means (pure), `invokeCallback` runs one on the Scheduler and
 * on the emitter. The driver decides ordering, acknowledgements and what SUBSCRIBED/ERROR do to
 * the connection (driver/).
 */
import { assertNever, type SchedulerEvent } from '@mesosgot/common/internal';
import type { EventEmitter } from 'eventemitter3';
import type { SchedulerDriver } from '../driver/scheduler-driver.js';
import type { Scheduler } from '../scheduler.js';
import type { SchedulerCallback, SchedulerCallbackArgs } from './scheduler-callback.js';

/** Mesos' "unknown" wait status for FAILURE without `status` (docs/protocol.md, "Scheduler events"). */
export const UNKNOWN_EXIT_STATUS = -1;

export interface DispatchContext {
  /** SUBSCRIBED means reregistered (a re-subscription, or failover with a known framework id). */
  isReregistration: boolean;
}

/**
 * The callbacks one event stands for, in the order to run them. HEARTBEAT means none.
 * FAILURE with executor_id is executorLost; without, slaveLost then agentLost (docs/protocol.md, "Scheduler events").
 */
export function callbacksFor(event: SchedulerEvent, context: DispatchContext): SchedulerCallback[] {
  switch (event.type) {
    case 'SUBSCRIBED': {
      const { framework_id, master_info } = event.subscribed;
      // decode.ts guarantees master_info (always sent since Mesos 1.1, docs/protocol.md, "Scheduler events").
      const masterInfo = master_info!;
      return context.isReregistration
        ? [{ name: 'reregistered', args: [masterInfo] }]
        : [{ name: 'registered', args: [framework_id, masterInfo] }];
    }
    case 'OFFERS':
      return [{ name: 'resourceOffers', args: [event.offers.offers ?? []] }];
    case 'INVERSE_OFFERS':
      return [{ name: 'inverseOffers', args: [event.inverse_offers.inverse_offers ?? []] }];
    case 'RESCIND':
      return [{ name: 'offerRescinded', args: [event.rescind.offer_id] }];
    case 'RESCIND_INVERSE_OFFER':
      return [{ name: 'inverseOfferRescinded', args: [event.rescind_inverse_offer.inverse_offer_id] }];
    case 'UPDATE':
      return [{ name: 'statusUpdate', args: [event.update.status] }];
    case 'UPDATE_OPERATION_STATUS':
      return [{ name: 'operationStatusUpdate', args: [event.update_operation_status.status] }];
    case 'MESSAGE': {
      const { executor_id, agent_id, data } = event.message;
      return [{ name: 'frameworkMessage', args: [executor_id, agent_id, new Uint8Array(Buffer.from(data, 'base64'))] }];
    }
    case 'FAILURE': {
      const { agent_id, executor_id, status } = event.failure;
      if (executor_id !== undefined) {
        // An executor FAILURE always names its agent on a real master; keep a placeholder otherwise.
        return [{ name: 'executorLost', args: [executor_id, agent_id ?? { value: '' }, status ?? UNKNOWN_EXIT_STATUS] }];
      }
      if (agent_id === undefined) return [];
      return [
        { name: 'slaveLost', args: [agent_id] },
        { name: 'agentLost', args: [agent_id] },
      ];
    }
    case 'ERROR':
      return [{ name: 'error', args: [event.error.message] }];
    case 'HEARTBEAT':
      return [];
    default:
      return assertNever(event, 'scheduler event');
  }
}

/**
 * Runs one callback: emits it on `emitter` (synchronous listeners), then calls the Scheduler's
 * method, if it has one, and waits for it to settle. Rejects with whatever a listener or the
 * callback threw; the driver treats that as fatal (it does not log and carry on).
 */
export async function invokeCallback(
  callback: SchedulerCallback,
  scheduler: Scheduler,
  driver: SchedulerDriver,
  emitter: EventEmitter<SchedulerCallbackArgs>,
): Promise<void> {
  // The generic emit/method signatures cannot follow the union's correlation between name and
  // args; both sides come from the same SchedulerCallbackArgs entry, so the casts are sound.
  (emitter.emit as (name: string, ...args: unknown[]) => boolean)(callback.name, ...callback.args);
  const method = scheduler[callback.name] as ((d: SchedulerDriver, ...args: unknown[]) => void | Promise<void>) | undefined;
  if (method !== undefined) await method.call(scheduler, driver, ...callback.args);
}
