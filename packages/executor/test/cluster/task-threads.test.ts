// Task functions on worker threads (test/fixtures/gotask-thread-executor.ts, bundled with
// bundleScript) under the local cluster: parallel runs, isolation of failures, kill of a task
// that never yields, the inline option, and order, exactly-once and backpressure across the
// bridge between a task's thread and the executor's main thread.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { Resource, TaskInfo, TaskMsg } from '@mesosgot/common';
import { encodeTaskSpec } from '@mesosgot/common/internal';
import { LocalCluster } from '@mesosgot/local';
import { waitFor } from '@mesosgot/local/testing';
import { executorProcess, fixtureExecutorSuite, isAlive } from '../support/fixture-executor-suite.js';
import { HttpScheduler } from '../support/http-scheduler.js';
import { LinkScheduler } from '../support/link-scheduler.js';

const EXECUTOR_ID = 'thread-exec';

const suite = fixtureExecutorSuite('gotask-thread-executor');

function resources(cpus: number, mem = 32): Resource[] {
  return [
    { name: 'cpus', type: 'SCALAR', scalar: { value: cpus } },
    { name: 'mem', type: 'SCALAR', scalar: { value: mem } },
  ];
}

/** A task of the fixture: `cpus` (default 1, a thread of its own), spawn args and `inline`. */
function task(taskId: string, options: { cpus?: number; args?: string[]; inline?: boolean; extra?: Partial<TaskInfo> } = {}): Omit<TaskInfo, 'agent_id'> {
  const spec = { args: options.args ?? [], env: {}, ...(options.inline === undefined ? {} : { inline: options.inline }) };
  return {
    name: taskId,
    task_id: { value: taskId },
    resources: resources(options.cpus ?? 1),
    executor: suite.executorInfo(EXECUTOR_ID, 'thread executor'),
    data: encodeTaskSpec(spec),
    ...options.extra,
  };
}

async function setup(first: Omit<TaskInfo, 'agent_id'>[]) {
  const cluster = suite.track(new LocalCluster({ executorShutdownGracePeriodMs: 3_000, agentResources: 'cpus:8;mem:4096;disk:1024;ports:[31000-31099]' }));
  const scheduler = suite.track(await HttpScheduler.subscribe(await cluster.start(), { name: 'task-threads-test' }));
  const offer = await scheduler.launch(first);
  const agentId = offer.agent_id.value;
  const link = suite.track(new LinkScheduler(scheduler, agentId, EXECUTOR_ID));
  return { cluster, scheduler, link, agentId };
}

/** "where:<threadId>:<isInline>:…" of `taskId`: the thread it runs on (0 = the main thread). */
async function whereOf(link: LinkScheduler, taskId: string): Promise<{ threadId: number; isInline: boolean; detail: string }> {
  const where = await waitFor(() => link.textsFrom(taskId).find((t) => t.startsWith('where:')), { what: `where ${taskId} runs`, timeoutMs: 15_000 });
  const [, threadId, isInline, ...rest] = where.split(':');
  return { threadId: Number(threadId), isInline: isInline === 'true', detail: rest.join(':') };
}

/** Once every task in `ids` said where it runs, sends each its go; resolves with `ids`. */
async function go(link: LinkScheduler, ids: string[]): Promise<string[]> {
  for (const id of ids) await whereOf(link, id);
  for (const id of ids) await link.send(id, 'go');
  return ids;
}

/** [start, end] (executor clock, ms) of each spin task's computation. */
async function spins(link: LinkScheduler, ids: string[]): Promise<[number, number][]> {
  return Promise.all(
    ids.map(async (id) => {
      const spun = await waitFor(() => link.textsFrom(id).find((t) => t.startsWith('spun:')), { what: `${id} done`, timeoutMs: 30_000 });
      const [, start, end] = spun.split(':');
      return [Number(start), Number(end)] as [number, number];
    }),
  );
}

/** Sum of the computations over the wall time they spanned: 1 when serial, n when n ran at once. */
function concurrency(intervals: [number, number][]): number {
  const busy = intervals.reduce((sum, [start, end]) => sum + (end - start), 0);
  const wall = Math.max(...intervals.map(([, end]) => end)) - Math.min(...intervals.map(([start]) => start));
  return busy / wall;
}

