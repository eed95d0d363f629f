import { describe, expect, it } from '@jest/globals';
import { InvalidArgumentError, TaskError, type TaskInfo } from '@mesosgot/common';
import { TaskRegistry } from '../../../src/gotask/task-registry.js';
import { taskKind, type TaskFunc } from '../../../src/gotask/task-func.js';

const noop: TaskFunc = async () => undefined;

function launch(taskId: string) {
  return { taskId, kind: taskKind(taskId), args: [taskId], env: {}, task: { name: taskId, task_id: { value: taskId } } as unknown as TaskInfo };
}

describe('taskKind', () => {
  const cases: [number, string, string][] = [
    [1, 'floor-3', 'floor'],
    [2, 'floor-10', 'floor'],
    [3, 'my-task-0', 'my-task'],
    [4, 'elevator', 'elevator'],
    [5, '-1', '-1'],
    [6, 'a--2', 'a-'],
    [7, 'floor-', 'floor'],
  ];
  it.each(cases)('case %i: %s → %s (the part before the last "-")', (_n, id, kind) => {
    expect(taskKind(id)).toBe(kind);
  });
});

describe('TaskRegistry', () => {
  it('dispatches a task to the function of its kind', () => {
    const registry = new TaskRegistry();
    const floor: TaskFunc = async () => undefined;
    const elevator: TaskFunc = async () => undefined;
    registry.register('floor', floor);
    registry.register('elevator', elevator);
    expect(registry.taskFunc(launch('floor-7'))).toBe(floor);
    expect(registry.taskFunc(launch('elevator-0'))).toBe(elevator);
    expect(registry.kinds()).toEqual(['floor', 'elevator']);
  });

  it('refuses an unknown kind with a TaskError naming the kind and the registered ones', () => {
    const registry = new TaskRegistry();
    registry.register('floor', noop);
    registry.register('elevator', noop);
    const error = (() => {
      try {
        registry.taskFunc(launch('lift-2'));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(TaskError);
    expect((error as TaskError).taskId).toBe('lift-2');
    expect((error as TaskError).message).toBe('task lift-2: no task function registered for kind "lift" (registered: "floor", "elevator")');
  });

  it('says "none" when nothing is registered', () => {
    expect(() => new TaskRegistry().taskFunc(launch('x-0'))).toThrow('(registered: none)');
  });

  it('rejects empty kinds, non-functions and duplicates with InvalidArgumentError', () => {
    const registry = new TaskRegistry();
    registry.register('floor', noop);
    expect(() => registry.register('', noop)).toThrow(InvalidArgumentError);
    expect(() => registry.register('x', 42 as unknown as TaskFunc)).toThrow(InvalidArgumentError);
    expect(() => registry.register('floor', noop)).toThrow(/already has a task function/);
  });
});
