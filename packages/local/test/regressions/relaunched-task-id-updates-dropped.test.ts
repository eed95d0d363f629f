// Regression (found by the scheduler's faults-executor-kill chaos test): the agent's status
// update queue remembered every task id whose terminal update was acknowledged and dropped all
// later updates for that id, so a task relaunched under the same id (what a scheduler with a
// restart policy does after TASK_FAILED) ran but its TASK_RUNNING/TASK_FINISHED never reached
// the master. Mesos destroys a task's update stream at the terminal acknowledgement; a new
// launch of the id starts a new stream.
import { afterEach, describe, expect, it } from '@jest/globals';
import { waitFor } from '@mesosgot/local/testing';
import { executorTask, framework, startAgent, type Harness } from '../support/agent-harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.cleanup();
  harness = undefined;
});

describe('LocalAgent status updates of a relaunched task id', () => {
  it('forwards the updates of a second launch of the same task id after the first one finished', async () => {
    harness = await startAgent();
    const { agent, master } = harness;
    master.autoAcknowledge = true;
    const states = (): string[] => master.updatesOf('task-1').map((s) => s.state);
    agent.launchTasks(framework(), [executorTask('task-1', { executorId: 'exec-1', behaviour: { updates: ['TASK_RUNNING', 'TASK_FINISHED'] } })]);
    await waitFor(() => states().length === 2 && agent.pendingUpdates(framework().id.value, 'task-1').length === 0, { what: 'first launch acknowledged' });
    agent.launchTasks(framework(), [executorTask('task-1', { executorId: 'exec-2', behaviour: { updates: ['TASK_RUNNING', 'TASK_FINISHED'] } })]);
    await waitFor(() => states().length === 4, { timeoutMs: 10_000, what: 'second launch reported' });
    expect(states()).toEqual(['TASK_RUNNING', 'TASK_FINISHED', 'TASK_RUNNING', 'TASK_FINISHED']);
  }, 20_000);
});
