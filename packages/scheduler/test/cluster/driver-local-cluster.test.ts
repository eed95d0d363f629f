/**
 * MesosSchedulerDriver against the embedded LocalCluster (real agents, a real custom executor
 * process: packages/local/test/fixtures/executors/test-executor.mjs, which echoes messages and
 * follows a per-task behaviour given in TaskInfo.data).
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { MesosHttpError, type FrameworkInfo, type Offer, type TaskInfo, type TaskStatus } from '@mesosgot/common';
import { LocalCluster, type LocalClusterOptions } from '@mesosgot/local';
import { CuttingProxy, FakeMaster, waitFor } from '@mesosgot/local/testing';
import { MesosSchedulerDriver, type SchedulerDriverOptions } from '@mesosgot/scheduler';
import { recordingScheduler, type Hooks } from '../unit/recording-scheduler.js';

const TEST_EXECUTOR = fileURLToPath(new URL('../../../local/test/fixtures/executors/test-executor.mjs', import.meta.url));
const FRAMEWORK: FrameworkInfo = { user: 'tester', name: 'driver-cluster', failover_timeout: 30, roles: ['*'], capabilities: [{ type: 'MULTI_ROLE' }] };
const LONG = { timeoutMs: 15_000 };

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function cluster(options: LocalClusterOptions = {}): Promise<LocalCluster> {
  const c = new LocalCluster({ allocationIntervalMs: 20, executorShutdownGracePeriodMs: 1_000, ...options });
  await c.start();
  cleanup.push(() => c.stop());
  return c;
}

function driverFor(master: string, options: SchedulerDriverOptions = {}, hooks: Hooks = {}, info = FRAMEWORK) {
  const rec = recordingScheduler(hooks);
  const driver = new MesosSchedulerDriver(rec.scheduler, info, master, { backoff: { initialMs: 20, maxMs: 100 }, ...options });
  cleanup.push(() => driver.abort());
  const offers = () => rec.seen.filter((s) => s.name === 'resourceOffers').flatMap((s) => s.args[0] as Offer[]);
  const updates = () => rec.seen.filter((s) => s.name === 'statusUpdate').map((s) => s.args[0] as TaskStatus);
  const update = (taskId: string, state: string) => waitFor(() => updates().find((u) => u.task_id.value === taskId && u.state === state), { ...LONG, what: `${taskId} ${state}` });
  return { driver, ...rec, offers, updates, update };
}

function executorTask(taskId: string, offer: Offer, behaviour: Record<string, unknown> = {}): TaskInfo {
  const small = [
    { name: 'cpus', type: 'SCALAR' as const, scalar: { value: 0.1 } },
    { name: 'mem', type: 'SCALAR' as const, scalar: { value: 32 } },
  ];
  return {
    name: taskId,
    task_id: { value: taskId },
    agent_id: offer.agent_id,
    resources: small,
    executor: {
      executor_id: { value: `exec-${taskId}` },
      command: { value: 'node test-executor.mjs', shell: true, uris: [{ value: `file://${TEST_EXECUTOR}`, extract: false }] },
      resources: small,
    },
    data: Buffer.from(JSON.stringify(behaviour)).toString('base64'),
  };
}

describe('MesosSchedulerDriver on a LocalCluster', () => {
  it('runs a session: registered, offers, launch, RUNNING (implicit ACK), messages both ways, kill, TEARDOWN', async () => {
    const c = await cluster();
    const d = driverFor(c.masterUrl);
    await d.driver.start();
    const offer = await waitFor(() => d.offers()[0], LONG);
    expect(d.names()[0]).toBe('registered');
    await d.driver.launchTasks([offer.id], [executorTask('echo-0', offer)], { refuse_seconds: 0.2 });
    const running = await d.update('echo-0', 'TASK_RUNNING');
    expect(running.uuid).toEqual(expect.any(String));
    await d.driver.sendFrameworkMessage({ value: 'exec-echo-0' }, offer.agent_id, 'ping');
    const message = await waitFor(() => d.seen.find((s) => s.name === 'frameworkMessage'), LONG);
    expect(Buffer.from(message.args[2] as Uint8Array).toString()).toBe('echo:ping');
    expect(message.args[0]).toEqual({ value: 'exec-echo-0' });
    await d.driver.killTask({ value: 'echo-0' }, offer.agent_id);
    await d.update('echo-0', 'TASK_KILLED');
    expect(await d.driver.stop()).toBe('DRIVER_STOPPED');
    await waitFor(() => c.agents[0]!.executors().length === 0, LONG);
  });

  it('an executor that exits gives executorLost with the wait status, then TASK_FAILED', async () => {
    const c = await cluster();
    const d = driverFor(c.masterUrl);
    await d.driver.start();
    const offer = await waitFor(() => d.offers()[0], LONG);
    await d.driver.launchTasks([offer.id], [executorTask('crashy-0', offer, { updates: ['TASK_RUNNING'], exitCode: 5 })]);
    const lost = await waitFor(() => d.seen.find((s) => s.name === 'executorLost'), LONG);
    expect(lost.args).toEqual([{ value: 'exec-crashy-0' }, offer.agent_id, 1280]);
    const failed = await d.update('crashy-0', 'TASK_FAILED');
    expect(failed.reason).toBe('REASON_EXECUTOR_TERMINATED');
  });

  it('a lost agent gives TASK_LOST (never ACKed: no uuid) and slaveLost/agentLost', async () => {
    const c = await cluster();
    const d = driverFor(c.masterUrl);
    await d.driver.start();
    const offer = await waitFor(() => d.offers()[0], LONG);
    await d.driver.launchTasks([offer.id], [executorTask('steady-0', offer)]);
    await d.update('steady-0', 'TASK_RUNNING');
    await c.stopAgent(0);
    const lost = await d.update('steady-0', 'TASK_LOST');
    expect(lost.uuid).toBeUndefined();
    await waitFor(() => d.names().includes('agentLost'), LONG);
    const i = d.names().indexOf('slaveLost');
    expect(d.names()[i + 1]).toBe('agentLost');
    expect(d.seen[i]!.args[0]).toEqual(offer.agent_id);
  });

  it('explicit acknowledgements: the next update of a task waits for acknowledgeStatusUpdate (docs/protocol.md, "Acknowledgements")', async () => {
    const c = await cluster();
    const d = driverFor(c.masterUrl, { implicitAcknowledgements: false });
    await d.driver.start();
    const offer = await waitFor(() => d.offers()[0], LONG);
    await d.driver.launchTasks([offer.id], [executorTask('two-0', offer, { updates: ['TASK_RUNNING', 'TASK_FINISHED'] })]);
    const running = await d.update('two-0', 'TASK_RUNNING');
    await d.driver.reviveOffers(); // a round trip: FINISHED would be here by now if it were not held back
    expect(d.updates().map((u) => u.state)).toEqual(['TASK_RUNNING']);
    await d.driver.acknowledgeStatusUpdate(running);
    const finished = await d.update('two-0', 'TASK_FINISHED');
    await d.driver.acknowledgeStatusUpdate(finished);
  });

  it('reconciles: implicit (every task the master knows) and explicit for an unknown task', async () => {
    const c = await cluster();
    const d = driverFor(c.masterUrl);
    await d.driver.start();
    const offer = await waitFor(() => d.offers()[0], LONG);
    await d.driver.launchTasks([offer.id], [executorTask('rec-0', offer)]);
    await d.update('rec-0', 'TASK_RUNNING');
    await d.driver.reconcileTasks([]);
    const implicit = await waitFor(() => d.updates().find((u) => u.reason === 'REASON_RECONCILIATION' && u.task_id.value === 'rec-0'), LONG);
    expect(implicit).toMatchObject({ state: 'TASK_RUNNING', source: 'SOURCE_MASTER' });
    expect(implicit.uuid).toBeUndefined();
    await d.driver.reconcileTasks([{ task_id: { value: 'ghost-1' }, agent_id: offer.agent_id }]);
    const ghost = await d.update('ghost-1', 'TASK_LOST');
    expect(ghost.reason).toBe('REASON_RECONCILIATION');
  });

  it('re-subscribes by itself when the master drops the subscription, and reconciles after SUBSCRIBED', async () => {
    const c = await cluster();
    const d = driverFor(c.masterUrl, { reconcileOnSubscribe: true });
    await d.driver.start();
    const offer = await waitFor(() => d.offers()[0], LONG);
    await d.driver.launchTasks([offer.id], [executorTask('keep-0', offer)]);
    await d.update('keep-0', 'TASK_RUNNING');
    const frameworkId = (d.seen[0]!.args[0] as { value: string }).value;
    const before = d.updates().length;
    expect(c.dropSubscription(frameworkId)).toBe(true);
    await waitFor(() => d.names().includes('reregistered'), LONG);
    expect(d.names().slice(d.names().indexOf('disconnected'))).toContain('reregistered');
    const reconciled = await waitFor(() => d.updates().slice(before).find((u) => u.task_id.value === 'keep-0' && u.reason === 'REASON_RECONCILIATION'), LONG);
    expect(reconciled.state).toBe('TASK_RUNNING');
    expect(await d.driver.reviveOffers()).toBe('DRIVER_RUNNING');
  });

  it('fails over: stop(true) keeps the task; a new driver with the framework id is reregistered and still sees it', async () => {
    const c = await cluster();
    const first = driverFor(c.masterUrl);
    await first.driver.start();
    const offer = await waitFor(() => first.offers()[0], LONG);
    await first.driver.launchTasks([offer.id], [executorTask('fo-0', offer)]);
    await first.update('fo-0', 'TASK_RUNNING');
    const frameworkId = first.seen[0]!.args[0] as { value: string };
    await first.driver.stop(true);
    const second = driverFor(c.masterUrl, {}, {}, { ...FRAMEWORK, id: frameworkId });
    await second.driver.start();
    await waitFor(() => second.names().includes('reregistered'), LONG);
    expect(second.names()[0]).toBe('reregistered');
    await second.driver.reconcileTasks([{ task_id: { value: 'fo-0' }, agent_id: offer.agent_id }]);
    expect((await second.update('fo-0', 'TASK_RUNNING')).reason).toBe('REASON_RECONCILIATION');
    await second.driver.stop();
  });

  it('follows a 307 from a non-leading master to the cluster', async () => {
    const c = await cluster({ agents: 0 });
    const follower = await FakeMaster.start();
    cleanup.push(() => follower.close());
    follower.redirectTo(c.masterUrl);
    const d = driverFor(follower.url);
    await d.driver.start();
    await waitFor(() => d.names().includes('registered'), LONG);
    expect(await d.driver.reviveOffers()).toBe('DRIVER_RUNNING');
    expect(follower.callsOf('REVIVE')).toHaveLength(0);
  });

  it('heartbeat silence through a stalled proxy: disconnected, then re-subscribed once the path is back', async () => {
    const c = await cluster({ agents: 0, heartbeatIntervalSeconds: 0.1 });
    const proxy = await CuttingProxy.start({ target: c.masterUrl });
    cleanup.push(() => proxy.close());
    const d = driverFor(proxy.url, { heartbeatTimeoutFactor: 3 });
    await d.driver.start();
    await waitFor(() => d.names().includes('registered'), LONG);
    proxy.stall();
    await waitFor(() => d.names().includes('disconnected'), LONG);
    proxy.resume();
    await waitFor(() => d.names().includes('reregistered'), LONG);
  });

  it('HTTP basic auth: the right secret subscribes, a wrong one aborts with a 401', async () => {
    const c = await cluster({ agents: 0, credentials: [{ principal: 'p1', secret: 's1' }] });
    const good = driverFor(c.masterUrl, { credential: { principal: 'p1', secret: 's1' } });
    await good.driver.start();
    await waitFor(() => good.names().includes('registered'), LONG);
    const bad = driverFor(c.masterUrl, { credential: { principal: 'p1', secret: 'nope' } });
    expect(await bad.driver.run()).toBe('DRIVER_ABORTED');
    expect(bad.seen[0]!.args[1]).toBeInstanceOf(MesosHttpError);
    expect((bad.seen[0]!.args[1] as MesosHttpError).status).toBe(401);
  });
});
