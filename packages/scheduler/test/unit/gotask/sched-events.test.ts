import { describe, it, expect } from '@jest/globals';
import type { TaskState, TaskStatus } from '@mesosgot/common';
import { SCHED_EVENT_TYPES, schedEventFromStatus, schedEventTypeOf } from '../../../src/internal.js';

describe('sched-events', () => {
  it('has mesosgot\'s fourteen kinds plus AllocationPending, Reconnecting, GangFailed and GangAdopted', () => {
    expect(SCHED_EVENT_TYPES).toEqual([
      'Registered', 'Reregistered', 'Disconnected', 'TaskLaunched', 'TaskRunning', 'TaskFinished', 'TaskFailed',
      'TaskKilled', 'TaskLost', 'OfferRescinded', 'SlaveLost', 'ExecutorLost', 'Shutdown', 'Error', 'AllocationPending', 'Reconnecting',
      'GangFailed', 'GangAdopted',
    ]);
  });

  const STATES: [number, TaskState, string | undefined][] = [
    [1, 'TASK_STAGING', undefined],
    [2, 'TASK_STARTING', undefined],
    [3, 'TASK_RUNNING', 'TaskRunning'],
    [4, 'TASK_KILLING', undefined],
    [5, 'TASK_FINISHED', 'TaskFinished'],
    [6, 'TASK_FAILED', 'TaskFailed'],
    [7, 'TASK_KILLED', 'TaskKilled'],
    [8, 'TASK_ERROR', 'TaskFailed'],
    [9, 'TASK_LOST', 'TaskLost'],
    [10, 'TASK_DROPPED', 'TaskLost'],
    [11, 'TASK_UNREACHABLE', 'TaskLost'],
    [12, 'TASK_GONE', 'TaskLost'],
    [13, 'TASK_GONE_BY_OPERATOR', 'TaskLost'],
    [14, 'TASK_UNKNOWN', 'TaskLost'],
  ];
  it.each(STATES)('case %i: %s → %s', (_n, state, type) => {
    expect(schedEventTypeOf(state)).toBe(type);
  });

  it('carries the task id, agent, message, reason and restart decision of a failure', () => {
    const status: TaskStatus = {
      task_id: { value: 'floor-3' },
      agent_id: { value: 'S1' },
      state: 'TASK_FAILED',
      message: 'Executor terminated',
      reason: 'REASON_EXECUTOR_TERMINATED',
    };
    expect(schedEventFromStatus(status, true)).toEqual({
      type: 'TaskFailed',
      taskId: 'floor-3',
      agentId: 'S1',
      status,
      state: 'TASK_FAILED',
      message: 'Executor terminated',
      reason: 'REASON_EXECUTOR_TERMINATED',
      willRestart: true,
    });
    expect(schedEventFromStatus({ task_id: { value: 'x-0' }, state: 'TASK_RUNNING' })).toEqual({
      type: 'TaskRunning',
      taskId: 'x-0',
      agentId: '',
      status: { task_id: { value: 'x-0' }, state: 'TASK_RUNNING' },
    });
    expect(schedEventFromStatus({ task_id: { value: 'x-0' }, state: 'TASK_STARTING' })).toBeUndefined();
  });
});
