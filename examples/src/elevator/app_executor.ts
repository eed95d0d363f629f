/**
 * Elevator example, executor side: the task functions for `elevator` and `floor`.
 * Bundled into one file by `npm run build` and fetched by each agent into its sandbox.
 */
import { executorMain, type TypedTaskFunc } from '@mesosgot/executor';
import { ElevatorCar } from './elevator-car.js';
import { floorCalls } from './floor-traffic.js';
import { TICK_MS, elevatorProtocol, type ElevatorProtocol, type FromElevator } from './protocol.js';

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, TICK_MS));

/** Moves one floor per tick; reports position, pickups, drop-offs and finished trips. */
const elevatorMain: TypedTaskFunc<ElevatorProtocol, 'elevator'> = async (input, output) => {
  const car = new ElevatorCar();
  let open = true;
  // The executor stamps the sender's task id; the scheduler is the only destination.
  const send = (data: FromElevator): Promise<void> => output.send({ data });
  const reader = (async () => {
    for await (const { data: m } of input) car.assign({ id: m.id, from: m.from, to: m.to });
    open = false;
  })();
  while (open) {
    await tick();
    if (car.isIdle && !car.isMoving) continue;
    const before = car.floor;
    for (const event of car.tick()) await send(event);
    if (car.floor !== before) await send({ kind: 'position', floor: car.floor, moving: car.isMoving });
  }
  await reader;
};

/** Waits for its quota, then makes that many calls at random intervals; ends when `in` closes. */
const floorMain: TypedTaskFunc<ElevatorProtocol, 'floor'> = async (input, output, args) => {
  const taskId = args[0] ?? 'floor-?';
  const floor = Number(taskId.slice(taskId.lastIndexOf('-') + 1));
  let calling: Promise<void> | undefined;
  for await (const { data: m } of input) {
    if (calling) continue;
    calling = (async () => {
      let n = 0;
      for (const call of floorCalls(floor, m.floors, m.calls, m.seed)) {
        for (let t = 0; t < call.delayTicks; t++) await tick();
        await output.send({ data: { kind: 'call', id: `${taskId}.${n++}`, from: call.from, to: call.to } });
      }
    })();
  }
  await calling;
};

await executorMain((exec) => {
  // Light, message-heavy tasks: inline on the executor's main thread (README "Where task functions run").
  exec.registerTaskFunc(elevatorProtocol, 'elevator', elevatorMain, { inline: true });
  exec.registerTaskFunc(elevatorProtocol, 'floor', floorMain, { inline: true });
});
