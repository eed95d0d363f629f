/**
 * What a scheduler taking over a framework (`--framework-id`) learns of the gangs its
 * predecessor spawned during run(): it asks the master for the tasks it keeps (operator API
 * `GET_TASKS` on `/api/v1`, docs/protocol.md, "Operator endpoints") and keeps those of this framework
 * that are still alive and carry our gang labels (gang-labels.ts). Reconciliation then settles
 * their state as for any declared task (task-adoption.ts); this only says which tasks to ask
 * about, and their gang, kind, resources and spawn spec (docs/design.md, "Adopting gangs").
 */
import { MesosHttpClient, type Labels, type Resource, type TaskState } from '@mesosgot/common/internal';
import { readGangLabels, type GangLabels } from './gang-labels.js';

/** Bound on the GET_TASKS call: a master that does not answer must not hold the adoption forever. */
const GET_TASKS_TIMEOUT_MS = 10_000;

/** A live task of a runtime gang, as the master lists it. */
export interface DiscoveredTask extends GangLabels {
  taskId: string;
  /** `<name>-<index>` split at the last dash. */
  name: string;
  index: number;
  /** The resources the task was launched with (roles and allocation left out). */
  resources: Resource[];
}

/** The fields of a master `Task` (mesos.proto) this reads. */
interface MasterTask {
  task_id?: { value?: string };
  framework_id?: { value?: string };
  state?: TaskState;
  labels?: Labels;
  resources?: Resource[];
}

export interface GangDiscoveryOptions {
  /** `http(s)://host:port` of a master (a 307 to the leader is followed). */
  masterUrl: string;
  frameworkId: string;
  principal?: string;
  secret?: string;
  ca?: string | Buffer;
}

/**
 * Resolves with every live task of `frameworkId` whose labels name a gang above 0 (the gangs
 * spawned during run(); gang 0 is declared again by the successor). Rejects with the client's
 * error (MesosHttpError, TimeoutError…) when the master does not answer GET_TASKS.
 */
export async function discoverGangTasks(options: GangDiscoveryOptions): Promise<DiscoveredTask[]> {
  const client = new MesosHttpClient({
    baseUrl: options.masterUrl,
    requestTimeoutMs: GET_TASKS_TIMEOUT_MS,
    ...(options.principal === undefined ? {} : { principal: options.principal, secret: options.secret ?? '' }),
    ...(options.ca === undefined ? {} : { ca: options.ca }),
  });
  try {
    const response = await client.call('/api/v1', { type: 'GET_TASKS' });
    const body = JSON.parse(response.body) as { get_tasks?: { tasks?: MasterTask[] } };
    return runtimeGangTasks(body.get_tasks?.tasks ?? [], options.frameworkId);
  } finally {
    await client.close();
  }
}

/** The live tasks of `frameworkId` among `tasks` that belong to a gang spawned during run(). */
export function runtimeGangTasks(tasks: readonly MasterTask[], frameworkId: string): DiscoveredTask[] {
  const out: DiscoveredTask[] = [];
  for (const task of tasks) {
    const taskId = task.task_id?.value;
    if (taskId === undefined || task.framework_id?.value !== frameworkId || !isAlive(task.state)) continue;
    const labels = readGangLabels(task.labels);
    const dash = taskId.lastIndexOf('-');
    const index = Number(taskId.slice(dash + 1));
    if (labels === undefined || labels.gang === 0 || dash < 1 || !/^\d+$/.test(taskId.slice(dash + 1)) || !Number.isSafeInteger(index)) continue;
    // The request is what the task holds, without the role and allocation the master stamped on it.
    const resources = (task.resources ?? []).map(({ allocation_info: _a, role: _r, ...rest }) => rest as Resource);
    out.push({ ...labels, taskId, name: taskId.slice(0, dash), index, resources });
  }
  return out;
}

function isAlive(state: TaskState | undefined): boolean {
  return state === 'TASK_STAGING' || state === 'TASK_STARTING' || state === 'TASK_RUNNING' || state === 'TASK_KILLING';
}
