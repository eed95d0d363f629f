/**
 * The operator surface of the local cluster replayed against recordings of a real Mesos 1.12
 * master and agent (test/fixtures/real-mesos/operator/): every recorded operator call and
 * classic endpoint is asked of the local master (or agent) while a framework runs tasks, and
 * each answer must have the recorded status, Content-Type and JSON shape. Then the request
 * ladder's errors, the sandbox files API's confinement, and the operator SUBSCRIBE stream
 * following a task STAGING → RUNNING → FINISHED.
 */
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { decodeJsonRecords, type Offer, type TaskInfo } from '@mesosgot/common/internal';
import { waitFor } from '@mesosgot/local/testing';
import { LocalCluster } from '../../src/cluster.js';
import { HttpScheduler } from '../support/http-scheduler.js';
import { shapeMismatches } from '../support/json-shape.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/real-mesos/operator/', import.meta.url));
const FRAMEWORK = { user: 'tester', name: 'operator-test', failover_timeout: 30, roles: ['*'], capabilities: [{ type: 'MULTI_ROLE' as const }] };

interface Recording {
  request: { method: string; path: string; body: unknown };
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

const recording = (file: string): Recording => JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as Recording;

function commandTask(taskId: string, offer: Offer, command: string): TaskInfo {
  return {
    name: taskId,
    task_id: { value: taskId },
    agent_id: offer.agent_id,
    resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } }, { name: 'mem', type: 'SCALAR', scalar: { value: 16 } }],
    command: { value: command, shell: true },
  };
}

const launch = (offer: Offer, tasks: TaskInfo[]) => ({
  type: 'ACCEPT',
  accept: { offer_ids: [offer.id], operations: [{ type: 'LAUNCH', launch: { task_infos: tasks } }], filters: { refuse_seconds: 0.2 } },
});

/** Acknowledges every update `s` receives (the agent sends a task's next update only after the ack); returns the stopper. */
function acknowledgeAll(s: HttpScheduler): () => void {
  let seen = 0;
  const timer = setInterval(() => {
    for (const e of s.events.slice(seen)) {
      if (e.type !== 'UPDATE' || e.update.status.uuid === undefined) continue;
      const { agent_id, task_id, uuid } = e.update.status;
      void s.call({ type: 'ACKNOWLEDGE', acknowledge: { agent_id, task_id, uuid } });
    }
    seen = s.events.length;
  }, 10);
  return () => clearInterval(timer);
}

