/**
 * The scheduler's side of "channels across the wire" (docs/design.md, "Channels across the wire"): one ReliableLink per executor,
 * carried by framework messages (MESSAGE calls out, MESSAGE events in, the relay) until the
 * executor connects to the data plane (data-plane-server.ts), then by that connection, and by
 * the relay again whenever it breaks (docs/protocol.md, "Data plane"). `schedOut` messages are
 * routed by `taskName` (the destination task id) to the link of that task's executor; every
 * link's arrivals (stamped with the source task id by the executor) go to `schedIn`.
 * Backpressure crosses the network both ways: a task that stops reading stops its link's
 * credit and the outbound loop waits; a scheduler function that stops reading `schedIn` stops
 * the inbound loops, so the links stop granting credit and the tasks' sends wait.
 */
import { setMaxListeners } from 'node:events';
import type { Socket } from 'node:net';
import {
  DATA_PLANE_STREAM,
  DirectTransport,
  ReliableLink,
  encodeDataPlaneControl,
  isLinkFrame,
  parseDataPlaneControl,
  relayTransport,
  type LinkTransport,
  type LinkTransportKind,
  type Logger,
  type SocketFrameParser,
  type LinkStreamStats,
  type ReliableLinkOptions,
  type ReliableLinkStats,
  ChannelClosedError,
  InvalidArgumentError,
  ProtocolError,
  type Channel,
  type ContentType,
  type TaskMsg,
} from '@mesosgot/common/internal';
import type { SchedulerDriver } from '../driver/scheduler-driver.js';
import type { DataPlaneServer } from './data-plane-server.js';
import { SchedOut, type Destination } from './sched-out.js';
import { isTerminalPhase, type TaskTable } from './task-table.js';

/** Most schedOut messages the outbound loop takes per wake-up (schedOut's default capacity). */
const OUTBOUND_BATCH = 256;
/** Most arrivals of one executor the inbound loop moves to schedIn per step. */
const INBOUND_BATCH = 256;

export interface MessagePumpOptions {
  driver: Pick<SchedulerDriver, 'sendFrameworkMessage'>;
  table: TaskTable;
  schedIn: Channel<TaskMsg>;
  /** A message could not be delivered or a frame was bad: reported, never silently dropped. */
  onError: (error: Error) => void;
  link?: Omit<ReliableLinkOptions, 'transmit' | 'transport'>;
  /** The driver's content type: how MESSAGE calls carry the relay's frames (default JSON). */
  relayEncoding?: ContentType;
  /** The direct data plane; without it every link stays on the relay (`--data-plane relay`). */
  dataPlane?: {
    server: DataPlaneServer;
    /** The address and port executors connect to (`--address`, the listener's port, unless advertised otherwise). */
    host: string;
    port: number;
    /** PEM CA executors trust for a TLS data plane (`--tls-ca`); the system's when absent. */
    tlsCa?: string;
  };
  /** Where data-plane changes are told (one line per executor and change). */
  logger?: Logger;
}

/** Messages and payload bytes one task exchanged with the scheduler function, since the start. */
export interface TaskTraffic {
  /** Task → scheduler (schedIn). */
  msgsIn: number;
  bytesIn: number;
  /** Scheduler → task (schedOut). */
  msgsOut: number;
  bytesOut: number;
}

/** One executor's link as the status page shows it. */
export interface LinkSnapshot {
  executorId: string;
  agentId: string;
  /** The path its frames take now. */
  path: LinkTransportKind;
  stats: ReliableLinkStats;
  streams: LinkStreamStats[];
}

interface ExecutorLinkEntry {
  link: ReliableLink;
  agentId: string;
  /** The loop moving this link's arrivals into schedIn. */
  inbound: Promise<void>;
  /** Framework messages through the master: the bootstrap and the fallback. */
  relay: LinkTransport;
  /** The executor's data-plane connection while it is up; written by attachDirect and its close. */
  direct: DirectTransport | undefined;
  /** The data-plane offer went out (once per executor). */
  offered: boolean;
  /** The executor said it stays on the relay, and we logged it (once per executor). */
  saidRelay: boolean;
}

