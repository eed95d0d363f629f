/**
 * What a task was given: its resources (with the ports Mesos assigned), its agent and host. A
 * task function gets it as its fifth argument; the assigned ports are also in its `env` as
 * PORT0, PORT1, …, PORT (= PORT0) and PORTS (comma-separated), the convention Mesos users know
 * from Marathon. Plain data only: the same object is cloned into a task's thread.
 */
import type { AgentInfo, Resource, TaskInfo } from '@mesosgot/common/internal';

/** The resources a task holds, summed per name; ports in the order Mesos listed their ranges. */
export interface TaskResources {
  /** CPUs. */
  cpus: number;
  /** Memory in MB. */
  mem: number;
  /** Disk in MB. */
  disk: number;
  /** GPUs. */
  gpus: number;
  /** The ports assigned to the task, one number each. */
  ports: number[];
}

/** The small task context handed to every task function (fifth argument). */
export interface TaskContext {
  /** TaskInfo.task_id.value, `<kind>-<index>` (also `args[0]`). */
  readonly taskId: string;
  /** The task's kind, the part of its id before the last `-`. */
  readonly kind: string;
  /** The Mesos agent that runs the task (TaskInfo.agent_id). */
  readonly agentId: string;
  /** The agent's hostname as Mesos knows it (AgentInfo.hostname): where the task's ports are reachable. */
  readonly hostname: string;
  /** The framework's id. */
  readonly frameworkId: string;
  /** The id of the executor that runs the task. */
  readonly executorId: string;
  /** What the task holds, with its assigned ports. */
  readonly resources: Readonly<TaskResources>;
  /** True when the function runs on the executor's main thread, false on its own worker thread. */
  readonly isInline: boolean;
}

/** The task's resources from its TaskInfo: scalars summed per name, port ranges expanded. */
export function taskResources(resources: readonly Resource[] | undefined): TaskResources {
  const out: TaskResources = { cpus: 0, mem: 0, disk: 0, gpus: 0, ports: [] };
  for (const r of resources ?? []) {
    if (r.name === 'ports') {
      for (const range of r.ranges?.range ?? []) {
        for (let port = Number(range.begin); port <= Number(range.end); port++) out.ports.push(port);
      }
    } else if (r.name === 'cpus' || r.name === 'mem' || r.name === 'disk' || r.name === 'gpus') {
      out[r.name] += Number(r.scalar?.value ?? 0);
    }
  }
  return out;
}

/** PORT0 … PORT<n-1>, PORT and PORTS for the assigned `ports` (no entries without ports). */
export function portEnv(ports: readonly number[]): Record<string, string> {
  if (ports.length === 0) return {};
  const env: Record<string, string> = { PORT: String(ports[0]), PORTS: ports.join(',') };
  ports.forEach((port, i) => (env[`PORT${i}`] = String(port)));
  return env;
}

/** Where the executor runs, as the agent told it at SUBSCRIBED. */
export interface ExecutorPlace {
  frameworkId: string;
  executorId: string;
  agent: AgentInfo | undefined;
}

/** The context of one launched task. */
export function taskContext(task: TaskInfo, kind: string, place: ExecutorPlace, isInline: boolean): TaskContext {
  return {
    taskId: task.task_id.value,
    kind,
    agentId: task.agent_id?.value ?? place.agent?.id?.value ?? '',
    hostname: place.agent?.hostname ?? '',
    frameworkId: place.frameworkId,
    executorId: place.executorId,
    resources: taskResources(task.resources),
    isInline,
  };
}
