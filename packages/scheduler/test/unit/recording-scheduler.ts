// Test helper: a Scheduler that records every callback, in order, and can be told to act.
import type { Scheduler, SchedulerDriver } from '@mesosgot/scheduler';
import type { SchedulerCallbackName } from '@mesosgot/scheduler/internal';

export interface Seen {
  name: SchedulerCallbackName;
  args: unknown[];
}

const NAMES: SchedulerCallbackName[] = [
  'registered',
  'reregistered',
  'disconnected',
  'resourceOffers',
  'offerRescinded',
  'statusUpdate',
  'frameworkMessage',
  'slaveLost',
  'agentLost',
  'executorLost',
  'error',
  'inverseOffers',
  'inverseOfferRescinded',
  'operationStatusUpdate',
];

export type Hooks = Partial<Record<SchedulerCallbackName, (driver: SchedulerDriver, ...args: never[]) => void | Promise<void>>>;

/** Returns the scheduler and the list it appends `{ name, args }` to (before running a hook). */
export function recordingScheduler(hooks: Hooks = {}): { scheduler: Scheduler; seen: Seen[]; names: () => string[] } {
  const seen: Seen[] = [];
  const scheduler: Record<string, unknown> = {};
  for (const name of NAMES) {
    scheduler[name] = async (driver: SchedulerDriver, ...args: unknown[]) => {
      seen.push({ name, args });
      await (hooks[name] as ((d: SchedulerDriver, ...a: unknown[]) => unknown) | undefined)?.(driver, ...args);
    };
  }
  return { scheduler: scheduler as Scheduler, seen, names: () => seen.map((s) => s.name) };
}
