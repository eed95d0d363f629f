/**
 * What the live status page costs a running app: the e2e message rates of e2e-messages.ts,
 * measured in paired rounds of the same run on the same framework, without a viewer (the
 * baseline: the page is served but nobody looks) and with the page open and refreshing — a
 * viewer process reading every server-sent document and fetching `/status.json` every 250 ms
 * (the browser's work happens in the browser's process, as here). Goal: at least 0.95 × the rate without a viewer.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Benchmark, MetricSpec } from '../harness/benchmark.js';
import { measurePaired } from '../harness/measure.js';
import { judge, unavailableRows, type Row } from '../harness/row.js';
import { MESSAGE_BYTES, startGoTaskBench, type GoTaskBench } from '../cluster/gotask-bench.js';
import { gotaskDown, gotaskUp } from './e2e-messages.js';

const GOALS: MetricSpec['goals'] = [{ kind: 'min-ratio', value: 0.95 }];
const DOWN: MetricSpec = { metric: 'e2e msgs scheduler→task, status page open', unit: 'msg/s', goals: GOALS };
const UP: MetricSpec = { metric: 'e2e msgs task→scheduler, status page open', unit: 'msg/s', goals: GOALS };
const TASKS = 4;
/** How often the refreshing client fetches /status.json (four times the page's own push rate). */
const POLL_MS = 250;

/**
 * The viewer, in its own process as a browser would be, started once for the whole measurement:
 * on `open` it follows the SSE stream and fetches /status.json every POLL_MS, on `close` it
 * stops both; it answers each command with a line once done.
 */
const VIEWER = `
const url = process.argv[1];
let stop;
const open = async () => {
  const abort = new AbortController();
  stop = () => abort.abort();
  const res = await fetch(url + 'status/stream', { signal: abort.signal });
  (async () => { for await (const chunk of res.body) JSON.stringify(chunk.length); })().catch(() => {});
  const poll = async () => {
    if (abort.signal.aborted) return;
    try { JSON.parse(await (await fetch(url + 'status.json', { signal: abort.signal })).text()); } catch {}
    setTimeout(poll, ${POLL_MS});
  };
  await poll();
};
require('node:readline').createInterface({ input: process.stdin }).on('line', async (line) => {
  if (line === 'open') await open();
  else stop?.();
  process.stdout.write(line + '\\n');
});
`;

/** A viewer process, opened and closed around the subject's rounds. */
class Viewer {
  readonly #child;
  readonly #lines;

  constructor(url: string) {
    this.#child = spawn(process.execPath, ['-e', VIEWER, url], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.#lines = createInterface({ input: this.#child.stdout })[Symbol.asyncIterator]();
  }

  /** Sends `open` or `close`; resolves once the viewer did it. */
  async command(what: 'open' | 'close'): Promise<void> {
    this.#child.stdin.write(`${what}\n`);
    const answer = await this.#lines.next();
    if (answer.done === true || answer.value !== what) throw new Error(`status page viewer did not ${what} (${String(answer.value)})`);
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    this.#child.kill('SIGKILL');
    await exited;
  }
}

/** Runs `round` with the page open and refreshing in `viewer`. */
async function withViewer(viewer: Viewer, round: () => Promise<number>): Promise<number> {
  await viewer.command('open');
  try {
    return await round();
  } finally {
    await viewer.command('close');
  }
}

export const statusPageCost: Benchmark = {
  name: 'status-page-cost',
  metrics: [DOWN, UP],
  async run({ quick, signal }): Promise<Row[]> {
    const count = quick ? 4_000 : 20_000;
    const plan = quick ? { warmup: 1, rounds: 3 } : { warmup: 1, rounds: 7 };
    let bench: GoTaskBench | undefined;
    let viewer: Viewer | undefined;
    try {
      bench = await startGoTaskBench({ tasks: TASKS, agents: 1, agentResources: 'cpus:4;mem:4096;disk:1024;ports:[31000-31099]', signal });
      const running = bench;
      const url = running.statusUrl;
      if (url === undefined) return unavailableRows(this.metrics, 'the scheduler served no status page');
      const v = (viewer = new Viewer(url));
      const note = `${count} × ${MESSAGE_BYTES} B, ${TASKS} tasks, median of ${plan.rounds}; baseline: no viewer`;
      const rows: Row[] = [];
      const down = await measurePaired(() => gotaskDown(running, count), () => withViewer(v, () => gotaskDown(running, count)), plan);
      rows.push(judge({ ...DOWN, value: down.subject.median, baseline: down.baseline.median, baselineName: 'page closed', note }));
      const up = await measurePaired(() => gotaskUp(running, count), () => withViewer(v, () => gotaskUp(running, count)), plan);
      rows.push(judge({ ...UP, value: up.subject.median, baseline: up.baseline.median, baselineName: 'page closed', note }));
      return rows;
    } finally {
      await viewer?.stop();
      await bench?.stop();
    }
  },
};
