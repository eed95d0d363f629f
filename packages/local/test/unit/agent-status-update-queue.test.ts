// StatusUpdateQueue: per-task FIFO with one update in flight, retries until acknowledged (docs/protocol.md, "Acknowledgements", "Status update pipeline").
import { afterEach, describe, expect, it } from '@jest/globals';
import { newStatusUuid, type TaskState, type TaskStatus } from '@mesosgot/common';
import { waitFor } from '@mesosgot/local/testing';
import { StatusUpdateQueue } from '../../src/agent/status-update-queue.js';

const FID = 'fw-1';

function status(taskId: string, state: TaskState): TaskStatus {
  return { task_id: { value: taskId }, state, source: 'SOURCE_EXECUTOR', uuid: newStatusUuid() };
}

let queue: StatusUpdateQueue | undefined;
afterEach(() => queue?.close());

function makeQueue(initialRetryMs = 60_000, onForward?: (q: StatusUpdateQueue, s: TaskStatus) => void) {
  const forwarded: TaskStatus[] = [];
  const q = new StatusUpdateQueue({
    forward: (_fid, s) => {
      forwarded.push(s);
      onForward?.(q, s);
    },
    initialRetryMs,
    maxRetryMs: initialRetryMs * 4,
  });
  queue = q;
  return { q, forwarded };
}

describe('StatusUpdateQueue', () => {
  it('forwards only the head of each task and the next one after its acknowledgement', () => {
    const { q, forwarded } = makeQueue();
    const [a1, a2, b1] = [status('a', 'TASK_RUNNING'), status('a', 'TASK_FINISHED'), status('b', 'TASK_RUNNING')];
    expect([q.enqueue(FID, a1), q.enqueue(FID, a2), q.enqueue(FID, b1)]).toEqual(['queued', 'queued', 'queued']);
    expect(forwarded).toEqual([a1, b1]);
    expect(q.acknowledge(FID, 'a', a2.uuid!)).toBe(false); // not the head: ignored
    expect(q.acknowledge(FID, 'a', a1.uuid!)).toBe(true);
    expect(forwarded).toEqual([a1, b1, a2]);
    expect(q.pending(FID, 'a')).toEqual([a2]);
  });

  it('ignores a duplicate uuid and drops updates after a terminal one', () => {
    const { q, forwarded } = makeQueue();
    const running = status('a', 'TASK_RUNNING');
    const failed = status('a', 'TASK_FAILED');
    q.enqueue(FID, running);
    expect(q.enqueue(FID, { ...running })).toBe('duplicate');
    q.enqueue(FID, failed);
    expect(q.enqueue(FID, status('a', 'TASK_KILLED'))).toBe('after-terminal');
    q.acknowledge(FID, 'a', running.uuid!);
    q.acknowledge(FID, 'a', failed.uuid!);
    // The stream ended with its terminal update; later updates for the task are dropped too.
    expect(q.enqueue(FID, status('a', 'TASK_RUNNING'))).toBe('after-terminal');
    expect(forwarded.map((s) => s.state)).toEqual(['TASK_RUNNING', 'TASK_FAILED']);
  });

  it('re-sends the head on a doubling timer until acknowledged', async () => {
    const times: number[] = [];
    const { q, forwarded } = makeQueue(40, () => times.push(Date.now()));
    const running = status('a', 'TASK_RUNNING');
    q.enqueue(FID, running);
    await waitFor(() => forwarded.length >= 4, { timeoutMs: 2_000 });
    expect(new Set(forwarded.map((s) => s.uuid))).toEqual(new Set([running.uuid]));
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(gaps[0]).toBeGreaterThanOrEqual(35);
    expect(gaps[1]).toBeGreaterThanOrEqual(75); // doubled
    q.acknowledge(FID, 'a', running.uuid!);
    const count = forwarded.length;
    await expect(waitFor(() => forwarded.length > count, { timeoutMs: 250 })).rejects.toThrow(/waitFor/);
  });

  it('survives a master that acknowledges synchronously inside forward', () => {
    const { q, forwarded } = makeQueue(60_000, (self, s) => self.acknowledge(FID, s.task_id.value, s.uuid!));
    q.enqueue(FID, status('a', 'TASK_RUNNING'));
    q.enqueue(FID, status('a', 'TASK_FINISHED'));
    expect(forwarded.map((s) => s.state)).toEqual(['TASK_RUNNING', 'TASK_FINISHED']);
    expect(q.pending(FID, 'a')).toEqual([]);
  });

  it('pause() stops forwarding; resume() re-forwards every head; resend() only for one framework', () => {
    const { q, forwarded } = makeQueue();
    const a = status('a', 'TASK_RUNNING');
    q.enqueue(FID, a);
    q.enqueue('fw-2', status('b', 'TASK_RUNNING'));
    q.pause();
    q.resend(FID);
    expect(forwarded).toHaveLength(2);
    q.resume();
    expect(forwarded).toHaveLength(4);
    q.resend(FID);
    expect(forwarded.at(-1)).toBe(a);
    expect(forwarded).toHaveLength(5);
    q.dropFramework(FID);
    expect(q.pending(FID, 'a')).toEqual([]);
  });
});