/** The largest number of intervals that overlap at one instant. */
function maxOverlap(intervals: [number, number][]): number {
  const edges = intervals.flatMap(([start, end]) => [[start, 1], [end, -1]] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let max = 0;
  for (const [, delta] of edges) max = Math.max(max, (now += delta));
  return max;
}

describe('task threads under LocalCluster', () => {
  it('runs computing tasks in parallel on threads, one after another inline (ratio of busy time to wall time)', async () => {
    const ids = ['spin-0', 'spin-1'];
    const threaded = await setup(ids.map((id) => task(id, { args: ['1500', 'go'] })));
    const onThreads = concurrency(await spins(threaded.link, await go(threaded.link, ids)));
    const inlineIds = ['spin-2', 'spin-3'];
    await threaded.scheduler.launch(inlineIds.map((id) => task(id, { args: ['1500', 'go'], inline: true })));
    const inline = concurrency(await spins(threaded.link, await go(threaded.link, inlineIds)));
    // Two threads compute at once (about 2); inline, one blocks the other (about 1).
    expect(onThreads).toBeGreaterThan(1.4);
    expect(inline).toBeLessThan(1.1);
  }, 60_000);

  it('runs as many computing threads as the tasks\' cpus allow: 4 tasks of 0.5 cpus, 2 at a time, the rest wait in TASK_STARTING', async () => {
    const ids = ['spin-0', 'spin-1', 'spin-2', 'spin-3'];
    // They compute from the moment they get a thread: a task waiting for a start message would be
    // idle, and an idle thread rightly lends its slot (on a loaded machine the message can take
    // longer than the lending check).
    const { scheduler, link } = await setup(ids.map((id) => task(id, { cpus: 0.5, args: ['700'] })));
    const intervals = await spins(link, ids);
    expect(maxOverlap(intervals)).toBe(2);
    for (const id of ids) await scheduler.waitForState(id, 'TASK_FINISHED');
    const waited = ids.filter((id) => scheduler.statesOf(id)[0] === 'TASK_STARTING');
    expect(waited.length).toBe(2);
    for (const id of waited) {
      expect(scheduler.statesOf(id)).toEqual(['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
      expect(scheduler.updates.find((u) => u.task_id.value === id && u.state === 'TASK_STARTING')!.message).toMatch(/^waits for a thread: all 2 /);
    }
  }, 60_000);

  it('lends the thread of a task that waits on messages: light tasks of 0.1 cpus all start', async () => {
    const ids = ['echo-0', 'echo-1', 'echo-2'];
    const { scheduler, link } = await setup(ids.map((id) => task(id, { cpus: 0.1 })));
    for (const id of ids) await scheduler.waitForState(id, 'TASK_RUNNING', 15_000);
    const threads = await Promise.all(ids.map(async (id) => (await whereOf(link, id)).threadId));
    expect(new Set(threads).size).toBe(3);
    expect(threads).not.toContain(0);
  }, 60_000);

  it('a computing task does not hold up another task\'s messages', async () => {
    const { scheduler, link } = await setup([task('spin-0', { args: ['4000'] }), task('echo-0')]);
    await whereOf(link, 'spin-0');
    await whereOf(link, 'echo-0');
    for (let i = 0; i < 5; i++) {
      await link.send('echo-0', `ping-${i}`);
      await waitFor(() => link.textsFrom('echo-0').includes(`ping-${i}`), { what: `echo of ping-${i}`, timeoutMs: 10_000 });
    }
    // Every echo came back while spin-0 was still computing.
    expect(link.textsFrom('spin-0').some((t) => t.startsWith('spun:'))).toBe(false);
    expect(scheduler.statesOf('spin-0')).toEqual(['TASK_RUNNING']);
    await scheduler.waitForState('spin-0', 'TASK_FINISHED', 20_000);
  }, 60_000);

  it('a task that throws in a timer, exits its thread or runs out of heap fails alone', async () => {
    const { cluster, scheduler, link } = await setup([task('echo-0'), task('crash-0'), task('exit-0'), task('hog-0')]);
    const { pid } = await executorProcess(cluster, EXECUTOR_ID);
    const crash = await scheduler.waitForState('crash-0', 'TASK_FAILED', 20_000);
    expect(crash.message).toBe('task crash-0: its thread failed: crash in a timer');
    const exit = await scheduler.waitForState('exit-0', 'TASK_FAILED', 20_000);
    expect(exit.message).toBe('task exit-0: its thread exited (code 3) before the task function returned');
    const hog = await scheduler.waitForState('hog-0', 'TASK_FAILED', 30_000);
    expect(hog.message).toBe('task hog-0: its thread ran out of memory (heap limit 32 MB)');
    // The executor and the neighbour go on.
    expect(isAlive(pid)).toBe(true);
    await link.send('echo-0', 'still here');
    await waitFor(() => link.textsFrom('echo-0').includes('still here'), { what: 'the neighbour\'s echo' });
    expect(scheduler.statesOf('echo-0')).toEqual(['TASK_RUNNING']);
  }, 60_000);

  it('kill of a task that never yields terminates its thread after the grace and reports TASK_KILLED', async () => {
    const grace = { kill_policy: { grace_period: { nanoseconds: 300_000_000 } } };
    const { scheduler, link, agentId } = await setup([task('spin-0', { args: ['forever'], extra: grace }), task('echo-0')]);
    await whereOf(link, 'spin-0');
    await scheduler.kill('spin-0', agentId);
    const killed = await scheduler.waitForState('spin-0', 'TASK_KILLED');
    expect(killed.message).toBe('killed by request; the task function did not return within 300 ms and its thread was terminated');
    await link.send('echo-0', 'after the kill');
    await waitFor(() => link.textsFrom('echo-0').includes('after the kill'), { what: 'the neighbour\'s echo' });
    expect(scheduler.statesOf('echo-0')).toEqual(['TASK_RUNNING']);
  }, 60_000);

  it('runs a kind registered inline on the main thread, and a spawn\'s inline overrides the kind either way', async () => {
    const { link } = await setup([task('echo-0'), task('echoinl-0'), task('echo-1', { inline: true }), task('echoinl-1', { inline: false })]);
    const [thread, inline, spawnInline, spawnThread] = await Promise.all(['echo-0', 'echoinl-0', 'echo-1', 'echoinl-1'].map((id) => whereOf(link, id)));
    expect(thread).toMatchObject({ isInline: false });
    expect(thread!.threadId).toBeGreaterThan(0);
    expect(inline).toMatchObject({ threadId: 0, isInline: true });
    expect(spawnInline).toMatchObject({ threadId: 0, isInline: true });
    expect(spawnThread).toMatchObject({ isInline: false });
    expect(spawnThread!.threadId).toBeGreaterThan(0);
    expect(JSON.parse(thread!.detail)).toMatchObject({ context: { taskId: 'echo-0', kind: 'echo', executorId: EXECUTOR_ID, resources: { cpus: 1, mem: 32, ports: [] } }, ports: {} });
  }, 60_000);

  it('keeps order and exactly-once both ways across the thread, bytes included', async () => {
    const { link } = await setup([task('echo-0')]);
    await whereOf(link, 'echo-0');
    const n = 3_000;
    const sends: Promise<void>[] = [];
    for (let i = 0; i < n; i++) {
      const data = i % 3 === 0 ? new Uint8Array([i & 0xff, (i >> 8) & 0xff, 7]) : `m${i}`;
      sends.push(link.link.send({ taskName: 'echo-0', data }));
    }
    await Promise.all(sends);
    await waitFor(() => link.received.filter((m) => m.taskName === 'echo-0').length === n + 1, { what: `${n} echoes`, timeoutMs: 30_000 });
    const echoes = link.received.filter((m) => m.taskName === 'echo-0').slice(1);
    const expected: TaskMsg['data'][] = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? new Uint8Array([i & 0xff, (i >> 8) & 0xff, 7]) : `m${i}`));
    expect(echoes.map((m) => (typeof m.data === 'string' ? m.data : [...m.data]))).toEqual(expected.map((d) => (typeof d === 'string' ? d : [...d])));
  }, 60_000);

  it('backpressure crosses the thread: a task that stops reading stops the scheduler\'s sends, then gets every message in order', async () => {
    const marks = await mkdtemp(join(tmpdir(), 'task-threads-stall-'));
    try {
      const { link } = await setup([task('stall-0', { args: [marks] })]);
      await waitFor(() => link.textsFrom('stall-0').includes('ready'), { what: 'ready', timeoutMs: 15_000 });
      const huge = 20_000;
      let sent = 0;
      let lastProgress = Date.now();
      const sending = (async () => {
        for (let i = 0; i < huge; i++) {
          await link.send('stall-0', String(i));
          sent = i + 1;
          lastProgress = Date.now();
        }
      })();
      // The sender must get stuck well before `huge`: no send resolved for a while.
      await waitFor(() => sent === huge || Date.now() - lastProgress >= 1_500, { timeoutMs: 30_000, intervalMs: 20, what: 'the sender to block' });
      const blockedAt = sent;
      // Bounded by a few windows of 256: the link's stream credit, the channels on both threads and the credit between them.
      expect(blockedAt).toBeLessThan(10 * 256);
      expect(blockedAt).toBeGreaterThan(0);
      await writeFile(join(marks, 'resume'), '');
      await sending;
      await link.send('stall-0', 'end');
      await waitFor(() => link.textsFrom('stall-0').some((t) => t.startsWith('got:')), { what: 'the count', timeoutMs: 60_000 });
      expect(link.textsFrom('stall-0').find((t) => t.startsWith('got:'))).toBe(`got:${huge}:ok`);
    } finally {
      await rm(marks, { recursive: true, force: true });
    }
  }, 120_000);
});
