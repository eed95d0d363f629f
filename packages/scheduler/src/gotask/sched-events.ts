/**
 * What the scheduler function hears about the framework (`schedEvents` channel): mesosgot's
 * SchedEvent kinds, each with typed data. Task events name the task by its id (`<name>-<index>`),
 * the same string a TaskMsg's `taskName` carries.
 */
import type { UnfittableTask } from './agent-fit.js';
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
  /** The Mesos state. */
  state: TaskState;
  /** Mesos' message, or the state when Mesos gave none. */
  message: string;
  /** Mesos' reason, when it gave one. */
  reason?: TaskStatusReason;
  /** The failure policy relaunches the task (`--task-failure-policy restart`, under the limit). */
  willRestart: boolean;
  /** When its executor died: the end of the executor's stderr (read through the agent's /files/read). */
  stderrTail?: string;
  /** When its executor died: the executor's sandbox (kept by the agent), where stdout and stderr are. */
  sandbox?: string;
}

/** What is missing when the held offers cannot hold every task yet (docs/design.md, "All or nothing"). */
export interface AllocationShortfall {
  /** Tasks not placed, by task name (the spawn's name, not the id). */
  unplaced: {
    /** The spawn's name. */
    name: string;
    /** How many of its tasks are not placed. */
    count: number;
  }[];
  /** Sum of what the unplaced tasks need minus what the held offers have left, per resource (only those short); empty = it is fragmentation. */
  missing: Record<string, number>;
  /** Task kinds that fit on no agent seen so far even alone (with the executor), and why. */
  unfittable?: UnfittableTask[];
  /** Offers held while waiting. */
  offersHeld: number;
  /** The gang that waits, once gangs are spawned during run() (gang 0: the tasks declared before run()). */
  gang?: number;
}

/**
 * One event on `schedEvents`, discriminated on `type`: mesosgot's kinds (Registered,
 * Reregistered, Disconnected, the task events, OfferRescinded, SlaveLost, ExecutorLost, Shutdown,
 * Error) plus AllocationPending. Task events carry TaskEventData (TaskEndData for endings).
 */
export type SchedEvent =
  | {
      type: 'Registered';
      /** The new framework's id (what `--framework-id` takes to fail over to it). */
      frameworkId: string;
      /** The leading master. */
      master: MasterInfo;
    }
  | {
      type: 'Reregistered';
      /** The framework's id. */
      frameworkId: string;
      /** The leading master. */
      master: MasterInfo;
    }
  | { type: 'Disconnected' }
  | {
      /** A connection attempt failed (or a subscription was lost); the driver tries again at `retryAt`. */
      type: 'Reconnecting';
      /** The master the failed attempt went to. */
      masterUrl: string;
      /** Why the attempt failed, in a few words. */
      cause: string;
      /** Delay before the next attempt, in ms. */
      retryInMs: number;
      /** ISO 8601 time of the next attempt. */
      retryAt: string;
      /** The underlying error, when there is one. */
      error?: Error;
    }
  | ({
      type: 'TaskLaunched';
      /** The agent's host name. */
      hostname: string;
      /** The executor the task runs in. */
      executorId: string;
    } & TaskEventData)
  | ({ type: 'TaskRunning' } & TaskEventData)
  | ({ type: 'TaskFinished' } & TaskEventData)
  | ({ type: 'TaskFailed' } & TaskEndData)
  | ({ type: 'TaskKilled' } & TaskEndData)
  | ({ type: 'TaskLost' } & TaskEndData)
  | {
      type: 'OfferRescinded';
      /** The offer Mesos took back. */
      offerId: string;
    }
  | {
      type: 'SlaveLost';
      /** The agent Mesos lost. */
      agentId: string;
    }
  | {
      type: 'ExecutorLost';
      /** The executor that ended. */
      executorId: string;
      /** The agent it ran on. */
      agentId: string;
      /** POSIX wait status, −1 unknown. */
      status: number;
    }
  | {
      type: 'Shutdown';
      /** Why the framework is ending. */
      reason: string;
    }
  | {
      type: 'Error';
      /** What went wrong. */
      message: string;
      /** The underlying error, when there is one. */
      error?: Error;
    }
  | {
      type: 'AllocationPending';
      /** What the held offers lack. */
      shortfall: AllocationShortfall;
    }
  | {
      /** A task of a gang with failure policy `isolate` failed: that gang ended alone (its other tasks are killed). */
      type: 'GangFailed';
      /** The gang (0: the tasks declared before run()). */
      gang: number;
      /** The task whose failure ended it. */
      failedTask: string;
      /** The task's state and message. */
      reason: string;
    }
  | {
      /**
       * Failing over (`--framework-id`): a gang the previous scheduler spawned during its run()
       * still has tasks the master runs; they are adopted (their TaskRunning events follow).
       */
      type: 'GangAdopted';
      /** The gang's id, as the previous scheduler numbered it. */
      gang: number;
      /** Its live task ids. */
      taskIds: string[];
    };

/** The `type` of a SchedEvent. */
export type SchedEventType = SchedEvent['type'];

/** Every kind (mesosgot's fourteen, then AllocationPending, Reconnecting and the gang events). */
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
  'GangFailed',
  'GangAdopted',
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
