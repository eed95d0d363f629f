/**
 * Elevator example, executor side: the task functions for `elevator` and `floor`.
 * Bundled into one file by `npm run build` and fetched by each agent into its sandbox.
 */
import { executorMain, type ReceiveChannel, type SendChannel, type TaskMsg } from '@mesosgot/executor';
import { ElevatorCar } from './elevator-car.js';
import { floorCalls } from './floor-traffic.js';
import { TICK_MS, decodeMsg, encodeMsg, type ElevatorMsg } from './protocol.js';

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, TICK_MS));

async function send(output: SendChannel<TaskMsg>, msg: ElevatorMsg): Promise<void> {
  // The executor stamps the sender's task id; the scheduler is the only destination.
  await output.send({ taskName: '', data: encodeMsg(msg) });
}

/** Moves one floor per tick; reports position, pickups, drop-offs and finished trips. */
async function elevatorMain(input: ReceiveChannel<TaskMsg>, output: SendChannel<TaskMsg>): Promise<void> {
  const car = new ElevatorCar();
  let open = true;
  const reader = (async () => {
    for await (const msg of input) {
      const m = decodeMsg(msg.data);
      if (m.kind === 'assign') car.assign({ id: m.id, from: m.from, to: m.to });
    }
    open = false;
  })();
  while (open) {
    await tick();
    if (car.isIdle && !car.isMoving) continue;
    const before = car.floor;
    for (const event of car.tick()) await send(output, event);
    if (car.floor !== before) await send(output, { kind: 'position', floor: car.floor, moving: car.isMoving });
  }
  await reader;
}

/** Waits for its quota, then makes that many calls at random intervals; ends when `in` closes. */
async function floorMain(input: ReceiveChannel<TaskMsg>, output: SendChannel<TaskMsg>, args: string[]): Promise<void> {
  const taskId = args[0] ?? 'floor-?';
  const floor = Number(taskId.slice(taskId.lastIndexOf('-') + 1));
  let calling: Promise<void> | undefined;
  for await (const msg of input) {
    const m = decodeMsg(msg.data);
    if (m.kind !== 'quota' || calling) continue;
    calling = (async () => {
      let n = 0;
      for (const call of floorCalls(floor, m.floors, m.calls, m.seed)) {
        for (let t = 0; t < call.delayTicks; t++) await tick();
        await send(output, { kind: 'call', id: `${taskId}.${n++}`, from: call.from, to: call.to });
      }
    })();
  }
  await calling;
}

await executorMain((exec) => {
  exec.registerTaskFunc('elevator', elevatorMain);
  exec.registerTaskFunc('floor', floorMain);
});
