/**
 * What the scheduler function hears about the framework (`schedEvents` channel): mesosgot's
 * SchedEvent kinds, each with typed data. Task events name the task by its id (`<name>-<index>`),
 * the same string a TaskMsg's `taskName` carries.
 */
import { assertNever, type MasterInfo, type TaskState, type TaskStatus, type TaskStatusReason } from '@mesosgot/common/internal';

/** Fields every task event carries. */
export interface TaskEventData {
  /** `<name>-<index>`, as in TaskMsg.taskName. */
  taskId: string;
  /** The agent the task was placed on ('' if Mesos did not say). */
  agentId: string;
  /** The Mesos status behind the event (absent for TaskLaunched, which is ours). */
  status?: TaskStatus;
}

/** A terminal failure (FAILED, ERROR, KILLED, LOST…): what Mesos said and what happens next. */
export interface TaskEndData extends TaskEventData {
  state: TaskState;
  message: string;
  reason?: TaskStatusReason;
  /** The failure policy relaunches the task (`--task-failure-policy restart`, under the limit). */
  willRestart: boolean;
}

/** What is missing when the held offers cannot hold every task yet (docs/design.md, "All or nothing"). */
export interface AllocationShortfall {
  /** Tasks not placed, by task name (the spawn's name, not the id). */
  unplaced: { name: string; count: number }[];
  /** Sum of what the unplaced tasks need minus what the held offers have left, per resource; 0 = it is fragmentation. */
  missing: Record<string, number>;
  /** Offers held while waiting. */
  offersHeld: number;
}

export type SchedEvent =
  | { type: 'Registered'; frameworkId: string; master: MasterInfo }
  | { type: 'Reregistered'; frameworkId: string; master: MasterInfo }
  | { type: 'Disconnected' }
  | {
      /** A connection attempt failed (or a subscription was lost); the driver tries again at `retryAt`. */
      type: 'Reconnecting';
      masterUrl: string;
      cause: string;
      retryInMs: number;
      /** ISO 8601 time of the next attempt. */
      retryAt: string;
      error?: Error;
    }
  | ({ type: 'TaskLaunched'; hostname: string; executorId: string } & TaskEventData)
  | ({ type: 'TaskRunning' } & TaskEventData)
  | ({ type: 'TaskFinished' } & TaskEventData)
  | ({ type: 'TaskFailed' } & TaskEndData)
  | ({ type: 'TaskKilled' } & TaskEndData)
  | ({ type: 'TaskLost' } & TaskEndData)
  | { type: 'OfferRescinded'; offerId: string }
  | { type: 'SlaveLost'; agentId: string }
  | { type: 'ExecutorLost'; executorId: string; agentId: string; /** POSIX wait status, −1 unknown. */ status: number }
  | { type: 'Shutdown'; reason: string }
  | { type: 'Error'; message: string; error?: Error }
  | { type: 'AllocationPending'; shortfall: AllocationShortfall };

export type SchedEventType = SchedEvent['type'];

/** Every kind (mesosgot's fourteen, then AllocationPending and Reconnecting). */
export const SCHED_EVENT_TYPES: readonly SchedEventType[] = [
  'Registered',
  'Reregistered',
  'Disconnected',
  'TaskLaunched',
  'TaskRunning',
  'TaskFinished',
  'TaskFailed',
  'TaskKilled',
  'TaskLost',
  'OfferRescinded',
  'SlaveLost',
  'ExecutorLost',
  'Shutdown',
  'Error',
  'AllocationPending',
  'Reconnecting',
];

/**
 * Which SchedEvent a task state becomes. STAGING, STARTING and KILLING say nothing the
 * scheduler function acts on (undefined). ERROR is a failure of the task (TaskFailed); the
 * partition-aware states that mean "gone or unknown" are TaskLost (docs/protocol.md, "Task states and reasons").
 */
export function schedEventTypeOf(state: TaskState): 'TaskRunning' | 'TaskFinished' | 'TaskFailed' | 'TaskKilled' | 'TaskLost' | undefined {
  switch (state) {
    case 'TASK_STAGING':
    case 'TASK_STARTING':
    case 'TASK_KILLING':
      return undefined;
    case 'TASK_RUNNING':
      return 'TaskRunning';
    case 'TASK_FINISHED':
      return 'TaskFinished';
    case 'TASK_FAILED':
    case 'TASK_ERROR':
      return 'TaskFailed';
    case 'TASK_KILLED':
      return 'TaskKilled';
    case 'TASK_LOST':
    case 'TASK_DROPPED':
    case 'TASK_UNREACHABLE':
    case 'TASK_GONE':
    case 'TASK_GONE_BY_OPERATOR':
    case 'TASK_UNKNOWN':
      return 'TaskLost';
    default:
      return assertNever(state, 'task state');
  }
}

/** Builds the event for a status update (undefined for states that make none). */
export function schedEventFromStatus(status: TaskStatus, willRestart = false): SchedEvent | undefined {
  const type = schedEventTypeOf(status.state);
  if (type === undefined) return undefined;
  const base: TaskEventData = { taskId: status.task_id.value, agentId: status.agent_id?.value ?? '', status };
  switch (type) {
    case 'TaskRunning':
    case 'TaskFinished':
      return { type, ...base };
    case 'TaskFailed':
      return { type, ...endData(base, status, willRestart) };
    case 'TaskKilled':
      return { type, ...endData(base, status, willRestart) };
    case 'TaskLost':
      return { type, ...endData(base, status, willRestart) };
    default:
      return assertNever(type, 'task event type');
  }
}

function endData(base: TaskEventData, status: TaskStatus, willRestart: boolean): TaskEndData {
  const end: TaskEndData = { ...base, state: status.state, message: status.message ?? status.state, willRestart };
  if (status.reason !== undefined) end.reason = status.reason;
  return end;
}