export class MessagePump {
  private readonly linkEntries = new Map<string, ExecutorLinkEntry>();
  /**
   * Aborted by close(): ends the outbound loop's waits. A task's loop waiting for its launch or
   * for credit hangs a listener on it while it waits, so a framework of many tasks holds many at
   * once (bounded by the task count, each removed when its wait ends): no listener limit, or Node
   * would warn of a leak past ten.
   */
  private readonly stopping = (() => {
    const controller = new AbortController();
    setMaxListeners(0, controller.signal);
    return controller;
  })();
  /**
   * What close() must end in each destination loop, one entry per loop: close() calls them
   * itself, so a framework of many tasks hangs no abort listener per task on `stopping` (Node
   * warns past ten).
   */
  private readonly stopLoops = new Set<() => void>();
  /** One loop per destination of schedOut (pumpDestination). */
  private readonly outbound: Promise<void>[] = [];
  private schedOut: SchedOut | undefined;
  /** Messages taken off schedOut and not yet handed to a link (waiting for their task's launch). */
  private inFlight = 0;
  /** Per task id; written by the two loops only (one increment per message). Bound: one entry per declared task. */
  private readonly trafficByTask = new Map<string, TaskTraffic>();

  constructor(private readonly options: MessagePumpOptions) {}

  /** Counters per task id (live view; read it, do not write it). */
  get traffic(): ReadonlyMap<string, Readonly<TaskTraffic>> {
    return this.trafficByTask;
  }

  /** Every open link with its counters and per-stream backlog, credit and unread messages. */
  linkSnapshots(): LinkSnapshot[] {
    return [...this.linkEntries.entries()].map(([executorId, { link, agentId }]) => ({
      executorId,
      agentId,
      path: link.transport.kind,
      stats: link.stats(),
      streams: link.streamStats().filter((s) => s.stream !== DATA_PLANE_STREAM),
    }));
  }

  /** Adds `msgs` messages of `bytes` payload bytes in all to task `taskId`'s counters. */
  private count(taskId: string, direction: 'in' | 'out', msgs: number, bytes: number): void {
    if (msgs === 0) return;
    let t = this.trafficByTask.get(taskId);
    if (t === undefined) this.trafficByTask.set(taskId, (t = { msgsIn: 0, bytesIn: 0, msgsOut: 0, bytesOut: 0 }));
    if (direction === 'in') {
      t.msgsIn += msgs;
      t.bytesIn += bytes;
    } else {
      t.msgsOut += msgs;
      t.bytesOut += bytes;
    }
  }

  /** The link to executor `executorId` on `agentId`, created on first use. */
  linkFor(executorId: string, agentId: string): ReliableLink {
    let entry = this.linkEntries.get(executorId);
    if (entry === undefined) {
      const { driver } = this.options;
      const relay = relayTransport(async (frame) => {
        await driver.sendFrameworkMessage({ value: executorId }, { value: agentId }, frame);
      }, this.options.relayEncoding);
      const link = new ReliableLink({ ...this.options.link, transport: relay });
      entry = { link, agentId, relay, direct: undefined, offered: false, saidRelay: false, inbound: Promise.resolve() };
      entry.inbound = this.pumpInbound(executorId, entry);
      this.linkEntries.set(executorId, entry);
    }
    return entry.link;
  }

