/**
 * Hello example, executor side (mesosgot's example): every task says hello, waits for the
 * scheduler's go, sends three messages and a goodbye, then returns.
 */
import { executorMain, type ReceiveChannel, type SendChannel, type TaskMsg } from '@mesosgot/executor';

async function exampleTask(
  input: ReceiveChannel<TaskMsg>,
  output: SendChannel<TaskMsg>,
  args: string[],
  env: Record<string, string>,
): Promise<void> {
  const [taskId = '?', greeting = 'hello'] = args;
  await output.send({ taskName: taskId, data: `${greeting} from ${taskId} (${env.EXAMPLE_KIND ?? 'no kind'})` });
  const go = await input.receive();
  if (!go.ok) return; // stopped before the go
  for (let i = 1; i <= 3; i++) await output.send({ taskName: taskId, data: `${taskId} message ${i}` });
  await output.send({ taskName: taskId, data: `goodbye from ${taskId}` });
}

// executorMain answers --help, stops on SIGTERM and ends the process when the executor is done.
await executorMain((exec) => {
  exec.registerTaskFunc('exampleTask1', exampleTask);
  exec.registerTaskFunc('exampleTask2', exampleTask);
});
