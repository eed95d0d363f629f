/**
 * A scripted Mesos agent for executor-driver tests: a real HTTP server on 127.0.0.1:0 serving
 * the executor endpoint (docs/protocol.md, "Executor endpoint answers", "Executor calls"). It records every call, hands each
 * accepted SUBSCRIBE's stream to the test (FakeStream), answers UPDATE/MESSAGE with 202 (or a
 * scripted status), and can ACKNOWLEDGE updates itself. `goDown()` plays a dead agent: streams
 * are cut and every new connection is reset until `comeBack()`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { FakeStream, waitFor } from '@mesosgot/local/testing';

export interface AgentCall {
  readonly type: string | undefined;
  readonly body: Record<string, unknown> | undefined;
  readonly rawBody: string;
  readonly headers: IncomingMessage['headers'];
  status: number;
}

export interface FakeAgentReply {
  status: number;
  body?: string;
}

export const FRAMEWORK_ID = 'fw-0000';
export const EXECUTOR_ID = 'exec-1';
export const AGENT_ID = 'agent-S0';

export const SUBSCRIBED_EVENT = {
  type: 'SUBSCRIBED',
  subscribed: {
    executor_info: { executor_id: { value: EXECUTOR_ID }, framework_id: { value: FRAMEWORK_ID }, command: { value: 'x', shell: true } },
    framework_info: { user: 'u', name: 'fw', id: { value: FRAMEWORK_ID }, checkpoint: false },
    agent_info: { hostname: '127.0.0.1', port: 5051, id: { value: AGENT_ID } },
    container_id: { value: 'c-1' },
  },
};

export function launchEvent(taskId: string): object {
  return { type: 'LAUNCH', launch: { task: { name: taskId, task_id: { value: taskId }, agent_id: { value: AGENT_ID } } } };
}

export class FakeAgent {
  readonly calls: AgentCall[] = [];
  readonly streams: FakeStream[] = [];
  /** Send SUBSCRIBED on each accepted SUBSCRIBE. */
  isAutoSubscribed = true;
  /** Send ACKNOWLEDGED (on the newest stream) after answering an UPDATE 202. */
  isAutoAcknowledging = false;
  /** Answer for SUBSCRIBE instead of a 200 stream (e.g. 400, 503). */
  subscribeReply: FakeAgentReply | undefined;
  readonly #replies = new Map<string, FakeAgentReply[]>();
  readonly #sockets = new Set<Socket>();
  #isDown = false;
  /** Connections reset while down (each a failed attempt of the driver). */
  refusedConnections = 0;

  private constructor(private readonly server: Server, readonly port: number) {}

  static async start(): Promise<FakeAgent> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const agent = new FakeAgent(server, (server.address() as AddressInfo).port);
    server.on('connection', (socket) => {
      if (agent.#isDown) {
        agent.refusedConnections += 1;
        socket.destroy();
        return;
      }
      agent.#sockets.add(socket);
      socket.once('close', () => agent.#sockets.delete(socket));
    });
    server.on('request', (req, res) => agent.#onRequest(req, res));
    return agent;
  }

  /** The MESOS_* environment an agent would give the executor. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      MESOS_AGENT_ENDPOINT: `127.0.0.1:${this.port}`,
      MESOS_FRAMEWORK_ID: FRAMEWORK_ID,
      MESOS_EXECUTOR_ID: EXECUTOR_ID,
      MESOS_SLAVE_ID: AGENT_ID,
      MESOS_DIRECTORY: '/tmp/sandbox',
      MESOS_SANDBOX: '/tmp/sandbox',
      MESOS_CHECKPOINT: '0',
      MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD: '5secs',
      ...extra,
    };
  }

  /** Answers the next call of `type` with `reply` (queued: one reply per call). */
  replyNext(type: string, reply: FakeAgentReply): void {
    const queue = this.#replies.get(type) ?? [];
    queue.push(reply);
    this.#replies.set(type, queue);
  }

  callsOf(type: string): AgentCall[] {
    return this.calls.filter((c) => c.type === type);
  }

  waitForCall(type: string, n = 0, timeoutMs = 5_000): Promise<AgentCall> {
    return waitFor(() => this.callsOf(type)[n], { timeoutMs, what: `${type} call #${n}` });
  }

  waitForStream(n: number, timeoutMs = 5_000): Promise<FakeStream> {
    return waitFor(() => this.streams[n], { timeoutMs, what: `subscription stream #${n}` });
  }

  /** The newest stream. */
  get stream(): FakeStream {
    const stream = this.streams.at(-1);
    if (!stream) throw new Error('no subscription stream yet');
    return stream;
  }

  /** The agent process dies: streams and connections cut, new connections reset. */
  goDown(): void {
    this.#isDown = true;
    for (const stream of this.streams) stream.cut();
    for (const socket of this.#sockets) socket.destroy();
  }

  comeBack(): void {
    this.#isDown = false;
  }

  async close(): Promise<void> {
    this.goDown();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  #onRequest(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let body: Record<string, unknown> | undefined;
      try {
        body = JSON.parse(rawBody) as Record<string, unknown>;
      } catch {
        // Recorded as not JSON; answered 400 below, as a real agent does.
      }
      const call: AgentCall = { type: typeof body?.type === 'string' ? body.type : undefined, body, rawBody, headers: req.headers, status: 0 };
      this.calls.push(call);
      this.#answer(call, res);
    });
  }

  #answer(call: AgentCall, res: ServerResponse): void {
    const reply = (status: number, text = ''): void => {
      call.status = status;
      res.writeHead(status, text ? { 'Content-Type': 'text/plain; charset=utf-8' } : {});
      res.end(text);
    };
    const refused = validate(call);
    if (refused) return reply(refused.status, refused.body);
    const scripted = this.#replies.get(call.type ?? '')?.shift();
    if (call.type === 'SUBSCRIBE') {
      const refusal = scripted ?? this.subscribeReply;
      if (refusal) return reply(refusal.status, refusal.body);
      call.status = 200;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.flushHeaders();
      const stream = new FakeStream('', FRAMEWORK_ID, call.body ?? {}, res);
      this.streams.push(stream);
      if (this.isAutoSubscribed) stream.send(SUBSCRIBED_EVENT);
      return;
    }
    if (scripted) return reply(scripted.status, scripted.body);
    reply(202);
    if (call.type === 'UPDATE' && this.isAutoAcknowledging) {
      const status = (call.body?.update as { status: { task_id: unknown; uuid: string } }).status;
      this.streams.at(-1)?.send({ type: 'ACKNOWLEDGED', acknowledged: { task_id: status.task_id, uuid: status.uuid } });
    }
  }
}

/** The agent's own checks a driver could trip (docs/protocol.md, "Executor endpoint answers", "Executor calls"); undefined when the call is acceptable. */
function validate(call: AgentCall): FakeAgentReply | undefined {
  if (call.headers['content-type'] !== 'application/json') {
    return { status: 415, body: "Expecting 'Content-Type' of application/json or application/x-protobuf" };
  }
  if (call.body === undefined) return { status: 400, body: 'Failed to parse body into JSON' };
  const fw = (call.body.framework_id as { value?: string } | undefined)?.value;
  const ex = (call.body.executor_id as { value?: string } | undefined)?.value;
  if (fw !== FRAMEWORK_ID || ex !== EXECUTOR_ID) return { status: 400, body: 'Executor cannot be found' };
  if (call.type === 'SUBSCRIBE' && typeof call.body.subscribe !== 'object') {
    return { status: 400, body: "Failed to validate Executor::Call: Expecting 'subscribe' to be present" };
  }
  return undefined;
}