  /**
   * The executor has subscribed to its agent (it sent an update or a message): with a data
   * plane, offer it the direct connection now, over its link on the relay. Only an executor
   * that subscribed can receive framework messages, so the credential never travels earlier,
   * and never in ExecutorInfo (docs/protocol.md, "Data plane").
   */
  executorSubscribed(executorId: string, agentId: string): void {
    const plane = this.options.dataPlane;
    // Links are made at launch (or adoption); a late update of an executor already lost makes none.
    const entry = this.linkEntries.get(executorId);
    if (plane === undefined || entry === undefined || entry.agentId !== agentId || entry.offered) return;
    entry.offered = true;
    const credential = plane.server.admit(executorId).toString('base64');
    const tls = plane.server.isTls ? { tls: plane.tlsCa === undefined ? {} : { ca: plane.tlsCa } } : {};
    const offer = encodeDataPlaneControl({ type: 'OFFER', host: plane.host, port: plane.port, credential, ...tls });
    // The link retransmits it until acknowledged; it fails only when the link closes first.
    entry.link.send({ taskName: DATA_PLANE_STREAM, data: offer }).catch(() => undefined);
  }

  /**
   * An executor passed the data plane's handshake: its link moves to this connection (anything
   * unacknowledged goes out again on it) and back to the relay when the connection ends.
   */
  attachDirect(executorId: string, socket: Socket, parser: SocketFrameParser, early: Buffer[]): void {
    const entry = this.linkEntries.get(executorId);
    if (entry === undefined) {
      socket.destroy();
      return;
    }
    const logger = this.options.logger;
    const transport = new DirectTransport(socket, (frame) => entry.link.onFrame(frame), parser, early);
    const previous = entry.direct;
    entry.direct = transport;
    previous?.destroy();
    entry.link.useTransport(transport);
    logger?.info(`executor ${executorId}: messages go over the direct data plane (from ${transport.remote})`);
    void transport.closed().then((error) => {
      if (entry.direct !== transport) return;
      entry.direct = undefined;
      entry.link.useTransport(entry.relay);
      // After the executor's BYE (it ended in order) the link is closed and there is nothing to say.
      if (this.linkEntries.get(executorId) === entry && !this.stopping.signal.aborted && !entry.link.isClosed) {
        logger?.warn(`executor ${executorId}: direct data-plane connection lost${error ? ` (${error.message})` : ''}; the Mesos relay carries its messages until it reconnects`);
      }
    });
  }

  /** A MESSAGE event: feeds the executor's link. Reports a foreign or malformed message as an error. */
  onFrameworkMessage(executorId: string, agentId: string, data: Uint8Array): void {
    if (!isLinkFrame(data)) {
      this.options.onError(new ProtocolError(`framework message from executor ${executorId} on ${agentId} is not a mesosgot link frame (${data.length} bytes)`));
      return;
    }
    try {
      this.linkFor(executorId, agentId).onFrame(data);
    } catch (err) {
      this.options.onError(err as Error);
    }
    this.executorSubscribed(executorId, agentId);
  }

  /**
   * The scheduler function's `schedOut`: a queue per destination task (sched-out.ts), each moved
   * to its task's link by its own loop, so a task that stops reading holds up only the sends
   * addressed to it. Each message waits for its task to be launched and for that task's credit;
   * an unknown or ended task is reported through onError and the message dropped.
   */
  createSchedOut(capacity: number, maxMessageBytes: number): SchedOut {
    const { table, onError } = this.options;
    this.schedOut ??= new SchedOut({
      capacity,
      maxMessageBytes,
      isKnown: (name) => table.get(name) !== undefined,
      onUnknown: (msg) => onError(new InvalidArgumentError('taskName', msg.taskName, 'no task has this id (ids are <name>-<index>); message dropped')),
      startDestination: (destination) => this.outbound.push(this.pumpDestination(destination)),
      sendNow: (msg) => this.sendNow(msg),
    });
    return this.schedOut;
  }

  /** Messages sent by the scheduler function and not acknowledged by their task yet. */
  get undelivered(): number {
    let n = this.schedOut?.pending ?? 0;
    for (const { link, offered } of this.linkEntries.values()) {
      n += link.unacknowledged;
      // Our own data-plane offer is not the scheduler function's message.
      if (offered) n -= link.streamStats().find((s) => s.stream === DATA_PLANE_STREAM)?.backlog ?? 0;
    }
    return n + this.inFlight;
  }

  /** The transport is back (re-subscribed): resend what is unacknowledged now. */
  retransmitAll(): void {
    for (const { link } of this.linkEntries.values()) link.retransmitNow();
  }

