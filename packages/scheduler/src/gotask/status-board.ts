/**
 * What the live status page shows, gathered from what the scheduler already keeps: the task
 * table (phase, agent, restarts), the message pump (messages and bytes per task and direction,
 * each link's backlog, credit and unread messages) and the SchedEvents (event log, allocation
 * state and why it is pending, the last words of failed tasks). Rates are deltas between two
 * `sample()` calls, so reading costs nothing while nobody samples. The same document is served
 * as `/status.json` and pushed to the page.
 */
import type { LinkStreamStats } from '@mesosgot/common/internal';
import type { LinkSnapshot, TaskTraffic } from './message-pump.js';
import type { AllocationShortfall, SchedEvent } from './sched-events.js';
import type { TaskPhase, TaskTable } from './task-table.js';

/** Events kept for the log (oldest dropped first). */
export const STATUS_EVENT_LOG_SIZE = 200;
/** Characters of a failed task's last words kept (its failure message, stderr tail when known). */
const FAILURE_TEXT_MAX = 4096;

export interface TaskStatusRow {
  id: string;
  phase: TaskPhase;
  agentId: string | undefined;
  hostname: string | undefined;
  executorId: string | undefined;
  restarts: number;
  msgsIn: number;
  msgsOut: number;
  bytesIn: number;
  bytesOut: number;
  /** Per second, over the last sample period. */
  msgsInRate: number;
  msgsOutRate: number;
  bytesInRate: number;
  bytesOutRate: number;
  /** The failure message and, when known, the tail of its stderr. */
  failure: string | undefined;
}

export interface LinkStatusRow {
  executorId: string;
  agentId: string;
  /** `direct` (the executor's own connection) or `relay` (framework messages through the master). */
  path: LinkSnapshot['path'];
  framesSent: number;
  framesReceived: number;
  messagesResent: number;
  streams: LinkStreamStats[];
}

export interface StatusDocument {
  framework: { name: string; id: string | undefined; master: string | undefined; connected: boolean };
  allocation: { state: 'pending' | 'waiting' | 'launched' | 'done'; reason: string | undefined };
  tasks: TaskStatusRow[];
  totals: { msgsInRate: number; msgsOutRate: number; bytesInRate: number; bytesOutRate: number; msgsIn: number; msgsOut: number };
  links: LinkStatusRow[];
  events: { time: number; type: string; text: string }[];
  /** Milliseconds since the epoch when this document was made. */
  time: number;
}

/** What the board reads; the pump is absent until the framework started. */
export interface StatusSources {
  frameworkName: string;
  table: TaskTable;
  traffic(): ReadonlyMap<string, Readonly<TaskTraffic>> | undefined;
  links(): LinkSnapshot[];
  /** The tail of the stderr of the executor running a task, when the scheduler follows it. */
  stderrTail?(taskId: string): string | undefined;
}

interface Sample {
  at: number;
  traffic: Map<string, TaskTraffic>;
}

export class StatusBoard {
  readonly #sources: StatusSources;
  readonly #events: { time: number; type: string; text: string }[] = [];
  readonly #hostnames = new Map<string, string>();
  readonly #failures = new Map<string, string>();
  #pending: AllocationShortfall | undefined;
  #frameworkId: string | undefined;
  #master: string | undefined;
  #connected = false;
  #isDone = false;
  /** The two latest samples (rates are their difference). Written by sample() only. */
  #previous: Sample | undefined;
  #latest: Sample | undefined;

  constructor(sources: StatusSources) {
    this.#sources = sources;
  }

  /** Takes one SchedEvent into the log and the derived state. Never throws. */
  record(event: SchedEvent): void {
    const text = describe(event);
    this.#events.push({ time: Date.now(), type: event.type, text });
    if (this.#events.length > STATUS_EVENT_LOG_SIZE) this.#events.shift();
    switch (event.type) {
      case 'Registered':
      case 'Reregistered':
        this.#frameworkId = event.frameworkId;
        this.#master = `${event.master.hostname ?? event.master.address?.ip ?? ''}:${event.master.port}`;
        this.#connected = true;
        return;
      case 'Disconnected':
        this.#connected = false;
        return;
      case 'AllocationPending':
        this.#pending = event.shortfall;
        return;
      case 'TaskLaunched':
        this.#pending = undefined;
        this.#hostnames.set(event.taskId, event.hostname);
        return;
      case 'TaskFailed':
      case 'TaskLost':
        this.#failures.set(event.taskId, failureText(event, this.#sources.stderrTail?.(event.taskId)));
        return;
      case 'Shutdown':
        this.#isDone = true;
        return;
      default:
        return;
    }
  }