async function http(url: string, method: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await request(url, {
    method: method as 'GET',
    headers: body === undefined ? headers : { 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.body.text();
  return { status: res.statusCode, contentType: String(res.headers['content-type'] ?? ''), text };
}

/** Recorded fields the local cluster deliberately does not have (documented in the README). */
const ABSENT = new Set([
  // No protobuf build: no git sha.
  '$.get_version.version_info.git_sha',
  '$.git_sha',
  // Our executors' CommandInfo carries no environment variables.
  '$.get_executors.executors[].executor_info.command.environment',
  '$.get_state.get_executors.executors[].executor_info.command.environment',
  '$.frameworks[].executors[].command.environment',
  '$.frameworks[].executors[].command.argv',
  '$.frameworks[].executors[].command.uris',
  // A kill_policy/limits-free agent reports no soft limits.
  '$.get_containers.containers[].resource_statistics.cpus_soft_limit',
  '$.get_containers.containers[].resource_statistics.mem_limit_bytes',
  '$.get_containers.containers[].resource_statistics.mem_soft_limit_bytes',
  // The recorded framework set a hostname; ours does not.
  '$.get_frameworks.frameworks[].framework_info.hostname',
  '$.get_state.get_frameworks.frameworks[].framework_info.hostname',
  '$.get_frameworks.frameworks[].framework_info.capabilities',
  '$.get_state.get_frameworks.frameworks[].framework_info.capabilities',
  '$.get_state.get_frameworks.frameworks[].framework_info.checkpoint',
  '$.get_frameworks.frameworks[].framework_info.checkpoint',
  '$.framework_added.framework.framework_info.checkpoint',
  '$.framework_removed.framework_info.checkpoint',
  // The replay runs command tasks: no executor id, and their RUNNING update has no message.
  ...['get_tasks', 'get_state.get_tasks'].flatMap((p) =>
    ['tasks', 'completed_tasks'].flatMap((list) => [`$.${p}.${list}[].executor_id`, `$.${p}.${list}[].statuses[].message`]),
  ),
]);

describe('local cluster operator API against a real Mesos 1.12', () => {
  let cluster: LocalCluster | undefined;
  let scheduler: HttpScheduler | undefined;
  let stopAcks: (() => void) | undefined;
  afterEach(async () => {
    stopAcks?.();
    stopAcks = undefined;
    await scheduler?.close();
    scheduler = undefined;
    await cluster?.stop();
    cluster = undefined;
  });

  /** A cluster with one framework: `sleeper-0` running, `done-0` finished and acknowledged. */
  async function running(): Promise<{ url: string; agentUrl: string; s: HttpScheduler }> {
    cluster = new LocalCluster({ allocationIntervalMs: 20, executorShutdownGracePeriodMs: 1_000 });
    const url = await cluster.start();
    const s = (scheduler = await HttpScheduler.subscribe(url, FRAMEWORK));
    stopAcks = acknowledgeAll(s);
    const offer = (await s.next('OFFERS')).offers.offers![0]!;
    await s.call(launch(offer, [commandTask('sleeper-0', offer, 'echo started >&2; sleep 60'), commandTask('done-0', offer, 'true')]));
    await waitFor(() => cluster!.master.state.tasks.completedFor(s.frameworkId).length === 1 && cluster!.master.state.tasks.get(s.frameworkId, 'sleeper-0')?.state === 'TASK_RUNNING', { timeoutMs: 10_000, what: 'sleeper-0 running, done-0 completed' });
    return { url, agentUrl: `http://${cluster.agents[0]!.endpoint}`, s };
  }

  it('answers every recorded master operator call and classic endpoint with the recorded status, type and shape', async () => {
    const { url } = await running();
    const files = readdirSync(FIXTURES).filter((f) => f.startsWith('master-') && f.endsWith('.json') && f !== 'master-master-roles.json');
    expect(files.length).toBeGreaterThanOrEqual(20);
    for (const file of files) {
      const rec = recording(file);
      const answer = await http(`${url}${rec.request.path}`, rec.request.method, rec.request.body ?? undefined);
      expect({ file, status: answer.status }).toEqual({ file, status: rec.status });
      if (rec.status !== 200) continue;
      expect({ file, contentType: answer.contentType }).toEqual({ file, contentType: rec.headers['Content-Type'] ?? '' });
      if (typeof rec.body !== 'object' || rec.body === null) continue;
      const ours = JSON.parse(answer.text) as unknown;
      expect({ file, mismatches: shapeMismatches(rec.body, ours, '$', ABSENT).filter((m) => !m.includes('/frameworks/') && !m.includes('allocator/') && !m.includes('registrar/') && !m.includes('operations/')) }).toEqual({ file, mismatches: [] });
    }
  });

  it('publishes every master/* and system/* key of a real master, with live task and message counts', async () => {
    const { url } = await running();
    const recorded = Object.keys(recording('master-metrics-snapshot.json').body as Record<string, number>).filter(
      (k) => (k.startsWith('master/') || k.startsWith('system/')) && !k.startsWith('master/frameworks/') && !k.startsWith('master/operations/'),
    );
    const ours = JSON.parse((await http(`${url}/metrics/snapshot`, 'GET')).text) as Record<string, number>;
    expect(recorded.filter((k) => typeof ours[k] !== 'number')).toEqual([]);
    expect(ours).toMatchObject({ 'master/tasks_running': 1, 'master/tasks_finished': 1, 'master/frameworks_active': 1, 'master/slaves_active': 1, 'master/elected': 1 });
    expect(ours['master/valid_status_updates']).toBeGreaterThanOrEqual(3);
    expect(ours['master/uptime_secs']).toBeGreaterThan(0);
  });

  it('pages /master/tasks with limit, offset and order', async () => {
    const { url } = await running();
    const ids = async (query: string) => ((JSON.parse((await http(`${url}/master/tasks${query}`, 'GET')).text) as { tasks: { id: string }[] }).tasks.map((t) => t.id));
    const asc = await ids('?order=asc');
    expect([...asc].sort()).toEqual(['done-0', 'sleeper-0']);
    expect(await ids('')).toEqual([...asc].reverse());
    expect(await ids('?limit=1&offset=0&order=asc')).toEqual([asc[0]]);
    expect(await ids('?limit=1&offset=1&order=asc')).toEqual([asc[1]]);
    expect(await ids('?offset=5')).toEqual([]);
    expect((await http(`${url}/master/tasks?limit=x`, 'GET')).status).toBe(400);
  });

  it('answers every recorded agent operator call with the recorded status, type and shape', async () => {
    const { agentUrl } = await running();
    for (const file of readdirSync(FIXTURES).filter((f) => f.startsWith('agent-get-'))) {
      const rec = recording(file);
      const answer = await http(`${agentUrl}${rec.request.path}`, rec.request.method, rec.request.body);
      expect({ file, status: answer.status, contentType: answer.contentType }).toEqual({ file, status: 200, contentType: 'application/json' });
      const ignore = new Set([
        ...ABSENT,
        // Command tasks have no executor id; the agent keeps only a task's unacknowledged update.
        ...['executor_id', 'status_update_state', 'status_update_uuid'].flatMap((f) => [`$.get_tasks.launched_tasks[].${f}`, `$.get_state.get_tasks.launched_tasks[].${f}`]),
      ]);
      expect({ file, mismatches: shapeMismatches(rec.body, JSON.parse(answer.text), '$', ignore) }).toEqual({ file, mismatches: [] });
    }
    for (const path of ['/version', '/flags', '/metrics/snapshot']) {
      expect((await http(`${agentUrl}${path}`, 'GET')).status).toBe(200);
    }
  });

  it('serves the agent /state (and /slave(1)/state) in the recorded shape, listing the running task', async () => {
    const { agentUrl, s } = await running();
    const recorded = recording('agent-state.json').body as { frameworks: unknown[] };
    for (const path of ['/state', '/slave(1)/state']) {
      const answer = await http(`${agentUrl}${path}`, 'GET');
      expect({ path, status: answer.status, contentType: answer.contentType }).toEqual({ path, status: 200, contentType: 'application/json' });
      const state = JSON.parse(answer.text) as { id: string; flags: Record<string, unknown>; frameworks: { id: string; executors: { id: string; directory: string; tasks: { id: string; state: string }[] }[] }[] };
      // The recording's command-task executor sits in completed_executors; ours run, so compare against its running one.
      expect({ path, mismatches: shapeMismatches(recorded, state, '$', new Set([...ABSENT, '$.flags'])) }).toEqual({ path, mismatches: [] });
      expect(Object.values(state.flags).every((v) => typeof v === 'string')).toBe(true);
      expect(state.id).toBe(cluster!.agents[0]!.info.id.value);
      const framework = state.frameworks.find((f) => f.id === s.frameworkId)!;
      const sleeper = framework.executors.find((e) => e.id === 'sleeper-0')!;
      expect(sleeper.tasks).toEqual([expect.objectContaining({ id: 'sleeper-0', state: 'TASK_RUNNING' })]);
      expect(sleeper.directory).toBe(cluster!.agents[0]!.executors().find((e) => e.executorId === 'sleeper-0')!.sandbox);
    }
  });

  it('answers LIST_FILES and READ_FILE on agent and master inside the sandboxes only', async () => {
    const { url, agentUrl } = await running();
    const sandbox = cluster!.agents[0]!.executors().find((e) => e.executorId === 'sleeper-0')!.sandbox;
    await waitFor(async () => JSON.parse((await http(`${agentUrl}/files/read?path=${sandbox}/stderr&offset=0`, 'GET')).text).data.includes('started'), { what: 'stderr written' });
    symlinkSync('/etc/passwd', join(sandbox, 'escape-v1'));
    for (const base of [agentUrl, url]) {
      const list = await http(`${base}/api/v1`, 'POST', { type: 'LIST_FILES', list_files: { path: sandbox } });
      expect({ base, status: list.status }).toEqual({ base, status: 200 });
      const listed = JSON.parse(list.text) as { type: string; list_files: { file_infos: { path: string; mode: number; size: number; mtime: { nanoseconds: number } }[] } };
      expect(listed.type).toBe('LIST_FILES');
      const stderr = listed.list_files.file_infos.find((f) => f.path === `${sandbox}/stderr`)!;
      expect(stderr).toMatchObject({ size: 8, mode: expect.any(Number), mtime: { nanoseconds: expect.any(Number) } });
      expect(stderr.mode & 0o170000).toBe(0o100000);
      const read = await http(`${base}/api/v1`, 'POST', { type: 'READ_FILE', read_file: { path: `${sandbox}/stderr`, offset: 2, length: 3 } });
      const file = JSON.parse(read.text) as { type: string; read_file: { size: number; data: string } };
      expect({ base, type: file.type, size: file.read_file.size, data: Buffer.from(file.read_file.data, 'base64').toString() }).toEqual({ base, type: 'READ_FILE', size: 8, data: 'art' });
      const whole = JSON.parse((await http(`${base}/api/v1`, 'POST', { type: 'READ_FILE', read_file: { path: `${sandbox}/stderr`, offset: 0 } })).text) as { read_file: { data: string } };
      expect(Buffer.from(whole.read_file.data, 'base64').toString()).toBe('started\n');
      expect((await http(`${base}/api/v1`, 'POST', { type: 'READ_FILE', read_file: { path: sandbox, offset: 0 } })).status).toBe(400);
      expect((await http(`${base}/api/v1`, 'POST', { type: 'LIST_FILES' })).status).toBe(400);
      for (const path of ['/etc/passwd', '/etc', `${sandbox}/../../../../../../../../../../etc/passwd`, `${sandbox}/escape-v1`, 'etc/passwd', `${sandbox}/nope`]) {
        for (const call of [{ type: 'LIST_FILES', list_files: { path } }, { type: 'READ_FILE', read_file: { path, offset: 0 } }]) {
          const answer = await http(`${base}/api/v1`, 'POST', call);
          expect({ base, path, type: call.type, status: answer.status, leaked: answer.text.includes('root:') || answer.text.includes('cm9vd') }).toEqual({ base, path, type: call.type, status: 404, leaked: false });
        }
      }
    }
  });

  it('refuses bad operator requests like the scheduler endpoint: 405, 400, 415, 406, 501', async () => {
    cluster = new LocalCluster({ allocationIntervalMs: 20 });
    const url = await cluster.start();
    const api = `${url}/api/v1`;
    expect((await http(api, 'GET')).status).toBe(405);
    expect(await http(api, 'POST', undefined)).toMatchObject({ status: 400, text: "Expecting 'Content-Type' to be present" });
    expect((await http(api, 'POST', { type: 'GET_HEALTH' }, { 'Content-Type': 'application/json; charset=utf-8' })).status).toBe(415);
    expect((await http(api, 'POST', { type: 'GET_HEALTH' }, { 'Content-Type': 'text/plain' })).status).toBe(415);
    expect((await http(api, 'POST', { type: 'GET_HEALTH' }, { Accept: 'text/html' })).status).toBe(406);
    expect(await http(api, 'POST', '{not json')).toMatchObject({ status: 400, text: expect.stringMatching(/^Failed to parse body into JSON: /) });
    expect(await http(api, 'POST', { type: 'NO_SUCH_CALL' })).toMatchObject({ status: 400, text: "Failed to validate master::Call: Expecting 'type' to be present" });
    expect((await http(api, 'POST', { type: 'GET_QUOTA' })).status).toBe(501);
    expect(await http(api, 'POST', { type: 'RESERVE_RESOURCES' })).toMatchObject({ status: 400, text: "Failed to validate master::Call: Expecting 'reserve_resources' to be present" });
    expect((await http(`http://${cluster.agents[0]!.endpoint}/api/v1`, 'POST', { type: 'PRUNE_IMAGES' })).status).toBe(501);
  });

  it('serves the sandbox files API inside sandboxes only: browse, read with offset/length, download; .., symlinks and encoded slashes stay out', async () => {
    const { agentUrl } = await running();
    const sandbox = cluster!.agents[0]!.executors().find((e) => e.executorId === 'sleeper-0')!.sandbox;
    await waitFor(async () => JSON.parse((await http(`${agentUrl}/files/read?path=${sandbox}/stderr&offset=0`, 'GET')).text).data.includes('started'), { what: 'stderr written' });
    const browse = await http(`${agentUrl}/files/browse?path=${encodeURIComponent(sandbox)}`, 'GET');
    const entries = JSON.parse(browse.text) as { path: string; mode: string; size: number }[];
    expect(entries.map((e) => e.path)).toEqual(expect.arrayContaining([`${sandbox}/stderr`, `${sandbox}/stdout`]));
    expect(shapeMismatches(recording('agent-files-browse.json').body, entries)).toEqual([]);
    expect(JSON.parse((await http(`${agentUrl}/files/read?path=${sandbox}/stderr&offset=2&length=3`, 'GET')).text)).toEqual({ data: 'art', offset: 2 });
    expect(JSON.parse((await http(`${agentUrl}/files/read?path=${sandbox}/stderr&offset=-1`, 'GET')).text)).toEqual({ data: '', offset: 8 });
    const download = await http(`${agentUrl}/files/download?path=${sandbox}/stderr`, 'GET');
    expect(download).toMatchObject({ status: 200, contentType: 'application/octet-stream', text: 'started\n' });
    expect((await http(`${agentUrl}/files/read?path=${sandbox}/nope&offset=0`, 'GET')).status).toBe(404);

    symlinkSync('/etc/passwd', join(sandbox, 'escape'));
    const outside = [
      '/etc/passwd',
      '/etc',
      `${sandbox}/../../../../../../../../../../etc/passwd`,
      `${sandbox}/escape`,
      `${sandbox}%2F..%2F..%2F..%2F..%2F..%2F..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd`,
      `${sandbox}%252F..%252F..%252Fetc%252Fpasswd`,
      'etc/passwd',
    ];
    for (const path of outside) {
      for (const endpoint of ['browse', 'read', 'download']) {
        const answer = await http(`${agentUrl}/files/${endpoint}?path=${path}&offset=0`, 'GET');
        expect({ path, endpoint, status: answer.status, leaked: answer.text.includes('root:') }).toEqual({ path, endpoint, status: 404, leaked: false });
      }
    }
  });

  it('streams SUBSCRIBE: SUBSCRIBED snapshot, then framework, task STAGING → RUNNING → FINISHED, agent removed and added, framework removed', async () => {
    cluster = new LocalCluster({ allocationIntervalMs: 20, executorShutdownGracePeriodMs: 1_000, heartbeatIntervalSeconds: 1 });
    const url = await cluster.start();
    const abort = new AbortController();
    const res = await request(`${url}/api/v1`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ type: 'SUBSCRIBE' }),
      signal: abort.signal,
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    const events: { type: string; [k: string]: unknown }[] = [];
    const reading = (async () => {
      try {
        for await (const e of decodeJsonRecords<{ type: string }>(res.body)) events.push(e);
      } catch {
        // aborted at the end of the test
      }
    })();
    try {
      const s = (scheduler = await HttpScheduler.subscribe(url, FRAMEWORK));
      stopAcks = acknowledgeAll(s);
      const offer = (await s.next('OFFERS')).offers.offers![0]!;
      await s.call(launch(offer, [commandTask('life-0', offer, 'sleep 0.3')]));
      await s.next('UPDATE', (e) => e.update.status.state === 'TASK_FINISHED', { timeoutMs: 10_000 });
      await waitFor(() => cluster!.master.state.tasks.completedFor(s.frameworkId).length === 1, { what: 'life-0 acknowledged' });
      const renamed = { ...FRAMEWORK, name: 'operator-test-renamed', id: { value: s.frameworkId } };
      expect((await s.call({ type: 'UPDATE_FRAMEWORK', update_framework: { framework_info: renamed } })).status).toBe(200);
      await cluster.stopAgent(0);
      await cluster.restartAgent(0);
      await s.call({ type: 'TEARDOWN' });
      await waitFor(() => events.some((e) => e.type === 'FRAMEWORK_REMOVED'), { timeoutMs: 10_000, what: 'FRAMEWORK_REMOVED' });
      await waitFor(() => events.filter((e) => e.type === 'HEARTBEAT').length >= 2, { timeoutMs: 5_000, what: 'periodic HEARTBEAT' });

      expect(events[0]!.type).toBe('SUBSCRIBED');
      const subscribed = events[0] as unknown as { subscribed: unknown };
      const recordedSubscribed = JSON.parse(readFileSync(join(FIXTURES, 'operator-subscribe.jsonl'), 'utf8').split('\n')[1]!).event as { subscribed: unknown };
      expect(shapeMismatches({ heartbeat_interval_seconds: 15, get_state: { get_agents: (recordedSubscribed.subscribed as { get_state: { get_agents: unknown } }).get_state.get_agents } }, subscribed.subscribed)).toEqual([]);
      expect(events[1]!.type).toBe('HEARTBEAT');
      const kinds = events.filter((e) => e.type !== 'HEARTBEAT').map((e) => e.type);
      const taskStates = events.flatMap((e) =>
        e.type === 'TASK_ADDED' ? [(e.task_added as { task: { state: string } }).task.state] : e.type === 'TASK_UPDATED' ? [(e.task_updated as { state: string }).state] : [],
      );
      expect(taskStates).toEqual(['TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
      expect(kinds.indexOf('FRAMEWORK_ADDED')).toBeLessThan(kinds.indexOf('TASK_ADDED'));
      expect(kinds.indexOf('AGENT_REMOVED')).toBeGreaterThan(kinds.lastIndexOf('TASK_UPDATED'));
      expect(kinds.indexOf('AGENT_ADDED')).toBeGreaterThan(kinds.indexOf('AGENT_REMOVED'));
      expect(kinds).toContain('FRAMEWORK_UPDATED');
      expect(kinds[kinds.length - 1]).toBe('FRAMEWORK_REMOVED');
      // Each event has the recorded shape.
      const recorded = readFileSync(join(FIXTURES, 'operator-subscribe.jsonl'), 'utf8').trim().split('\n').slice(2).map((l) => (JSON.parse(l) as { event: { type: string } }).event);
      for (const type of ['FRAMEWORK_ADDED', 'TASK_ADDED', 'TASK_UPDATED', 'FRAMEWORK_REMOVED']) {
        const ours = events.find((e) => e.type === type)!;
        const theirs = recorded.find((e) => e.type === type)!;
        const ignore = new Set([...ABSENT, '$.framework_added.framework.framework_info.hostname', '$.framework_added.framework.framework_info.capabilities', '$.framework_removed.framework_info.hostname', '$.framework_removed.framework_info.capabilities', '$.task_updated.status.message', '$.task_added.task.executor_id']);
        expect({ type, mismatches: shapeMismatches(theirs, ours, '$', ignore) }).toEqual({ type, mismatches: [] });
      }
    } finally {
      abort.abort();
      await reading;
    }
  });
});