  /** The executor is gone: its link closes (pending sends to its tasks reject). */
  async executorLost(executorId: string): Promise<void> {
    const entry = this.linkEntries.get(executorId);
    if (entry === undefined) return;
    this.linkEntries.delete(executorId);
    this.options.dataPlane?.server.revoke(executorId);
    await entry.link.close();
    await entry.direct?.close();
    await entry.inbound;
  }

  /** Resolves when everything sent so far is acknowledged by the executors, or at `signal`. */
  async drain(signal: AbortSignal): Promise<void> {
    await Promise.all([...this.linkEntries.values()].map(({ link }) => link.drain({ signal }).catch(() => undefined)));
  }

  /**
   * Stops both directions and closes every link; resolves when their loops ended. `isLeaving`
   * (failover): the executors are told nothing (no BYE), so their links wait for the successor
   * instead of ending their tasks.
   */
  async close(isLeaving = false): Promise<void> {
    this.stopping.abort(new ChannelClosedError('message pump'));
    for (const stop of [...this.stopLoops]) stop();
    const entries = [...this.linkEntries.values()];
    this.linkEntries.clear();
    await Promise.all(entries.map((e) => (isLeaving ? e.link.leave() : e.link.close())));
    // After the links' BYEs went out on them.
    await Promise.all(entries.map((e) => e.direct?.close()));
    await Promise.all(entries.map((e) => e.inbound));
    this.schedOut?.close();
    await Promise.all(this.outbound);
  }

  private async pumpInbound(executorId: string, entry: ExecutorLinkEntry): Promise<void> {
    const { schedIn } = this.options;
    const options = { signal: this.stopping.signal };
    try {
      // What arrived together moves on together: one step and one sendMany per batch.
      for await (const batch of entry.link.receiveBatches(undefined, { max: INBOUND_BATCH })) {
        let from = 0;
        for (let i = 0; i < batch.length; i++) {
          const msg = batch[i]!;
          if (msg.taskName !== DATA_PLANE_STREAM) continue;
          await this.forward(batch, from, i, options);
          this.onControl(executorId, entry, msg.data);
          from = i + 1;
        }
        await this.forward(batch, from, batch.length, options);
      }
    } catch (err) {
      // schedIn closed (the scheduler function is done) or the pump is stopping: nothing reads
      // these messages any more. Anything else is worth a report.
      if (!(err instanceof ChannelClosedError) && !this.stopping.signal.aborted) this.options.onError(err as Error);
    }
  }

  /** Sends batch[from … to) to schedIn in order, then counts them per task. */
  private async forward(batch: TaskMsg[], from: number, to: number, options: { signal: AbortSignal }): Promise<void> {
    if (from === to) return;
    const run = from === 0 && to === batch.length ? batch : batch.slice(from, to);
    await this.options.schedIn.sendMany(run, options);
    let task = run[0]!.taskName;
    let msgs = 0;
    let bytes = 0;
    for (const msg of run) {
      if (msg.taskName !== task) {
        this.count(task, 'in', msgs, bytes);
        task = msg.taskName;
        msgs = bytes = 0;
      }
      msgs++;
      bytes += payloadBytes(msg.data);
    }
    this.count(task, 'in', msgs, bytes);
  }

  /** A data-plane control message from the executor (it can only say it stays on the relay). */
  private onControl(executorId: string, entry: ExecutorLinkEntry, data: TaskMsg['data']): void {
    try {
      const control = parseDataPlaneControl(data);
      if (control.type === 'RELAY' && !entry.saidRelay) {
        entry.saidRelay = true;
        this.options.logger?.warn(
          `executor ${executorId} on agent ${entry.agentId} cannot reach the data plane (${control.reason}); its messages go through the Mesos master (slower) while it retries`,
        );
      }
    } catch (err) {
      this.options.onError(err as Error);
    }
  }

