/**
 * Task output where the developer looks: follows each executor's `stdout` and `stderr` through
 * its agent's sandbox files API (`/files/read` on the virtual path
 * `/frameworks/<fid>/executors/<eid>/runs/latest/<file>`, docs/protocol.md, "Operator
 * endpoints") and writes every complete line to `write`, prefixed with the tasks its
 * executor runs (`[elevator-0,floor-1 stderr] …`, `[floor-0+9 stdout] …`), the prefix coloured when `colour` is set.
 * Works the same on the embedded cluster and on a real one: agents are found through the
 * master's `/master/slaves`. Reads never block the framework; a failed read is retried at the
 * next poll.
 */
import { getJson } from '@mesosgot/common/internal';
import type { SchedEvent } from './sched-events.js';

/** How often each file is asked for new bytes. */
export const TASK_LOG_POLL_MS = 250;
/** Longest line kept before it is written anyway (a task that never prints a newline). */
const MAX_LINE_CHARS = 16 * 1024;
const FILES = ['stdout', 'stderr'] as const;
const COLOURS = [36, 33, 35, 32, 34, 91, 96, 93, 95, 92];

export interface TaskLogFollowerOptions {
  /** Where lines go (each ends with a newline). */
  write: (text: string) => void;
  /** ANSI colours on the prefixes (a terminal). */
  colour: boolean;
  pollMs?: number;
}

interface Followed {
  agentId: string;
  executorId: string;
  tasks: string[];
  colour: number;
  offsets: Record<(typeof FILES)[number], number>;
  partial: Record<(typeof FILES)[number], string>;
  /** The last STDERR_TAIL_LINES lines of stderr (the status page shows them for a failed task). */
  stderrTail: string[];
}

/** Lines of each executor's stderr kept for failure reports. */
export const STDERR_TAIL_LINES = 20;

export class TaskLogFollower {
  readonly #o: TaskLogFollowerOptions;
  readonly #executors = new Map<string, Followed>();
  readonly #agents = new Map<string, string>();
  #master: string | undefined;
  #frameworkId: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** One poll at a time; written by #poll only. */
  #polling: Promise<void> | undefined;

  constructor(options: TaskLogFollowerOptions) {
    this.#o = options;
  }

  /** Learns the master, the framework and the executors from the scheduler's events. */
  record(event: SchedEvent): void {
    if (event.type === 'Registered' || event.type === 'Reregistered') {
      const host = event.master.hostname ?? event.master.address?.ip ?? '127.0.0.1';
      this.#master = `http://${host}:${event.master.port}`;
      this.#frameworkId = event.frameworkId;
      this.#timer ??= setInterval(() => void this.poll(), this.#o.pollMs ?? TASK_LOG_POLL_MS);
    } else if (event.type === 'TaskLaunched') {
      let f = this.#executors.get(event.executorId);
      if (!f) {
        f = { agentId: event.agentId, executorId: event.executorId, tasks: [], colour: COLOURS[this.#executors.size % COLOURS.length]!, offsets: { stdout: 0, stderr: 0 }, partial: { stdout: '', stderr: '' }, stderrTail: [] };
        this.#executors.set(event.executorId, f);
      }
      if (!f.tasks.includes(event.taskId)) f.tasks.push(event.taskId);
    }
  }

  /** Reads what is new in every followed file once; resolves when done (never rejects). */
  poll(): Promise<void> {
    this.#polling ??= this.#readAll().finally(() => (this.#polling = undefined));
    return this.#polling;
  }

  /** A last read of everything, then no more polling; writes what is left of partial lines. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#polling;
    await this.poll();
    for (const f of this.#executors.values()) for (const file of FILES) if (f.partial[file] !== '') this.#line(f, file, f.partial[file]);
  }

  async #readAll(): Promise<void> {
    if (this.#master === undefined || this.#frameworkId === undefined || this.#executors.size === 0) return;
    await Promise.all([...this.#executors.values()].flatMap((f) => FILES.map((file) => this.#read(f, file))));
  }

  async #read(f: Followed, file: (typeof FILES)[number]): Promise<void> {
    try {
      const agent = await this.#agentUrl(f.agentId);
      if (agent === undefined) return;
      const path = `/frameworks/${this.#frameworkId}/executors/${f.executorId}/runs/latest/${file}`;
      for (;;) {
        const got = await readJson(`${agent}/files/read?path=${encodeURIComponent(path)}&offset=${f.offsets[file]}`);
        if (got === undefined) return;
        const { data, offset } = got as { data: string; offset: number };
        if (data === '') return;
        f.offsets[file] = offset + Buffer.byteLength(data, 'utf8');
        this.#take(f, file, data);
      }
    } catch {
      // The agent is busy, gone or restarting: the next poll tries again from the same offset.
    }
  }

  #take(f: Followed, file: (typeof FILES)[number], data: string): void {
    const lines = (f.partial[file] + data).split('\n');
    f.partial[file] = lines.pop() ?? '';
    if (f.partial[file].length > MAX_LINE_CHARS) {
      lines.push(f.partial[file]);
      f.partial[file] = '';
    }
    for (const line of lines) this.#line(f, file, line);
  }

  /** The last lines of stderr of the executor running `taskId`, as read so far; undefined if none. */
  stderrTailOf(taskId: string): string | undefined {
    const f = [...this.#executors.values()].find((e) => e.tasks.includes(taskId));
    return f && f.stderrTail.length > 0 ? f.stderrTail.join('\n') : undefined;
  }

  #line(f: Followed, file: string, line: string): void {
    if (file === 'stderr') {
      f.stderrTail.push(line);
      if (f.stderrTail.length > STDERR_TAIL_LINES) f.stderrTail.shift();
    }
    // An executor runs many tasks: name the first and count the rest, so prefixes stay short.
    const who = f.tasks.length <= 2 ? f.tasks.join(',') : `${f.tasks[0]}+${f.tasks.length - 1}`;
    const prefix = `[${who} ${file}]`;
    this.#o.write(`${this.#o.colour ? `\u001b[${f.colour}m${prefix}\u001b[0m` : prefix} ${line}\n`);
  }

  /** The agent's base URL from the master's `/master/slaves` (its `pid` is `slave(1)@host:port`). */
  async #agentUrl(agentId: string): Promise<string | undefined> {
    const known = this.#agents.get(agentId);
    if (known !== undefined) return known;
    const got = await readJson(`${this.#master}/master/slaves`);
    if (got === undefined) return undefined;
    const { slaves } = got as { slaves: { id: string; pid: string }[] };
    for (const s of slaves) this.#agents.set(s.id, `http://${s.pid.slice(s.pid.indexOf('@') + 1)}`);
    return this.#agents.get(agentId);
  }
}

/** Bound on one read of the master or an agent (connection, answer and body). */
const READ_TIMEOUT_MS = 5_000;

/** GETs `url` (getJson, bounded): the parsed body of a 200, undefined for any other status; rejects on a failure or after READ_TIMEOUT_MS. */
function readJson(url: string): Promise<unknown> {
  return getJson(url, { signal: AbortSignal.timeout(READ_TIMEOUT_MS) });
}
