// LocalAgent with a real custom executor process (test/fixtures/executors/test-executor.mjs)
// and a fake master: environment, sandbox, the update/ACKNOWLEDGED pipeline, messages, kill.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { waitFor } from '@mesosgot/local/testing';
import {
  AGENT_ID,
  FRAMEWORK_ID,
  executorTask,
  framework,
  isAlive,
  startAgent,
  type Harness,
} from '../support/agent-harness.js';

const RECORDING = join(import.meta.dirname, '..', 'fixtures', 'real-mesos', 'session-executor.jsonl');

interface ExecutorReport {
  env: Record<string, string>;
  cwd: string;
  pid: number;
}

function readJsonl(path: string): Record<string, unknown>[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function eventsOf(sandbox: string): { type: string; [key: string]: unknown }[] {
  return readJsonl(join(sandbox, 'events.jsonl'))
    .filter((entry) => entry['kind'] === 'event')
    .map((entry) => entry['event'] as { type: string });
}

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.cleanup();
  harness = undefined;
});

async function launchOne(behaviour: Record<string, unknown> = {}, checkpoint = false, agentOptions: Parameters<typeof startAgent>[0] = {}) {
  harness = await startAgent(agentOptions);
  harness.agent.launchTasks(framework({ checkpoint }), [executorTask('task-1', { behaviour })]);
  const snapshot = await waitFor(() => harness!.agent.executors().find((e) => e.pid !== undefined), { what: 'executor pid' });
  harness.pids.add(snapshot.pid!);
  const report = await waitFor(() => {
    const path = join(snapshot.sandbox, 'executor.json');
    return existsSync(path) && readFileSync(path, 'utf8') ? (JSON.parse(readFileSync(path, 'utf8')) as ExecutorReport) : undefined;
  }, { what: 'executor.json' });
  return { snapshot, report };
}

