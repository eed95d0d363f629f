/**
 * Hello example, scheduler side (mesosgot's example): 3 × exampleTask1 and 4 × exampleTask2.
 * Each task says hello; the scheduler function answers with a go; each task then sends three
 * messages and a goodbye. The scheduler function returns once every task said goodbye.
 */
import { schedulerMain } from '@mesosgot/scheduler';

// schedulerMain parses the flags (--help), stops gracefully on Ctrl-C and exits with run()'s outcome.
await schedulerMain((sched) => {
  sched.spawnTask('exampleTask1', 3, { cpus: 0.1, mem: 64 }, { args: ['hello'], env: { EXAMPLE_KIND: 'kind 1' } });
  sched.spawnTask('exampleTask2', 4, { cpus: 0.1, mem: 64 }, { args: ['hi'], env: { EXAMPLE_KIND: 'kind 2' } });
  sched.registerSchedFunc(async (schedIn, schedOut) => {
    let goodbyes = 0;
    for await (const msg of schedIn) {
      const text = typeof msg.data === 'string' ? msg.data : Buffer.from(msg.data).toString('utf8');
      console.log(`${msg.taskName}: ${text}`);
      if (/^(hello|hi) from /.test(text)) await schedOut.send({ taskName: msg.taskName, data: 'go' });
      if (text.startsWith('goodbye') && ++goodbyes === 7) break;
    }
    if (goodbyes < 7) throw new Error(`only ${goodbyes} of 7 tasks said goodbye`);
    console.log(`all ${goodbyes} tasks said goodbye`);
  });
});
