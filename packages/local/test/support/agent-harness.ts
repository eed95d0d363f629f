// Helpers for LocalAgent tests: a temp work dir, a started agent with a fake master, task
// builders that run test/fixtures/executors/test-executor.mjs, and process-gone checks.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CommandInfo, FrameworkID, FrameworkInfo, TaskInfo } from '@mesosgot/common';
import { LocalAgent, type LocalAgentOptions } from '@mesosgot/local/internal';
import { waitFor } from '@mesosgot/local/testing';
import { FakeMasterLink } from './fake-master-link.js';

export const TEST_EXECUTOR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'executors', 'test-executor.mjs');

export const AGENT_ID = 'a9e0a8f2-8b5c-4c4e-9d7a-1f2e3d4c5b6a-S0';
export const FRAMEWORK_ID = 'a9e0a8f2-8b5c-4c4e-9d7a-1f2e3d4c5b6a-0000';

export interface Harness {
  agent: LocalAgent;
  master: FakeMasterLink;
  workDir: string;
  /** Every pid a test saw (executors, grandchildren); cleanup asserts they are gone. */
  pids: Set<number>;
  cleanup(): Promise<void>;
}

export async function startAgent(options: Partial<LocalAgentOptions> = {}): Promise<Harness> {
  const workDir = await mkdtemp(join(tmpdir(), 'mesosgot-agent-'));
  const master = new FakeMasterLink();
  const agent = new LocalAgent({
    master,
    agentId: AGENT_ID,
    workDir,
    resources: [
      { name: 'cpus', type: 'SCALAR', scalar: { value: 4 } },
      { name: 'mem', type: 'SCALAR', scalar: { value: 4096 } },
    ],
    executorShutdownGracePeriodMs: 1_000,
    ...options,
  });
  await agent.start();
  const pids = new Set<number>();
  return {
    agent,
    master,
    workDir,
    pids,
    async cleanup() {
      for (const snapshot of agent.executors()) if (snapshot.pid !== undefined) pids.add(snapshot.pid);
      await agent.stop();
      await waitFor(() => [...pids].every((pid) => !isAlive(pid)), { timeoutMs: 5_000, what: `pids ${[...pids].join(',')} gone` });
      await rm(workDir, { recursive: true, force: true });
    },
  };
}

export function framework(overrides: Partial<FrameworkInfo> = {}): FrameworkInfo & { id: FrameworkID } {
  return {
    user: 'tester',
    name: 'agent-test',
    failover_timeout: 0,
    checkpoint: false,
    roles: ['*'],
    capabilities: [{ type: 'MULTI_ROLE' }],
    ...overrides,
    id: { value: FRAMEWORK_ID },
  };
}

export interface ExecutorTaskOptions {
  executorId?: string;
  /** Behaviour JSON for the fixture executor (see test-executor.mjs). */
  behaviour?: Record<string, unknown>;
  /** Extra environment for the executor process. */
  env?: Record<string, string>;
}

/** A task for the fixture executor, fetched into the sandbox through a file:// URI. */
export function executorTask(taskId: string, { executorId = 'exec-1', behaviour = {}, env = {} }: ExecutorTaskOptions = {}): TaskInfo {
  const command: CommandInfo = {
    value: 'node test-executor.mjs',
    shell: true,
    uris: [{ value: `file://${TEST_EXECUTOR}`, extract: false }],
    environment: { variables: Object.entries(env).map(([name, value]) => ({ name, type: 'VALUE' as const, value })) },
  };
  return {
    name: taskId,
    task_id: { value: taskId },
    agent_id: { value: AGENT_ID },
    resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } }],
    executor: {
      executor_id: { value: executorId },
      framework_id: { value: FRAMEWORK_ID },
      command,
      resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } }],
    },
    data: Buffer.from(JSON.stringify(behaviour)).toString('base64'),
  };
}

/** A command task running `value` through /bin/sh. */
export function commandTask(taskId: string, value: string, extra: Partial<TaskInfo> = {}): TaskInfo {
  return {
    name: taskId,
    task_id: { value: taskId },
    agent_id: { value: AGENT_ID },
    resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } }],
    command: { value, shell: true },
    ...extra,
  };
}

/** True while `pid` runs; a zombie (exited, not yet reaped by an init that never reaps) counts as gone. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM would mean "alive but not ours"; only ESRCH means gone.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    // /proc vanished between the two checks: the process is gone.
    return false;
  }
}

/** POSTs a raw executor call body to the agent; resolves with status, headers and text. */
export async function postExecutorCall(
  endpoint: string,
  body: string,
  { contentType = 'application/json', method = 'POST', path = '/api/v1/executor' } = {},
): Promise<{ status: number; text: string; headers: Headers }> {
  const headers: Record<string, string> = {};
  if (contentType) headers['Content-Type'] = contentType;
  // Bytes, not a string: fetch would add `text/plain;charset=UTF-8` to a string body.
  const payload = new TextEncoder().encode(body);
  const response = await fetch(`http://${endpoint}${path}`, { method, headers, ...(method === 'POST' ? { body: payload } : {}) });
  return { status: response.status, text: await response.text(), headers: response.headers };
}
