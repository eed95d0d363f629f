/**
 * A plain-HTTP scheduler for cluster tests of the executor driver: it speaks the v1 scheduler
 * API directly over MesosHttpClient (no scheduler driver), records every event, acknowledges
 * every update that carries a uuid (unless told not to), and offers one-line helpers to launch
 * an executor task, kill, message and tear down.
 */
import {
  SCHEDULER_API_PATH,
  STREAM_ID_HEADER,
  type FrameworkInfo,
  type Offer,
  type SchedulerCall,
  type TaskInfo,
  type TaskStatus,
} from '@mesosgot/common';
import {
  MesosHttpClient,
} from '@mesosgot/common/internal';
import { waitFor } from '@mesosgot/local/testing';

type AnyEvent = { type: string } & Record<string, unknown>;

export interface ExecutorMessage {
  agentId: string;
  executorId: string;
  text: string;
}

export class HttpScheduler {
  readonly events: AnyEvent[] = [];
  readonly updates: TaskStatus[] = [];
  readonly messages: ExecutorMessage[] = [];
  readonly offers: Offer[] = [];
  frameworkId = '';
  /** Acknowledge updates as they arrive. */
  isAcknowledging = true;
  readonly #client: MesosHttpClient;
  readonly #controller = new AbortController();
  #streamId = '';
  #reading: Promise<void> = Promise.resolve();

  private constructor(masterUrl: string) {
    this.#client = new MesosHttpClient({ baseUrl: masterUrl });
  }

  /** SUBSCRIBEs; resolves once SUBSCRIBED arrived. The stream is read in the background. */
  static async subscribe(masterUrl: string, info: Partial<FrameworkInfo> = {}): Promise<HttpScheduler> {
    const scheduler = new HttpScheduler(masterUrl);
    const subscription = await scheduler.#client.subscribe(
      SCHEDULER_API_PATH,
      { type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'test', name: 'executor-driver-test', ...info } } },
      { signal: scheduler.#controller.signal },
    );
    scheduler.#streamId = subscription.streamId ?? '';
    scheduler.#reading = scheduler.#read(subscription.records);
    await waitFor(() => scheduler.frameworkId, { what: 'SUBSCRIBED' });
    return scheduler;
  }

  async call(call: SchedulerCall): Promise<void> {
    await this.#client.call(SCHEDULER_API_PATH, { ...call, framework_id: { value: this.frameworkId } }, { headers: { [STREAM_ID_HEADER]: this.#streamId } });
  }

  /** Launches `tasks` (each carrying its `executor`) on the first offer; resolves once ACCEPTed. */
  async launch(tasks: (Omit<TaskInfo, 'agent_id'>)[]): Promise<Offer> {
    const offer = await waitFor(() => this.offers.shift(), { what: 'an offer', timeoutMs: 10_000 });
    await this.call({
      type: 'ACCEPT',
      accept: {
        offer_ids: [offer.id],
        operations: [{ type: 'LAUNCH', launch: { task_infos: tasks.map((t) => ({ ...t, agent_id: offer.agent_id })) } }],
        // The rest of the offer comes back at once (not after the default 5 s filter, docs/protocol.md, "Filters and declines").
        filters: { refuse_seconds: 0 },
      },
    });
    return offer;
  }

  message(agentId: string, executorId: string, text: string): Promise<void> {
    return this.call({
      type: 'MESSAGE',
      message: { agent_id: { value: agentId }, executor_id: { value: executorId }, data: Buffer.from(text).toString('base64') },
    });
  }

  kill(taskId: string, agentId: string): Promise<void> {
    return this.call({ type: 'KILL', kill: { task_id: { value: taskId }, agent_id: { value: agentId } } });
  }

  /** States of `taskId`'s updates, in arrival order. */
  statesOf(taskId: string): string[] {
    return this.updates.filter((u) => u.task_id.value === taskId).map((u) => u.state);
  }

  waitForState(taskId: string, state: TaskStatus['state'], timeoutMs = 10_000): Promise<TaskStatus> {
    return waitFor(() => this.updates.find((u) => u.task_id.value === taskId && u.state === state), { what: `${taskId} ${state}`, timeoutMs });
  }

  waitForMessage(text: string | RegExp, timeoutMs = 10_000): Promise<ExecutorMessage> {
    return waitFor(() => this.messages.find((m) => (typeof text === 'string' ? m.text === text : text.test(m.text))), { what: `message ${String(text)}`, timeoutMs });
  }

  /** TEARDOWN (best effort), then closes the stream and connections. */
  async close({ teardown = true } = {}): Promise<void> {
    if (teardown && this.frameworkId) await this.call({ type: 'TEARDOWN' }).catch(() => undefined);
    this.#controller.abort();
    await this.#reading;
    await this.#client.close();
  }

  async #read(records: AsyncIterable<Buffer>): Promise<void> {
    try {
      for await (const record of records) this.#onEvent(JSON.parse(record.toString('utf8')) as AnyEvent);
    } catch {
      // The stream ends with an error when close() aborts it or the master goes: both are the end.
    }
  }

  #onEvent(event: AnyEvent): void {
    this.events.push(event);
    switch (event.type) {
      case 'SUBSCRIBED':
        this.frameworkId = (event.subscribed as { framework_id: { value: string } }).framework_id.value;
        break;
      case 'OFFERS':
        this.offers.push(...((event.offers as { offers?: Offer[] }).offers ?? []));
        break;
      case 'UPDATE': {
        const status = (event.update as { status: TaskStatus }).status;
        this.updates.push(status);
        if (status.uuid && this.isAcknowledging && status.agent_id) {
          void this.call({ type: 'ACKNOWLEDGE', acknowledge: { agent_id: status.agent_id, task_id: status.task_id, uuid: status.uuid } }).catch(() => undefined);
        }
        break;
      }
      case 'MESSAGE': {
        const message = event.message as { agent_id: { value: string }; executor_id: { value: string }; data: string };
        this.messages.push({ agentId: message.agent_id.value, executorId: message.executor_id.value, text: Buffer.from(message.data, 'base64').toString('utf8') });
        break;
      }
      default:
        break;
    }
  }
}