  /** Remembers the traffic counters now; rates compare the last two samples. */
  sample(now = Date.now()): void {
    const copy = new Map<string, TaskTraffic>();
    for (const [id, t] of this.#sources.traffic() ?? []) copy.set(id, { ...t });
    this.#previous = this.#latest;
    this.#latest = { at: now, traffic: copy };
  }

  /** The document as of the last sample (counters and table as of now). */
  snapshot(): StatusDocument {
    const latest = this.#latest;
    const previous = this.#previous;
    const seconds = latest && previous ? Math.max(0.001, (latest.at - previous.at) / 1000) : 0;
    const rate = (id: string, key: keyof TaskTraffic): number => {
      if (!latest || !previous || seconds === 0) return 0;
      return ((latest.traffic.get(id)?.[key] ?? 0) - (previous.traffic.get(id)?.[key] ?? 0)) / seconds;
    };
    const now = this.#sources.traffic();
    const tasks: TaskStatusRow[] = [...this.#sources.table.all()].map((t) => {
      const counts = now?.get(t.id);
      return {
        id: t.id,
        phase: t.phase,
        agentId: t.agentId,
        hostname: this.#hostnames.get(t.id),
        executorId: t.executorId,
        restarts: t.restarts,
        msgsIn: counts?.msgsIn ?? 0,
        msgsOut: counts?.msgsOut ?? 0,
        bytesIn: counts?.bytesIn ?? 0,
        bytesOut: counts?.bytesOut ?? 0,
        msgsInRate: rate(t.id, 'msgsIn'),
        msgsOutRate: rate(t.id, 'msgsOut'),
        bytesInRate: rate(t.id, 'bytesIn'),
        bytesOutRate: rate(t.id, 'bytesOut'),
        failure: this.#failures.get(t.id),
      };
    });
    const sum = (key: keyof TaskStatusRow): number => tasks.reduce((acc, t) => acc + (t[key] as number), 0);
    const isLaunched = tasks.length > 0 && tasks.every((t) => t.phase !== 'pending' && t.phase !== 'launching');
    return {
      framework: { name: this.#sources.frameworkName, id: this.#frameworkId, master: this.#master, connected: this.#connected },
      allocation: {
        state: this.#isDone ? 'done' : this.#pending ? 'pending' : isLaunched ? 'launched' : 'waiting',
        reason: this.#pending ? pendingReason(this.#pending) : undefined,
      },
      tasks,
      totals: {
        msgsInRate: sum('msgsInRate'),
        msgsOutRate: sum('msgsOutRate'),
        bytesInRate: sum('bytesInRate'),
        bytesOutRate: sum('bytesOutRate'),
        msgsIn: sum('msgsIn'),
        msgsOut: sum('msgsOut'),
      },
      links: this.#sources.links().map((l) => ({
        executorId: l.executorId,
        agentId: l.agentId,
        path: l.path,
        framesSent: l.stats.framesSent,
        framesReceived: l.stats.framesReceived,
        messagesResent: l.stats.messagesResent,
        streams: l.streams,
      })),
      events: [...this.#events],
      time: Date.now(),
    };
  }
}

/** One line per event, as the log shows it. */
function describe(event: SchedEvent): string {
  switch (event.type) {
    case 'Registered':
    case 'Reregistered':
      return `framework ${event.frameworkId}`;
    case 'TaskLaunched':
      return `${event.taskId} on ${event.hostname} (executor ${event.executorId})`;
    case 'TaskRunning':
    case 'TaskFinished':
      return event.taskId;
    case 'TaskFailed':
    case 'TaskKilled':
    case 'TaskLost':
      return `${event.taskId}: ${event.state}${event.message ? ` — ${event.message}` : ''}${event.willRestart ? ' (restarting)' : ''}`;
    case 'AllocationPending':
      return pendingReason(event.shortfall);
    case 'GangFailed':
      return `gang ${event.gang} ended (isolate): ${event.reason}`;
    case 'GangAdopted':
      return `gang ${event.gang}: ${event.taskIds.join(', ')}`;
    case 'OfferRescinded':
      return event.offerId;
    case 'SlaveLost':
      return `agent ${event.agentId}`;
    case 'ExecutorLost':
      return `executor ${event.executorId} on ${event.agentId} (status ${event.status})`;
    case 'Shutdown':
      return event.reason;
    case 'Error':
      return event.message;
    case 'Disconnected':
      return 'from the master';
    case 'Reconnecting':
      return `${event.masterUrl}: ${event.cause}; retry in ${Math.round(event.retryInMs)} ms`;
  }
}

function failureText(event: Extract<SchedEvent, { type: 'TaskFailed' | 'TaskLost' }>, followedTail: string | undefined): string {
  // A stderr tail: on the event when the scheduler attached one, else what the log follower read.
  const extra = (event as { stderrTail?: unknown }).stderrTail ?? followedTail;
  const text = `${event.state}: ${event.message}${typeof extra === 'string' && extra !== '' ? `\n${extra}` : ''}`;
  return text.length > FAILURE_TEXT_MAX ? text.slice(text.length - FAILURE_TEXT_MAX) : text;
}

function pendingReason(s: AllocationShortfall): string {
  const unplaced = s.unplaced.map((u) => `${u.count} × ${u.name}`).join(', ');
  const missing = Object.entries(s.missing)
    .filter(([, v]) => v > 0)
    .map(([k, v]) => `${k} ${Math.round(v * 100) / 100}`)
    .join(', ');
  return `waiting for resources: ${unplaced || 'tasks'} unplaced${missing ? `; missing ${missing}` : ' (fragmented across offers)'}; ${s.offersHeld} offer(s) held`;
}
