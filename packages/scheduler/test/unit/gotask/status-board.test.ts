import { describe, expect, it } from '@jest/globals';
import { StatusBoard } from '../../../src/gotask/status-board.js';
import { TaskTable } from '../../../src/gotask/task-table.js';
import type { TaskTraffic } from '../../../src/gotask/message-pump.js';

function board(traffic: Map<string, TaskTraffic>, stderrTail?: (id: string) => string | undefined): { board: StatusBoard; table: TaskTable } {
  const table = new TaskTable();
  table.addAll([{ name: 'echo', count: 2, resources: { cpus: 0.1, mem: 32 } }]);
  return { table, board: new StatusBoard({ frameworkName: 'app', table, traffic: () => traffic, links: () => [], ...(stderrTail ? { stderrTail } : {}) }) };
}

describe('StatusBoard', () => {
  it('computes per-task and total rates from two samples of the counters', () => {
    const traffic = new Map<string, TaskTraffic>([['echo-0', { msgsIn: 0, bytesIn: 0, msgsOut: 0, bytesOut: 0 }]]);
    const { board: b } = board(traffic);
    b.sample(1_000);
    traffic.set('echo-0', { msgsIn: 50, bytesIn: 5_000, msgsOut: 10, bytesOut: 100 });
    b.sample(1_500);
    const doc = b.snapshot();
    expect(doc.tasks.find((t) => t.id === 'echo-0')).toMatchObject({ msgsInRate: 100, bytesInRate: 10_000, msgsOutRate: 20, bytesOutRate: 200, msgsIn: 50 });
    expect(doc.totals).toMatchObject({ msgsInRate: 100, msgsOutRate: 20 });
    expect(doc.tasks.find((t) => t.id === 'echo-1')).toMatchObject({ msgsInRate: 0, phase: 'pending' });
  });

  it('says why allocation is pending, and keeps a failed task its failure text with the stderr tail', () => {
    const { board: b } = board(new Map(), (id) => (id === 'echo-1' ? 'Error: boom\n    at main' : undefined));
    b.record({ type: 'AllocationPending', shortfall: { unplaced: [{ name: 'echo', count: 2 }], missing: { cpus: 0.2, mem: 0 }, offersHeld: 1 } });
    expect(b.snapshot().allocation).toEqual({ state: 'pending', reason: 'waiting for resources: 2 × echo unplaced; missing cpus 0.2; 1 offer(s) held' });
    b.record({ type: 'TaskFailed', taskId: 'echo-1', agentId: 'a', state: 'TASK_FAILED', message: 'task threw', willRestart: false });
    const doc = b.snapshot();
    expect(doc.tasks.find((t) => t.id === 'echo-1')!.failure).toBe('TASK_FAILED: task threw\nError: boom\n    at main');
    expect(doc.events.map((e) => e.type)).toEqual(['AllocationPending', 'TaskFailed']);
  });
});
