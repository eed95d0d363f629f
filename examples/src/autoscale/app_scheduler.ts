/**
 * Autoscale example, scheduler side: a work queue whose jobs arrive in bursts. The scheduler
 * function watches its backlog: when it grows it spawns a new gang of workers (allocated all or
 * nothing while the others keep working), when the queue is empty it kills the newest gang, down
 * to the initial one. The summary shows the pool size over time.
 * Run: `node examples/dist/autoscale/app_scheduler.js [--jobs N] [--max-workers W]`.
 */
import {
  schedulerMain,
  type FlagSpec,
  type GangInfo,
  type ReceiveChannel,
  type SchedEvent,
  type SchedInMsg,
  type SchedOutMsg,
  type SendChannel,
  type GoTaskScheduler,
} from '@mesosgot/scheduler';
import { autoscaleProtocol, type AutoscaleProtocol, type Job } from './protocol.js';

const APP_FLAGS: readonly FlagSpec[] = [
  { name: 'jobs', env: ['JOBS'], kind: 'int', min: 1, max: 1_000_000, defaultValue: 360, metavar: 'N', help: 'jobs to run before stopping' },
  { name: 'max-workers', env: ['MAX_WORKERS'], kind: 'int', min: 2, max: 1_000, defaultValue: 10, metavar: 'W', help: 'most workers at once' },
];
/** Workers per gang (the initial gang and every one added). */
const GANG_SIZE = 2;
/** How often the scheduler function looks at its backlog. */
const TICK_MS = 200;
/** Work per job, in ms. */
const WORK_MS = 100;
const RESOURCES = { cpus: 0.1, mem: 48 };

type WorkerId = `worker-${number}`;

/** Jobs per tick: bursts of 3 s separated by 5 s of calm. */
function arrivals(tick: number): number {
  return tick % 40 < 15 ? 12 : 0;
}

let totalJobs = 0;
let maxWorkers = 0;

async function autoscale(
  sched: GoTaskScheduler,
  schedIn: ReceiveChannel<SchedInMsg<AutoscaleProtocol>>,
  schedOut: SendChannel<SchedOutMsg<AutoscaleProtocol>>,
  schedEvents: ReceiveChannel<SchedEvent>,
): Promise<void> {
  void (async () => {
    for await (const e of schedEvents) if (e.type === 'AllocationPending') console.error(`gang ${e.shortfall.gang ?? 0} waits for resources`);
  })();
  const startedAt = performance.now();
  const backlog: Job[] = [];
  const idle: WorkerId[] = Array.from({ length: GANG_SIZE }, (_, i) => `worker-${i}` as WorkerId);
  const busy = new Set<WorkerId>();
  /** Gangs added by scaling up, newest last; gang 0 (the initial workers) is never retired. */
  const added: GangInfo[] = [];
  let growing = 0;
  let created = 0;
  let done = 0;
  let tick = 0;
  const timeline: string[] = [];
  const pool = (): number => idle.length + busy.size;

  const dispatch = async (): Promise<void> => {
    while (backlog.length > 0 && idle.length > 0) {
      const worker = idle.shift()!;
      busy.add(worker);
      await schedOut.send({ taskName: worker, data: backlog.shift()! });
    }
  };
  const scale = async (): Promise<void> => {
    if (backlog.length > 2 * pool() && pool() + growing < maxWorkers) {
      growing += GANG_SIZE;
      void sched.spawnTask('worker', GANG_SIZE, RESOURCES).then(
        (gang) => {
          added.push(gang);
          idle.push(...(gang.taskIds as WorkerId[]));
        },
        (error: unknown) => console.error(`scaling up failed: ${(error as Error).message}`),
      ).finally(() => (growing -= GANG_SIZE));
    } else if (backlog.length === 0 && added.length > 0) {
      // Retire the newest gang once all its workers are idle.
      const newest = added[added.length - 1]!;
      const ids = newest.taskIds as WorkerId[];
      if (ids.every((id) => idle.includes(id))) {
        added.pop();
        for (const id of ids) idle.splice(idle.indexOf(id), 1);
        await sched.killGang(newest.gang);
      }
    }
  };

  let shrunk!: () => void;
  const allShrunk = new Promise<void>((resolve) => (shrunk = resolve));
  const timer = setInterval(() => {
    if (done === totalJobs && added.length === 0 && growing === 0) shrunk();
    for (let i = arrivals(tick) ; i > 0 && created < totalJobs; i--) backlog.push({ job: created++, workMs: WORK_MS });
    tick++;
    const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
    timeline.push(`  ${seconds.padStart(5)} s   pool ${String(pool()).padStart(3)}   backlog ${String(backlog.length).padStart(4)}   done ${done}`);
    void scale().then(dispatch).catch((error: unknown) => console.error(`autoscale: ${(error as Error).message}`));
  }, TICK_MS);
  try {
    for await (const msg of schedIn) {
      done++;
      const worker = msg.taskName as WorkerId;
      busy.delete(worker);
      idle.push(worker);
      await dispatch();
      if (done === totalJobs) break;
    }
    // Every job is done: let the pool shrink back to the initial gang before stopping.
    await allShrunk;
  } finally {
    clearInterval(timer);
  }
  const wall = (performance.now() - startedAt) / 1000;
  console.log('autoscale summary (pool size over time, every 5th sample)');
  for (let i = 0; i < timeline.length; i += 5) console.log(timeline[i]);
  console.log(`  jobs done ${done} of ${totalJobs} in ${wall.toFixed(1)} s; largest pool ${Math.max(...timeline.map((l) => Number(/pool\s+(\d+)/.exec(l)![1])))}`);
}

// schedulerMain parses the flags (--help lists the app's too), stops gracefully on Ctrl-C and
// exits with run()'s outcome.
await schedulerMain(
  (sched, config) => {
    totalJobs = config.appFlags.jobs as number;
    maxWorkers = config.appFlags['max-workers'] as number;
    void sched.spawnTask('worker', GANG_SIZE, RESOURCES);
    sched.registerSchedFunc(autoscaleProtocol, (schedIn, schedOut, schedEvents) => autoscale(sched, schedIn, schedOut, schedEvents));
  },
  { extraFlags: APP_FLAGS, usage: 'usage: app_scheduler [flags]   (autoscale example: a worker pool that grows and shrinks with its backlog)' },
);
