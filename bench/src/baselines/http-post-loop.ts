/**
 * Baseline "one message per call": an undici keep-alive client POSTing small JSON bodies in
 * a loop, one in flight, to a node:http server on loopback that answers 202 Accepted as the
 * Mesos master does to a MESSAGE call (docs/protocol.md, "Scheduler endpoint answers"). This is the ceiling for any
 * design that makes one HTTP call per message; end-to-end messaging is judged against it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'undici';
import { perSecond } from '../harness/stats.js';
import { timeMs } from '../harness/measure.js';

/** A loopback HTTP server that drains each request and answers 202 with no body. */
export interface HttpSink {
  url: string;
  /** Resolves once the server and all its sockets are closed. */
  close(): Promise<void>;
}

/** Starts the sink on 127.0.0.1 and an ephemeral port. */
export async function startHttpSink(): Promise<HttpSink> {
  const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(202, { 'content-length': '0' });
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** A body the size of a scheduler MESSAGE call carrying one short task message. */
export const MESSAGE_CALL_BODY = JSON.stringify({
  framework_id: { value: 'bench-framework-0000' },
  type: 'MESSAGE',
  message: {
    agent_id: { value: 'bench-agent-S0' },
    executor_id: { value: 'bench-executor' },
    data: Buffer.from(JSON.stringify({ taskName: 'worker-0', data: 'x'.repeat(32) })).toString('base64'),
  },
});

/**
 * POSTs `count` calls one after the other over one keep-alive connection. Resolves with calls
 * per second; the client is closed before it settles. Rejects on any non-202 answer.
 */
export async function httpPostLoop(sinkUrl: string, count: number, body: string = MESSAGE_CALL_BODY): Promise<number> {
  const client = new Client(sinkUrl, { pipelining: 1 });
  try {
    const elapsed = await timeMs(async () => {
      for (let i = 0; i < count; i++) {
        const res = await client.request({
          method: 'POST',
          path: '/api/v1/scheduler',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body,
        });
        await res.body.dump();
        if (res.statusCode !== 202) throw new Error(`sink answered ${res.statusCode}`);
      }
    });
    return perSecond(count, elapsed);
  } finally {
    await client.close();
  }
}
