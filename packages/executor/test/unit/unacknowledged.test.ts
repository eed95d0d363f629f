import { describe, it, expect } from '@jest/globals';
import { newStatusUuid, type TaskInfo, type TaskStatus } from '@mesosgot/common';
import { Unacknowledged } from '../../src/driver/unacknowledged.js';

function task(id: string): TaskInfo {
  return { name: id, task_id: { value: id }, agent_id: { value: 'S0' } };
}
function status(id: string): TaskStatus & { uuid: string } {
  return { task_id: { value: id }, state: 'TASK_RUNNING', uuid: newStatusUuid() };
}

describe('driver/unacknowledged', () => {
  it('keeps an update until ACKNOWLEDGED with the same task id and uuid', () => {
    const book = new Unacknowledged();
    const a = status('a');
    const b = status('b');
    book.addUpdate(a);
    book.addUpdate(b);
    expect(book.acknowledge('b', a.uuid)).toBe(false);
    expect(book.acknowledge('a', newStatusUuid())).toBe(false);
    expect(book.updates()).toEqual([a, b]);
    expect(book.acknowledge('a', a.uuid)).toBe(true);
    expect(book.updates()).toEqual([b]);
    expect(book.hasPendingUpdates).toBe(true);
    expect(book.acknowledge('b', b.uuid)).toBe(true);
    expect(book.hasPendingUpdates).toBe(false);
    expect(book.acknowledge('b', b.uuid)).toBe(false);
  });

  it('keeps a launched task until one of its updates is acknowledged', () => {
    const book = new Unacknowledged();
    book.addTask(task('a'));
    book.addTask(task('b'));
    const a = status('a');
    book.addUpdate(a);
    expect(book.tasks().map((t) => t.task_id.value)).toEqual(['a', 'b']);
    book.acknowledge('a', a.uuid);
    expect(book.tasks().map((t) => t.task_id.value)).toEqual(['b']);
  });

  it('forgets a discarded update', () => {
    const book = new Unacknowledged();
    const a = status('a');
    book.addUpdate(a);
    book.discardUpdate(a.uuid);
    expect(book.hasUpdate(a.uuid)).toBe(false);
    expect(book.updates()).toEqual([]);
  });
});
