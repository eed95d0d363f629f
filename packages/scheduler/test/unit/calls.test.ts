import { describe, expect, it } from '@jest/globals';
import { InvalidArgumentError, type SchedulerCall } from '@mesosgot/common';
import { calls } from '@mesosgot/scheduler/internal';

const OFFER = { value: 'M-O0' };
const AGENT = { value: 'M-S0' };
const TASK = { value: 'task-1' };
const EXEC = { value: 'exec-1' };
const UUID = 'Pxwrfp1KTB6LL2pdTjwrGg==';

// Numbered cases: builder output must be exactly the wire JSON of docs/protocol.md, "Scheduler calls", "A session on the wire".
const cases: [number, string, () => SchedulerCall, unknown][] = [
  [1, 'subscribe new framework', () => calls.subscribe({ user: 'u', name: 'n' }), { type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'u', name: 'n' } } }],
  [
    2,
    'subscribe with id sets framework_id twice',
    () => calls.subscribe({ user: 'u', name: 'n', id: { value: 'F' } }, { suppressedRoles: ['r'] }),
    { type: 'SUBSCRIBE', framework_id: { value: 'F' }, subscribe: { framework_info: { user: 'u', name: 'n', id: { value: 'F' } }, suppressed_roles: ['r'] } },
  ],
  [3, 'teardown', () => calls.teardown(), { type: 'TEARDOWN' }],
  [4, 'accept', () => calls.accept([OFFER], [{ type: 'RESERVE', reserve: { resources: [] } }], { refuse_seconds: 1 }),
    { type: 'ACCEPT', accept: { offer_ids: [OFFER], operations: [{ type: 'RESERVE', reserve: { resources: [] } }], filters: { refuse_seconds: 1 } } }],
  [5, 'launch', () => calls.launch([OFFER], [{ name: 't', task_id: TASK, agent_id: AGENT }]),
    { type: 'ACCEPT', accept: { offer_ids: [OFFER], operations: [{ type: 'LAUNCH', launch: { task_infos: [{ name: 't', task_id: TASK, agent_id: AGENT }] } }] } }],
  [6, 'decline', () => calls.decline([OFFER], { refuse_seconds: 0 }), { type: 'DECLINE', decline: { offer_ids: [OFFER], filters: { refuse_seconds: 0 } } }],
  [7, 'revive all roles', () => calls.revive(), { type: 'REVIVE' }],
  [8, 'revive roles (array, docs/protocol.md, "Scheduler calls")', () => calls.revive(['a']), { type: 'REVIVE', revive: { roles: ['a'] } }],
  [9, 'suppress all roles', () => calls.suppress([]), { type: 'SUPPRESS' }],
  [10, 'suppress roles', () => calls.suppress(['a', 'b']), { type: 'SUPPRESS', suppress: { roles: ['a', 'b'] } }],
  [11, 'kill with agent', () => calls.kill(TASK, AGENT), { type: 'KILL', kill: { task_id: TASK, agent_id: AGENT } }],
  [12, 'kill without agent', () => calls.kill(TASK), { type: 'KILL', kill: { task_id: TASK } }],
  [13, 'shutdown', () => calls.shutdown(EXEC, AGENT), { type: 'SHUTDOWN', shutdown: { executor_id: EXEC, agent_id: AGENT } }],
  [14, 'acknowledge echoes ids and uuid', () => calls.acknowledge({ task_id: TASK, agent_id: AGENT, state: 'TASK_RUNNING', uuid: UUID, message: 'x' }),
    { type: 'ACKNOWLEDGE', acknowledge: { agent_id: AGENT, task_id: TASK, uuid: UUID } }],
  [15, 'implicit reconcile', () => calls.reconcile([]), { type: 'RECONCILE', reconcile: {} }],
  [16, 'explicit reconcile keeps task_id/agent_id only', () => calls.reconcile([{ task_id: TASK, agent_id: AGENT, state: 'TASK_RUNNING' } as never]),
    { type: 'RECONCILE', reconcile: { tasks: [{ task_id: TASK, agent_id: AGENT }] } }],
  [17, 'message base64s bytes', () => calls.message(EXEC, AGENT, new Uint8Array([0x70, 0x69, 0x6e, 0x67])),
    { type: 'MESSAGE', message: { agent_id: AGENT, executor_id: EXEC, data: 'cGluZw==' } }],
  [18, 'message utf-8 string', () => calls.message(EXEC, AGENT, 'é'), { type: 'MESSAGE', message: { agent_id: AGENT, executor_id: EXEC, data: 'w6k=' } }],
  [19, 'request (request.requests, docs/protocol.md, "Scheduler calls")', () => calls.request([{ agent_id: AGENT }]), { type: 'REQUEST', request: { requests: [{ agent_id: AGENT }] } }],
];

const refusals: [number, string, () => unknown, string][] = [
  [1, 'subscribe without user', () => calls.subscribe({ name: 'n' } as never), 'frameworkInfo.user'],
  [2, 'decline with no offers', () => calls.decline([]), 'offerIds'],
  [3, 'decline with a bare string id', () => calls.decline(['M-O0' as never]), 'offerIds[0]'],
  [4, 'launch task without agent_id (HTTP 400 on a real master)', () => calls.launch([OFFER], [{ name: 't', task_id: TASK } as never]), 'tasks[0].agent_id'],
  [5, 'ack of an update without uuid (docs/protocol.md, "Acknowledgements")', () => calls.acknowledge({ task_id: TASK, agent_id: AGENT, state: 'TASK_LOST' }), 'status.uuid'],
  [6, 'ack of a 37-byte text uuid (docs/protocol.md, "TaskStatus and uuids")', () => calls.acknowledge({ task_id: TASK, agent_id: AGENT, state: 'TASK_RUNNING', uuid: Buffer.from('x'.repeat(37)).toString('base64') }), 'status.uuid'],
  [7, 'filters with a string refuse_seconds', () => calls.decline([OFFER], { refuse_seconds: '5' as never }), 'filters.refuse_seconds'],
  [8, 'revive with an empty role', () => calls.revive(['']), 'roles[0]'],
  [9, 'message with a number as data', () => calls.message(EXEC, AGENT, 5 as never), 'data'],
  [10, 'kill with empty task id', () => calls.kill({ value: '' }), 'taskId'],
];

describe('calls', () => {
  it.each(cases)('case %i: %s builds the wire call', (_n, _name, build, expected) => {
    expect(build()).toEqual(expected);
  });

  it.each(refusals)('refusal %i: %s throws InvalidArgumentError naming the field', (_n, _name, build, field) => {
    let thrown: unknown;
    try {
      build();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidArgumentError);
    expect((thrown as InvalidArgumentError).field).toBe(field);
  });

  it('copies ids so later mutation of the caller objects does not change the call', () => {
    const offer = { value: 'O1' };
    const call = calls.decline([offer]);
    offer.value = 'changed';
    expect(call).toEqual({ type: 'DECLINE', decline: { offer_ids: [{ value: 'O1' }] } });
  });
});
