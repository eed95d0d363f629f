/**
 * Elevator example, scheduler side (mesosgot's showcase): E elevator tasks and F floor tasks.
 * Floors make passenger calls; this scheduler function dispatches each call to an elevator;
 * elevators move a floor per tick and report. It stops after R requests are served and prints
 * a summary. Run: `npm start`, or `node examples/dist/elevator/app_scheduler.js --help`.
 */
import {
  schedulerMain,
  type FlagSpec,
  type SchedEvent,
  type ReceiveChannel,
  type SendChannel,
  type SchedInMsg,
  type SchedOutMsg,
} from '@mesosgot/scheduler';
import { Dispatcher } from './dispatcher.js';
import { elevatorProtocol, type ElevatorProtocol } from './protocol.js';
import { ProgressLine } from '../shared/progress-line.js';

const APP_FLAGS: readonly FlagSpec[] = [
  { name: 'elevators', env: ['ELEVATORS'], kind: 'int', min: 1, max: 100, defaultValue: 3, metavar: 'E', help: 'elevator tasks' },
  { name: 'floors', env: ['FLOORS'], kind: 'int', min: 2, max: 500, defaultValue: 10, metavar: 'F', help: 'floor tasks, one per floor' },
  { name: 'requests', env: ['REQUESTS'], kind: 'int', min: 1, max: 10_000_000, defaultValue: 300, metavar: 'R', help: 'passenger requests to serve before stopping' },
  { name: 'seed', env: ['SEED'], kind: 'int', min: 0, defaultValue: 1, metavar: 'n', help: 'seed of the passenger traffic' },
];

let elevators = 0;
let floors = 0;
let requests = 0;
let seed = 0;

const startedAt = performance.now();
let served = 0;
let messages = 0;
let running = 0;
let failure: string | undefined;

async function watchEvents(events: ReceiveChannel<SchedEvent>): Promise<void> {
  for await (const event of events) {
    switch (event.type) {
      case 'TaskRunning':
        running++;
        break;
      case 'TaskFinished':
      case 'TaskKilled':
        running--;
        break;
      case 'TaskFailed':
      case 'TaskLost':
        running--;
        failure ??= `${event.taskId} ${event.state}: ${event.message}`;
        break;
      case 'Error':
        failure ??= event.message;
        break;
      default:
        break;
    }
  }
}

/** Tells each floor how many calls to make: R split as evenly as possible. */
async function sendQuotas(out: SendChannel<SchedOutMsg<ElevatorProtocol>>): Promise<void> {
  for (let floor = 0; floor < floors; floor++) {
    const calls = Math.floor(requests / floors) + (floor < requests % floors ? 1 : 0);
    await out.send({ taskName: `floor-${floor}`, data: { kind: 'quota', calls, seed, floors } });
    messages++;
  }
}

async function elevatorSchedFunc(
  schedIn: ReceiveChannel<SchedInMsg<ElevatorProtocol>>,
  schedOut: SendChannel<SchedOutMsg<ElevatorProtocol>>,
  schedEvents: ReceiveChannel<SchedEvent>,
): Promise<void> {
  const watching = watchEvents(schedEvents);
  const progress = new ProgressLine();
  const dispatcher = new Dispatcher(Array.from({ length: elevators }, (_, i) => `elevator-${i}`));
  await sendQuotas(schedOut);
  for await (const msg of schedIn) {
    messages++;
    // Typed by the sender's kind: a floor's call or an elevator's report (narrow on `msg.kind` to tell them apart).
    const m = msg.data;
    switch (m.kind) {
      case 'call': {
        const elevator = dispatcher.dispatch(m.id, m.from, m.to) as `elevator-${number}`;
        await schedOut.send({ taskName: elevator, data: { kind: 'assign', id: m.id, from: m.from, to: m.to } });
        messages++;
        break;
      }
      case 'position':
        dispatcher.moved(msg.taskName, m.floor);
        break;
      case 'pickup':
        dispatcher.pickedUp(m.id);
        break;
      case 'dropoff':
        dispatcher.droppedOff(msg.taskName, m.id);
        break;
      case 'trip':
        dispatcher.tripDone();
        break;
      default:
        throw new Error(`elevator: unexpected ${(m as { kind: string }).kind} from ${msg.taskName}`);
    }
    served = dispatcher.requestsServed;
    const seconds = (performance.now() - startedAt) / 1000;
    progress.update(`tasks running ${running}/${elevators + floors} | requests served ${served}/${requests} | ${Math.round(messages / seconds)} msgs/s`);
    if (served >= requests) break;
  }
  progress.done();
  const summary = dispatcher.summary();
  const wall = (performance.now() - startedAt) / 1000;
  console.log('elevator summary');
  console.log(`  requests served     ${summary.requestsServed} of ${requests}`);
  console.log(`  mean wait           ${summary.meanWaitMs.toFixed(1)} ms`);
  console.log(`  p95 wait            ${summary.p95WaitMs.toFixed(1)} ms`);
  console.log(`  trips               ${summary.trips}`);
  console.log(`  messages exchanged  ${messages}`);
  console.log(`  wall time           ${wall.toFixed(2)} s`);
  void watching;
  if (served < requests) throw new Error(`stopped after ${served} of ${requests} requests${failure ? `: ${failure}` : ''}`);
}

// schedulerMain parses the flags (--help lists the app's too), stops gracefully on Ctrl-C and
// exits with run()'s outcome; the library logs allocation waits and failures on stderr.
await schedulerMain(
  (sched, config) => {
    elevators = config.appFlags.elevators as number;
    floors = config.appFlags.floors as number;
    requests = config.appFlags.requests as number;
    seed = config.appFlags.seed as number;
    sched.spawnTask('elevator', elevators, { cpus: 0.1, mem: 64 });
    sched.spawnTask('floor', floors, { cpus: 0.1, mem: 64 });
    sched.registerSchedFunc(elevatorProtocol, elevatorSchedFunc);
  },
  { extraFlags: APP_FLAGS, usage: 'usage: app_scheduler [flags]   (elevator example: E elevators serve R requests made on F floors)' },
);
