/**
 * Regression: the executor driver trusted its agent too much. An agent that sent the 200
 * headers and then nothing (or half a record) held it forever, and a 307 would have carried the
 * executor's token to any origin. Now SUBSCRIBED has a deadline (the stream then counts as
 * broken: re-subscribe when checkpointing, else stop with the reason), an oversized record is a
 * ProtocolError instead of a buffer, and no redirect leaves the agent's origin.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from '@jest/globals';
import { ScriptedHttpServer, waitFor } from '@mesosgot/local/testing';
import { MesosExecutorDriver } from '@mesosgot/executor';

const servers: ScriptedHttpServer[] = [];
const drivers: MesosExecutorDriver[] = [];

afterEach(async () => {
  await Promise.all(drivers.splice(0).map((d) => d.abort()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function hostileAgent(answer: (req: IncomingMessage, res: ServerResponse) => void): Promise<ScriptedHttpServer> {
  const server = await ScriptedHttpServer.start(answer);
  servers.push(server);
  return server;
}

function env(port: number, extra: Record<string, string> = {}): Record<string, string> {
  return {
    MESOS_AGENT_ENDPOINT: `127.0.0.1:${port}`,
    MESOS_FRAMEWORK_ID: 'fw-1',
    MESOS_EXECUTOR_ID: 'exec-1',
    MESOS_SLAVE_ID: 'agent-1',
    MESOS_DIRECTORY: '/tmp/sandbox',
    MESOS_SANDBOX: '/tmp/sandbox',
    MESOS_CHECKPOINT: '0',
    MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD: '5secs',
    ...extra,
  };
}

function streamHead(res: ServerResponse): void {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.flushHeaders();
}

describe('MesosExecutorDriver against a hostile agent', () => {
  it.each([
    ['headers then nothing', (res: ServerResponse) => streamHead(res)],
    ['half a first record', (res: ServerResponse) => (streamHead(res), res.write('300\n{"type":"SUBSC'))],
  ])('stops with a TimeoutError after %s without checkpointing', async (_name, answer) => {
    const agent = await hostileAgent((_req, res) => answer(res));
    const driver = new MesosExecutorDriver({}, { env: env(agent.port), subscribedTimeoutMs: 300 });
    drivers.push(driver);
    await expect(driver.start()).rejects.toThrow(/no SUBSCRIBED from the agent/);
  });

  it('re-subscribes after the SUBSCRIBED deadline when checkpointing', async () => {
    const agent = await hostileAgent((_req, res) => streamHead(res));
    const driver = new MesosExecutorDriver({}, {
      env: env(agent.port, { MESOS_CHECKPOINT: '1', MESOS_RECOVERY_TIMEOUT: '1mins', MESOS_SUBSCRIPTION_BACKOFF_MAX: '50ms' }),
      subscribedTimeoutMs: 200,
    });
    drivers.push(driver);
    void driver.start().catch(() => undefined);
    await waitFor(() => agent.requests.length >= 3, { timeoutMs: 10_000, what: 'three SUBSCRIBE attempts' });
  });

  it('refuses a record longer than the RecordIO limit instead of buffering it', async () => {
    const agent = await hostileAgent((_req, res) => (streamHead(res), res.write(`${100 * 1024 * 1024 * 1024}\n{`)));
    const driver = new MesosExecutorDriver({}, { env: env(agent.port) });
    drivers.push(driver);
    await expect(driver.start()).rejects.toThrow(/record|length/i);
  });

  it('does not follow a 307 to another origin with the executor token', async () => {
    const thief = await hostileAgent((_req, res) => res.writeHead(404).end());
    const agent = await hostileAgent((_req, res) => res.writeHead(307, { Location: `http://127.0.0.1:${thief.port}/steal` }).end());
    const driver = new MesosExecutorDriver({}, { env: env(agent.port, { MESOS_EXECUTOR_AUTHENTICATION_TOKEN: 'tok' }) });
    drivers.push(driver);
    await expect(driver.start()).rejects.toThrow(/not a configured or detected master|307/);
    expect(thief.requests).toEqual([]);
  });
});
