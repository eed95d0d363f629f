/**
 * Mesos ids are told apart at compile time (packages/common/src/wire/mesos.ts, `Id<K>`): a TaskID
 * is not an OfferID, AgentID, FrameworkID or ExecutorID, while a plain `{ value }` literal fits
 * wherever an id is expected. `tsc -p tsconfig.test.json` (part of `npm test`) fails if an
 * `@ts-expect-error` line below compiles, i.e. if a wrong id kind were accepted.
 */
import { describe, expect, it } from '@jest/globals';
import type { AgentID, ExecutorID, FrameworkID, Id, OfferID, OperationID, TaskID, TaskInfo, TaskStatus } from '@mesosgot/common';
import { newStatusUuid } from '@mesosgot/common';
import type { SchedulerDriver } from '@mesosgot/scheduler';
import { accept, acknowledge, kill } from '../../src/calls/index.js';

const taskId: TaskID = { value: 'floor-0' };
const offerId: OfferID = { value: 'O-1' };
const agentId: AgentID = { value: 'S-1' };
const frameworkId: FrameworkID = { value: 'F-1' };
const executorId: ExecutorID = { value: 'E-1' };

describe('branded ids', () => {
  it('refuses one id kind where another is expected, at compile time', () => {
    // @ts-expect-error a TaskID is not an OfferID
    const asOffer: OfferID = taskId;
    // @ts-expect-error an OfferID is not a TaskID
    const asTask: TaskID = offerId;
    // @ts-expect-error an AgentID is not a FrameworkID
    const asFramework: FrameworkID = agentId;
    // @ts-expect-error a FrameworkID is not an ExecutorID
    const asExecutor: ExecutorID = frameworkId;
    // @ts-expect-error an ExecutorID is not an AgentID
    const asAgent: AgentID = executorId;
    // @ts-expect-error a TaskID is not an OperationID
    const asOperation: OperationID = taskId;
    // @ts-expect-error a task's kill takes a TaskID, not an OfferID
    kill(offerId);
    // @ts-expect-error the agent of a kill is an AgentID, not an ExecutorID
    kill(taskId, executorId);
    const status: TaskStatus = { task_id: taskId, state: 'TASK_RUNNING' };
    // @ts-expect-error TaskStatus.agent_id is an AgentID
    status.agent_id = frameworkId;
    const drive = (driver: SchedulerDriver) => {
      // @ts-expect-error declineOffer takes an OfferID
      void driver.declineOffer(taskId);
      // @ts-expect-error killTask takes a TaskID
      void driver.killTask(agentId);
    };
    expect([asOffer, asTask, asFramework, asExecutor, asAgent, asOperation, drive].length).toBe(7);
  });

  it('takes plain { value } literals, and any id where an untyped Id is expected', () => {
    const task: TaskInfo = { name: 't', task_id: { value: 't-0' }, agent_id: { value: 'S-1' }, resources: [] };
    const call = accept([{ value: 'O-1' }], [{ type: 'LAUNCH', launch: { task_infos: [task] } }]);
    expect(call).toMatchObject({ type: 'ACCEPT', accept: { offer_ids: [{ value: 'O-1' }] } });
    expect(kill({ value: 't-0' }, { value: 'S-1' })).toEqual({ type: 'KILL', kill: { task_id: { value: 't-0' }, agent_id: { value: 'S-1' } } });
    const anyIds: Id[] = [taskId, offerId, agentId, frameworkId, executorId];
    expect(anyIds.map((id) => id.value)).toEqual(['floor-0', 'O-1', 'S-1', 'F-1', 'E-1']);
  });

  it('has no brand at run time: ids are plain { value } objects on the wire', () => {
    const ack = acknowledge({ task_id: taskId, state: 'TASK_RUNNING', agent_id: agentId, uuid: newStatusUuid() });
    expect(Object.getOwnPropertySymbols(taskId)).toEqual([]);
    expect(JSON.stringify(ack)).not.toContain('Symbol');
    expect(Object.keys((ack as { acknowledge: { task_id: TaskID } }).acknowledge.task_id)).toEqual(['value']);
  });
});
