// `--data-advertise host:port`: the data plane listens on --address:--data-port, but executors are
// told to dial the advertised address instead (NAT, a port mapping). Here a TCP proxy stands for
// the mapping: if executors dialled the bound port directly, the proxy would see no connection.
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { CuttingProxy, waitFor } from '@mesosgot/local/testing';
import { GoTaskScheduler, parseSchedulerConfig } from '@mesosgot/scheduler';
import { acceptanceSuite, text, within } from '../support/gotask-acceptance.js';
import { memoryLogger } from '../support/lifecycle.js';

const HELLO_EXECUTOR = join(import.meta.dirname, '..', '..', '..', '..', 'examples', 'src', 'hello', 'app_executor.ts');
const suite = acceptanceSuite('data-plane-advertise', { hello: HELLO_EXECUTOR });

/** A port nobody listens on right now (bound and released at once). */
async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('--data-advertise', () => {
  it('sends executors to the advertised address, and their messages go direct through it', async () => {
    const dataPort = await unusedPort();
    const proxy = await CuttingProxy.start({ target: `127.0.0.1:${dataPort}` });
    try {
      const config = parseSchedulerConfig(
        ['--executor', suite.bundleOf('hello'), '--local-agents', '1', '--data-port', String(dataPort), '--data-advertise', `127.0.0.1:${proxy.port}`],
        {},
      );
      const { logger, lines } = memoryLogger();
      const sched = new GoTaskScheduler(config, { logger });
      sched.spawnTask('exampleTask1', 2, { cpus: 0.1, mem: 64 }, { args: ['hello'] });
      const goodbyes = new Set<string>();
      let proxiedConnections = 0;
      sched.registerSchedFunc(async (schedIn, schedOut) => {
        await within(20_000, 'two goodbyes', (async () => {
          for await (const msg of schedIn) {
            if (text(msg).startsWith('hello from')) {
              // By the time a task talks, its executor has had the offer; wait until it went direct.
              await waitFor(() => lines.some((l) => l.includes('messages go over the direct data plane')), { timeoutMs: 10_000, what: 'a direct link' });
              proxiedConnections = Math.max(proxiedConnections, proxy.openConnections);
              await schedOut.send({ taskName: msg.taskName, data: 'go' });
            }
            if (text(msg).startsWith('goodbye') && goodbyes.add(msg.taskName).size === 2) break;
          }
        })());
      });
      await sched.run();
      expect(lines.some((l) => l.includes(`data plane: listening on 127.0.0.1:${dataPort}`) && l.includes(`(executors are sent to 127.0.0.1:${proxy.port})`))).toBe(true);
      expect(proxiedConnections).toBeGreaterThanOrEqual(1);
      expect(lines.some((l) => l.startsWith('warn') && l.includes('data plane'))).toBe(false);
    } finally {
      await proxy.close();
    }
  });
});
