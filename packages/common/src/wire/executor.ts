/**
 * v1 executor API envelopes (docs/protocol.md, "Executor calls"), as discriminated unions on `type`.
 */
import type {
  AgentInfo,
  Base64,
  ContainerID,
  ExecutorID,
  ExecutorInfo,
  FrameworkID,
  FrameworkInfo,
  KillPolicy,
  TaskGroupInfo,
  TaskID,
  TaskInfo,
  TaskStatus,
} from './mesos.js';

interface ExecutorCallBase {
  framework_id: FrameworkID;
  executor_id: ExecutorID;
}

/** A call of the v1 executor API, discriminated on `type` (docs/protocol.md, "Executor calls"). */
export type ExecutorCall =
  | (ExecutorCallBase & {
      type: 'SUBSCRIBE';
      subscribe: { unacknowledged_tasks?: TaskInfo[]; unacknowledged_updates?: { status: TaskStatus }[] };
    })
  | (ExecutorCallBase & { type: 'UPDATE'; update: { status: TaskStatus } })
  | (ExecutorCallBase & { type: 'MESSAGE'; message: { data: Base64 } })
  | (ExecutorCallBase & { type: 'HEARTBEAT' });

/** The `type` of an ExecutorCall. */
export type ExecutorCallType = ExecutorCall['type'];

/** Every ExecutorCallType. */
export const EXECUTOR_CALL_TYPES: readonly ExecutorCallType[] = ['SUBSCRIBE', 'UPDATE', 'MESSAGE', 'HEARTBEAT'];

/** An event of the v1 executor API stream, discriminated on `type` (docs/protocol.md, "Executor events"). */
export type ExecutorEvent =
  | {
      type: 'SUBSCRIBED';
      subscribed: {
        executor_info: ExecutorInfo;
        framework_info: FrameworkInfo;
        agent_info: AgentInfo;
        container_id?: ContainerID;
      };
    }
  | { type: 'LAUNCH'; launch: { task: TaskInfo } }
  | { type: 'LAUNCH_GROUP'; launch_group: { task_group: TaskGroupInfo } }
  | { type: 'KILL'; kill: { task_id: TaskID; kill_policy?: KillPolicy } }
  | { type: 'ACKNOWLEDGED'; acknowledged: { task_id: TaskID; uuid: Base64 } }
  | { type: 'MESSAGE'; message: { data: Base64 } }
  | { type: 'SHUTDOWN' }
  | { type: 'ERROR'; error: { message: string } }
  | { type: 'HEARTBEAT' };

/** The `type` of an ExecutorEvent. */
export type ExecutorEventType = ExecutorEvent['type'];

/** Every ExecutorEventType. */
export const EXECUTOR_EVENT_TYPES: readonly ExecutorEventType[] = [
  'SUBSCRIBED',
  'LAUNCH',
  'LAUNCH_GROUP',
  'KILL',
  'ACKNOWLEDGED',
  'MESSAGE',
  'SHUTDOWN',
  'ERROR',
  'HEARTBEAT',
];

/** Path of the executor API on an agent (docs/protocol.md, "Endpoints"). */
export const EXECUTOR_API_PATH = '/api/v1/executor';