  private async pumpDestination(destination: Destination): Promise<void> {
    const { name, queue } = destination;
    const signal = this.stopping.signal;
    if (signal.aborted) return;
    // One wake-up per batch of queued messages rather than per message (a batch in hand frees
    // its room in the queue: at most twice its capacity is held, still bounded). One iterator
    // and one abort listener for the loop's life, not one per wait.
    const batches = queue.batches(OUTBOUND_BATCH);
    const stop = (): void => void batches.return?.();
    this.stopLoops.add(stop);
    try {
      for (;;) {
        // Everything queued reached the link: until a send queues again, sends may pass the
        // queue (an unbuffered queue never lets them: its senders wait unseen in the channel).
        if (queue.length === 0 && queue.capacity > 0) destination.idle = true;
        const step = await batches.next();
        destination.idle = false;
        if (step.done === true) return;
        this.inFlight += step.value.length;
        await this.deliver(name, step.value, signal);
      }
    } catch (err) {
      if (!signal.aborted) this.options.onError(err as Error);
    } finally {
      destination.idle = false;
      this.stopLoops.delete(stop);
    }
  }

  /**
   * schedOut's shortcut (SchedOut's `sendNow`): `msg` goes to its task's link now if the task is
   * launched and still live and its stream has credit; false (nothing done) otherwise, and for
   * anything the slow path must report.
   */
  private sendNow(msg: TaskMsg): boolean {
    if (this.stopping.signal.aborted) return false;
    const entry = this.options.table.get(msg.taskName);
    if (entry === undefined || entry.phase === 'pending' || entry.phase === 'launching' || isTerminalPhase(entry.phase) || entry.executorId === undefined) return false;
    const link = this.linkEntries.get(entry.executorId)?.link;
    if (link === undefined || link.isClosed) return false;
    try {
      if (!link.trySend(msg)) return false;
    } catch {
      return false;
    }
    this.count(entry.id, 'out', 1, payloadBytes(msg.data));
    return true;
  }

  /**
   * Hands `batch` (messages to task `name`, in order) to its task's link once the task is
   * launched: as many as the link's credit admits without waiting, then one waiting send, and
   * again. Each message that cannot be delivered is reported and dropped; the others go on.
   */
  private async deliver(name: string, batch: readonly TaskMsg[], signal: AbortSignal): Promise<void> {
    const { onError, table } = this.options;
    const entry = table.get(name);
    try {
      if (entry !== undefined) await table.whenLaunched(entry, signal);
    } finally {
      // From here a message is the link's to count (unacknowledged or waiting for credit), or gone.
      this.inFlight -= batch.length;
    }
    if (entry === undefined) return;
    let i = 0;
    while (i < batch.length && !signal.aborted) {
      // Looked up again after every wait: the task may have ended or moved meanwhile.
      if (isTerminalPhase(entry.phase) || entry.executorId === undefined || entry.agentId === undefined) {
        for (; i < batch.length; i++) onError(new ChannelClosedError(`task ${entry.id} (${entry.phase}); message dropped`));
        return;
      }
      const link = this.linkFor(entry.executorId, entry.agentId);
      const first = i;
      let bytes = 0;
      try {
        for (let msg = batch[i]!; link.trySend(msg); msg = batch[i]!) {
          bytes += payloadBytes(msg.data);
          if (++i === batch.length) break;
        }
        if (i < batch.length) {
          const msg = batch[i]!;
          await link.send(msg, { signal });
          bytes += payloadBytes(msg.data);
          i++;
        }
      } catch (err) {
        if (signal.aborted) return;
        if (err instanceof ChannelClosedError) onError(new ChannelClosedError(`task ${entry.id}; message dropped`));
        else onError(err as Error);
        i++;
        // The sends before the failed one went out.
        this.count(entry.id, 'out', i - 1 - first, bytes);
        continue;
      }
      this.count(entry.id, 'out', i - first, bytes);
    }
  }
}

function payloadBytes(data: TaskMsg['data']): number {
  return typeof data === 'string' ? data.length : data.byteLength;
}