describe('LocalAgent executor launch', () => {
  it('gives the executor exactly the MESOS_* variables a real agent sets, with matching values', async () => {
    const { snapshot, report } = await launchOne();
    const recorded = readJsonl(RECORDING).find((entry) => entry['kind'] === 'env')!['env'] as Record<string, string>;
    const mesosNames = (env: Record<string, string>) => Object.keys(env).filter((name) => name.startsWith('MESOS_')).sort();
    expect(mesosNames(report.env)).toEqual(mesosNames(recorded));
    expect(report.env['PATH']).toBe(process.env['PATH']);
    const port = harness!.agent.info.port;
    expect(report.env).toMatchObject({
      MESOS_FRAMEWORK_ID: FRAMEWORK_ID,
      MESOS_EXECUTOR_ID: 'exec-1',
      MESOS_SLAVE_ID: AGENT_ID,
      MESOS_AGENT_ENDPOINT: `127.0.0.1:${port}`,
      MESOS_SLAVE_PID: `slave(1)@127.0.0.1:${port}`,
      MESOS_CHECKPOINT: '0',
      MESOS_HTTP_COMMAND_EXECUTOR: '0',
      MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD: '1secs',
      MESOS_DIRECTORY: snapshot.sandbox,
      MESOS_SANDBOX: snapshot.sandbox,
    });
    expect(report.env['MESOS_RECOVERY_TIMEOUT']).toBeUndefined();
    expect(harness!.agent.endpoint).toBe(`127.0.0.1:${port}`);
  });

  it('adds MESOS_RECOVERY_TIMEOUT and MESOS_SUBSCRIPTION_BACKOFF_MAX only for a checkpointing framework', async () => {
    const { report } = await launchOne({}, true);
    expect(report.env).toMatchObject({ MESOS_CHECKPOINT: '1', MESOS_RECOVERY_TIMEOUT: '15mins', MESOS_SUBSCRIPTION_BACKOFF_MAX: '2secs' });
  });

  it('runs the executor in <workDir>/slaves/<AID>/frameworks/<FID>/executors/<EID>/runs/<containerId> with stdout/stderr files', async () => {
    const { snapshot, report } = await launchOne();
    const expected = join(harness!.workDir, 'slaves', AGENT_ID, 'frameworks', FRAMEWORK_ID, 'executors', 'exec-1', 'runs', snapshot.containerId);
    expect(snapshot.sandbox).toBe(expected);
    expect(report.cwd).toBe(expected);
    expect(existsSync(join(expected, 'stdout'))).toBe(true);
    expect(existsSync(join(expected, 'stderr'))).toBe(true);
    expect(existsSync(join(expected, 'test-executor.mjs'))).toBe(true);
    expect(snapshot.containerId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sends SUBSCRIBED {executor_info, framework_info, agent_info, container_id} then the queued LAUNCH', async () => {
    const { snapshot } = await launchOne();
    const events = await waitFor(() => {
      const seen = eventsOf(snapshot.sandbox);
      return seen.length >= 2 ? seen : undefined;
    });
    expect(events[0]).toMatchObject({
      type: 'SUBSCRIBED',
      subscribed: {
        executor_info: { executor_id: { value: 'exec-1' }, framework_id: { value: FRAMEWORK_ID } },
        framework_info: { id: { value: FRAMEWORK_ID } },
        agent_info: { id: { value: AGENT_ID }, hostname: '127.0.0.1', port: harness!.agent.info.port },
        container_id: { value: snapshot.containerId },
      },
    });
    expect(events[1]).toMatchObject({ type: 'LAUNCH', launch: { task: { task_id: { value: 'task-1' } } } });
    const subscribe = readJsonl(join(snapshot.sandbox, 'events.jsonl')).find((entry) => entry['kind'] === 'subscribe');
    expect(subscribe).toEqual({ kind: 'subscribe', status: 200, contentType: 'application/json' });
  });
});

describe('LocalAgent status updates', () => {
  it('ACKNOWLEDGEs at once, forwards one update per task at a time and holds the next until the master acknowledges', async () => {
    const { snapshot } = await launchOne({ updates: ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED'] });
    const master = harness!.master;
    // The executor gets ACKNOWLEDGED for all three without any scheduler acknowledgement (docs/protocol.md, "Executor rules", rule 5).
    await waitFor(() => eventsOf(snapshot.sandbox).filter((e) => e.type === 'ACKNOWLEDGED').length === 3, { what: '3 ACKNOWLEDGED' });
    expect(master.statesOf('task-1')).toEqual(['TASK_STARTING']);
    expect(harness!.agent.pendingUpdates(FRAMEWORK_ID, 'task-1').map((s) => s.state)).toEqual([
      'TASK_STARTING',
      'TASK_RUNNING',
      'TASK_FINISHED',
    ]);
    master.acknowledge(FRAMEWORK_ID, master.find('task-1', 'TASK_STARTING')!);
    await waitFor(() => master.statesOf('task-1').length === 2);
    // An acknowledgement for a uuid that is not the head changes nothing.
    master.acknowledge(FRAMEWORK_ID, master.find('task-1', 'TASK_STARTING')!);
    master.acknowledge(FRAMEWORK_ID, master.find('task-1', 'TASK_RUNNING')!);
    await waitFor(() => master.statesOf('task-1').length === 3);
    expect(master.statesOf('task-1')).toEqual(['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
    const running = master.find('task-1', 'TASK_RUNNING')!;
    expect(running).toMatchObject({
      source: 'SOURCE_EXECUTOR',
      agent_id: { value: AGENT_ID },
      container_status: {
        container_id: { value: snapshot.containerId },
        network_infos: [{ ip_addresses: [{ protocol: 'IPv4', ip_address: '127.0.0.1' }] }],
        executor_pid: snapshot.pid,
      },
    });
    expect(typeof running.timestamp).toBe('number');
    expect(Object.keys(running)).toEqual(['task_id', 'state', 'source', 'agent_id', 'executor_id', 'timestamp', 'uuid', 'container_status']);
  });

  it('re-sends the unacknowledged head on its retry timer', async () => {
    harness = await startAgent({ statusUpdateRetryMs: 50 });
    harness.agent.launchTasks(framework(), [executorTask('task-1')]);
    await waitFor(() => harness!.master.updates.filter((u) => u.status.state === 'TASK_RUNNING').length >= 3, {
      what: 'three sends of TASK_RUNNING',
    });
    const sends = harness.master.updates.filter((u) => u.status.state === 'TASK_RUNNING');
    expect(new Set(sends.map((u) => u.status.uuid)).size).toBe(1);
    harness.master.acknowledge(FRAMEWORK_ID, sends[0]!.status);
    const count = harness.master.updates.length;
    // After the acknowledgement nothing is retried: wait two retry periods' worth of polling.
    await expect(waitFor(() => harness!.master.updates.length > count, { timeoutMs: 300 })).rejects.toThrow(/waitFor/);
  });
});

describe('LocalAgent messages and kill', () => {
  it('relays scheduler → executor MESSAGE and executor → master MESSAGE', async () => {
    const { snapshot } = await launchOne();
    await waitFor(() => eventsOf(snapshot.sandbox).some((e) => e.type === 'LAUNCH'));
    harness!.agent.frameworkMessage({ value: FRAMEWORK_ID }, { value: 'exec-1' }, Buffer.from('ping').toString('base64'));
    const message = await waitFor(() => harness!.master.messages[0]);
    expect(message).toEqual({ frameworkId: FRAMEWORK_ID, executorId: 'exec-1', data: Buffer.from('echo:ping').toString('base64') });
  });

  it('sends KILL to a launched task; the executor answers TASK_KILLED', async () => {
    harness = await startAgent();
    harness.master.autoAcknowledge = true;
    harness.agent.launchTasks(framework(), [executorTask('task-1')]);
    await waitFor(() => harness!.master.find('task-1', 'TASK_RUNNING'));
    harness.agent.killTask({ value: FRAMEWORK_ID }, { value: 'task-1' });
    const killed = await waitFor(() => harness!.master.find('task-1', 'TASK_KILLED'));
    expect(killed).toMatchObject({ source: 'SOURCE_EXECUTOR', message: 'killed by request' });
  });

  it('stop() shuts the executor down and leaves no process', async () => {
    // A grace a loaded machine cannot outrun: the executor exits of its own accord, never killed.
    const { snapshot } = await launchOne({}, false, { executorShutdownGracePeriodMs: 15_000 });
    await harness!.agent.stop();
    expect(isAlive(snapshot.pid!)).toBe(false);
    expect(harness!.master.lost).toEqual([AGENT_ID]);
    expect(harness!.master.exits).toEqual([{ frameworkId: FRAMEWORK_ID, executorId: 'exec-1', waitStatus: 0 }]);
  });
});
