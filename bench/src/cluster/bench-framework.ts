/**
 * The scheduler side of the driver-level benchmarks: a Scheduler that records offers, task
 * states and executor messages and lets a benchmark wait on them, plus the start/stop of a
 * LocalCluster and a MesosSchedulerDriver loaded at run time (so a missing feature is a
 * "not available" row, not a failed build).
 */
import { fileURLToPath } from 'node:url';
import type { Offer, TaskInfo, TaskStatus, Resource } from '@mesosgot/common';
import type { LocalCluster, LocalClusterOptions } from '@mesosgot/local';
import type { Scheduler, SchedulerDriver, SchedulerDriverOptions } from '@mesosgot/scheduler';
import type { FrameworkInfo } from '@mesosgot/common';
import { performance } from 'node:perf_hooks';
import { requireExport, type Feature } from '../harness/benchmark.js';
import { perSecond } from '../harness/stats.js';

/** The executor script the agents run (compiled beside this file). */
export const BENCH_EXECUTOR = fileURLToPath(new URL('../executors/driver-bench-executor.js', import.meta.url));

/** Agent grace period between SHUTDOWN and SIGKILL of an executor (agent default 5 s). */
const BENCH_SHUTDOWN_GRACE_MS = 500;

type ClusterCtor = new (options: LocalClusterOptions) => LocalCluster;
type DriverCtor = new (
  scheduler: Scheduler,
  frameworkInfo: FrameworkInfo,
  master: string,
  options?: SchedulerDriverOptions,
) => SchedulerDriver;

/** Records what the driver delivers; `waitUntil` resolves when a predicate over it holds. */
export class BenchFramework implements Scheduler {
  readonly offers: Offer[] = [];
  readonly states = new Map<string, TaskStatus['state']>();
  readonly messages: string[] = [];
  /** Counts of each state seen, across all tasks (a task counted once per state). */
  readonly stateCounts = new Map<TaskStatus['state'], number>();
  /** When set, every offer is declined as soon as it arrives (with these refuse seconds). */
  declineAll: number | undefined;
  /** Set by the first SUBSCRIBED (registered callback). */
  frameworkId: string | undefined;
  #waiters: { check: () => boolean; resolve: () => void }[] = [];

  registered(_driver: SchedulerDriver, frameworkId: { value: string }): void {
    this.frameworkId = frameworkId.value;
    this.#poke();
  }

  resourceOffers(driver: SchedulerDriver, offers: Offer[]): void {
    if (this.declineAll !== undefined) {
      for (const o of offers) void driver.declineOffer(o.id, { refuse_seconds: this.declineAll });
    } else {
      this.offers.push(...offers);
    }
    this.#poke();
  }

  statusUpdate(_driver: SchedulerDriver, status: TaskStatus): void {
    if (this.states.get(status.task_id.value) !== status.state) {
      this.states.set(status.task_id.value, status.state);
      this.stateCounts.set(status.state, (this.stateCounts.get(status.state) ?? 0) + 1);
    }
    this.#poke();
  }

  frameworkMessage(_driver: SchedulerDriver, _executorId: unknown, _agentId: unknown, data: Uint8Array): void {
    this.messages.push(Buffer.from(data).toString('utf8'));
    this.#poke();
  }

  /** Takes (removes) every offer held so far. */
  takeOffers(): Offer[] {
    return this.offers.splice(0);
  }

