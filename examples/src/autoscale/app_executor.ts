/**
 * Autoscale example, executor side: a worker takes jobs one at a time, "works" for the job's
 * time and reports it done. Bundled into one file by `npm run build`.
 */
import { executorMain } from '@mesosgot/executor';
import { autoscaleProtocol } from './protocol.js';

await executorMain((exec) => {
  exec.registerTaskFunc(autoscaleProtocol, 'worker', async (input, output) => {
    for await (const { data } of input) {
      await new Promise((resolve) => setTimeout(resolve, data.workMs));
      await output.send({ data: { job: data.job } });
    }
  });
});
