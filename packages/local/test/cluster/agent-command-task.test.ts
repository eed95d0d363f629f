// Command tasks (TaskInfo.command, no executor) run as Mesos' command executor runs them; the
// update shapes are compared with the recorded cmd-0 task in session-scheduler.jsonl.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import type { TaskStatus } from '@mesosgot/common';
import { waitFor } from '@mesosgot/local/testing';
import { AGENT_ID, FRAMEWORK_ID, commandTask, framework, isAlive, startAgent, type Harness } from '../support/agent-harness.js';

const RECORDING = join(import.meta.dirname, '..', 'fixtures', 'real-mesos', 'session-scheduler.jsonl');
const recordedCmd = readFileSync(RECORDING, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line) as { kind: string; event?: { type: string; update?: { status: TaskStatus } } })
  .filter((entry) => entry.kind === 'event' && entry.event?.type === 'UPDATE' && entry.event.update!.status.task_id.value === 'cmd-0')
  .map((entry) => entry.event!.update!.status);

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.cleanup();
  harness = undefined;
});

describe('LocalAgent command tasks', () => {
  it('recorded: exit 3 gives STARTING, RUNNING, FAILED "Command exited with status 3" with the same fields', async () => {
    harness = await startAgent();
    harness.master.autoAcknowledge = true;
    harness.agent.launchTasks(framework(), [commandTask('cmd-0', 'echo hi from command task; exit 3')]);
    await waitFor(() => harness!.master.find('cmd-0', 'TASK_FAILED'), { what: 'TASK_FAILED' });
    const ours = harness.master.updatesOf('cmd-0');
    expect(ours.map((s) => s.state)).toEqual(recordedCmd.map((s) => s.state));
    ours.forEach((status, i) => {
      expect(Object.keys(status)).toEqual(Object.keys(recordedCmd[i]!));
      expect(status.source).toBe('SOURCE_EXECUTOR');
      expect(status.executor_id).toEqual({ value: 'cmd-0' });
      expect(status.agent_id).toEqual({ value: AGENT_ID });
    });
    expect(ours[2]!.message).toBe('Command exited with status 3');
    const sandbox = harness.agent.executors().find((e) => e.executorId === 'cmd-0')?.sandbox;
    // The task is done: it is no longer listed, and its output went to the sandbox's stdout.
    expect(sandbox).toBeUndefined();
    const dir = join(harness.workDir, 'slaves', AGENT_ID, 'frameworks', FRAMEWORK_ID, 'executors', 'cmd-0', 'runs');
    const [run] = readdirSync(dir);
    expect(readFileSync(join(dir, run!, 'stdout'), 'utf8')).toBe('hi from command task\n');
    expect(ours[0]!.container_status?.container_id?.value).toBe(run);
  });

  it('exit 0 gives TASK_FINISHED', async () => {
    harness = await startAgent();
    harness.master.autoAcknowledge = true;
    harness.agent.launchTasks(framework(), [commandTask('ok-0', 'exit 0')]);
    const finished = await waitFor(() => harness!.master.find('ok-0', 'TASK_FINISHED'));
    expect(finished.message).toBe('Command exited with status 0');
    expect(harness.master.statesOf('ok-0')).toEqual(['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
    expect(harness.master.exits).toEqual([]); // command executors are not reported to the master (docs/protocol.md, "Executor termination")
  });

  it('the command sees the task environment and runs in its sandbox', async () => {
    harness = await startAgent();
    harness.master.autoAcknowledge = true;
    harness.agent.launchTasks(framework(), [
      commandTask('env-0', '', {
        command: {
          value: 'test "$GREETING" = hello && test "$(pwd)" = "$MESOS_SANDBOX" && test "$MESOS_EXECUTOR_ID" = env-0',
          environment: { variables: [{ name: 'GREETING', value: 'hello' }] },
        },
      }),
    ]);
    await waitFor(() => harness!.master.statesOf('env-0').length === 3);
    expect(harness.master.statesOf('env-0')[2]).toBe('TASK_FINISHED');
  });

  it('shell=false execs value with arguments as argv', async () => {
    harness = await startAgent();
    harness.master.autoAcknowledge = true;
    harness.agent.launchTasks(framework(), [
      commandTask('argv-0', '', { command: { shell: false, value: '/bin/sh', arguments: ['sh', '-c', 'exit 7'] } }),
    ]);
    const failed = await waitFor(() => harness!.master.find('argv-0', 'TASK_FAILED'));
    expect(failed.message).toBe('Command exited with status 7');
  });

  it('killTask: SIGTERM to the process group, TASK_KILLED', async () => {
    harness = await startAgent();
    harness.master.autoAcknowledge = true;
    harness.agent.launchTasks(framework(), [commandTask('sleepy-0', 'sleep 30 & wait')]);
    await waitFor(() => harness!.master.find('sleepy-0', 'TASK_RUNNING'));
    const pid = harness.agent.executors()[0]!.pid!;
    harness.pids.add(pid);
    harness.agent.killTask({ value: FRAMEWORK_ID }, { value: 'sleepy-0' });
    const killed = await waitFor(() => harness!.master.find('sleepy-0', 'TASK_KILLED'));
    expect(killed.message).toBe('Command terminated with signal Terminated');
    expect(isAlive(pid)).toBe(false);
  });
});

describe('LocalAgent task groups', () => {
  it("reports a task group's tasks with their DEFAULT executor when it (re-)registers", async () => {
    harness = await startAgent();
    harness.master.autoAcknowledge = true;
    const executor = { type: 'DEFAULT' as const, executor_id: { value: 'group-1' }, resources: [{ name: 'cpus', type: 'SCALAR' as const, scalar: { value: 0.1 } }] };
    harness.agent.launchTaskGroup(framework(), executor, [commandTask('g-0', 'sleep 30'), commandTask('g-1', 'sleep 30')]);
    await waitFor(() => harness!.master.find('g-0', 'TASK_RUNNING') && harness!.master.find('g-1', 'TASK_RUNNING'), { what: 'both tasks RUNNING' });
    expect(harness.master.find('g-1', 'TASK_RUNNING')?.executor_id).toEqual({ value: 'group-1' });
    const snapshot = harness.agent.snapshot();
    expect(snapshot.executors).toEqual([{ frameworkId: { value: FRAMEWORK_ID }, executor: { ...executor, framework_id: { value: FRAMEWORK_ID } } }]);
    expect(snapshot.tasks.map(({ task }) => [task.task_id.value, task.executor?.executor_id.value])).toEqual([
      ['g-0', 'group-1'],
      ['g-1', 'group-1'],
    ]);
  });
});