  /** Resolves once `check()` holds (checked on every callback); rejects with `signal.reason`. */
  waitUntil(check: () => boolean, signal: AbortSignal): Promise<void> {
    if (check()) return Promise.resolve();
    signal.throwIfAborted();
    return new Promise((resolve, reject) => {
      const waiter = { check, resolve: () => (signal.removeEventListener('abort', onAbort), resolve()) };
      const onAbort = (): void => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  #poke(): void {
    if (this.#waiters.length === 0) return;
    const ready = this.#waiters.filter((w) => w.check());
    if (ready.length === 0) return;
    this.#waiters = this.#waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }
}

/** A running cluster and a subscribed driver; `stop()` tears both down. */
export interface DriverCluster {
  cluster: LocalCluster;
  driver: SchedulerDriver;
  framework: BenchFramework;
  /** Stops the driver (no failover: the master tears the framework down), then the cluster. */
  stop(): Promise<void>;
}

/** Loads LocalCluster and MesosSchedulerDriver, or says which one is missing. */
export async function loadDriverStack(): Promise<Feature<{ Cluster: ClusterCtor; Driver: DriverCtor }>> {
  const cluster = await requireExport('@mesosgot/local', 'LocalCluster', ['start', 'stop']);
  if (!cluster.ok) return cluster;
  const driver = await requireExport('@mesosgot/scheduler', 'MesosSchedulerDriver', ['start', 'stop', 'acceptOffers']);
  if (!driver.ok) return driver;
  return { ok: true, value: { Cluster: cluster.value as ClusterCtor, Driver: driver.value as DriverCtor } };
}

/**
 * Starts a cluster with `options` and a driver subscribed to it. Resolves once the driver is
 * running; on failure stops whatever it started before rejecting.
 */
export async function startDriverCluster(
  stack: { Cluster: ClusterCtor; Driver: DriverCtor },
  options: LocalClusterOptions,
  framework = new BenchFramework(),
  driverOptions: SchedulerDriverOptions = {},
): Promise<DriverCluster> {
  // The bench executor has nothing to clean up; a short grace keeps teardown from dominating.
  const cluster = new stack.Cluster({ executorShutdownGracePeriodMs: BENCH_SHUTDOWN_GRACE_MS, ...options });
  let driver: SchedulerDriver | undefined;
  try {
    const masterUrl = await cluster.start();
    driver = new stack.Driver(framework, { name: 'mesosgot-bench', user: process.env['USER'] ?? 'bench' }, masterUrl, driverOptions);
    const status = await driver.start();
    if (status !== 'DRIVER_RUNNING') throw new Error(`driver start: ${status}`);
  } catch (err) {
    await driver?.abort().catch(() => undefined); // the start failure is the error to report
    await cluster.stop();
    throw err;
  }
  const running = driver;
  return {
    cluster,
    driver: running,
    framework,
    async stop() {
      try {
        await running.stop(false);
      } finally {
        await cluster.stop();
      }
    },
  };
}

const TASK_RESOURCES: Resource[] = [
  { name: 'cpus', type: 'SCALAR', scalar: { value: 0.001 } },
  { name: 'mem', type: 'SCALAR', scalar: { value: 1 } },
];
const EXECUTOR_RESOURCES: Resource[] = [
  { name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } },
  { name: 'mem', type: 'SCALAR', scalar: { value: 64 } },
];

/**
 * One task for the bench executor `executorId` (one executor process per agent); `contentType`
 * is the encoding the executor speaks with its agent (MESOSGOT_CONTENT_TYPE), JSON when absent.
 */
export function benchTask(taskId: string, agentId: Offer['agent_id'], executorId: string, contentType?: 'json' | 'protobuf'): TaskInfo {
  return {
    name: taskId,
    task_id: { value: taskId },
    agent_id: agentId,
    resources: TASK_RESOURCES,
    executor: {
      executor_id: { value: executorId },
      name: 'mesosgot bench executor',
      command: {
        value: `"${process.execPath}" "${BENCH_EXECUTOR}"`,
        shell: true,
        ...(contentType === undefined ? {} : { environment: { variables: [{ name: 'MESOSGOT_CONTENT_TYPE', value: contentType }] } }),
      },
      resources: EXECUTOR_RESOURCES,
    },
  };
}

/** Sends `count` relayed MESSAGE calls of `payload`; resolves with calls/s once the executor counted them all. */
export type RelayRound = (count: number, payload: Uint8Array | string) => Promise<number>;

/**
 * Launches the bench task `relay-0` (executor `executorId`, speaking `contentType` with its
 * agent) on the first offer and resolves, once it runs, with the round function: scheduler
 * driver → master → agent → executor, one call per message, counted by the executor.
 */
export async function startRelayTask(dc: DriverCluster, executorId: string, signal: AbortSignal, contentType?: 'json' | 'protobuf'): Promise<RelayRound> {
  const { framework, driver } = dc;
  await framework.waitUntil(() => framework.offers.length > 0, signal);
  const offer = framework.takeOffers()[0]!;
  await driver.acceptOffers([offer.id], [{ type: 'LAUNCH', launch: { task_infos: [benchTask('relay-0', offer.agent_id, executorId, contentType)] } }]);
  await framework.waitUntil(() => framework.states.get('relay-0') === 'TASK_RUNNING', signal);
  const executor = { value: executorId };
  return async (count, payload) => {
    framework.messages.length = 0;
    await driver.sendFrameworkMessage(executor, offer.agent_id, `expect:${count}`);
    const start = performance.now();
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < count; i++) sends.push(driver.sendFrameworkMessage(executor, offer.agent_id, payload));
    await Promise.all(sends);
    await framework.waitUntil(() => framework.messages.includes(`got:${count}`), signal);
    return perSecond(count, performance.now() - start);
  };
}
