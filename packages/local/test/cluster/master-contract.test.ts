/**
 * Replays the bad calls of the real-Mesos recording (session-scheduler.jsonl) against a
 * LocalCluster and asserts the status, body and headers listed in scheduler-contract.json,
 * with the recording's ids (master, framework, stream) replaced by the local ones.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { FrameworkInfo } from '@mesosgot/common';
import { waitFor } from '@mesosgot/local/testing';
import { LocalCluster } from '../../src/cluster.js';
import { HttpScheduler, post } from '../support/http-scheduler.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/real-mesos/', import.meta.url));

interface Expected {
  status: number;
  body: string;
  headers: Record<string, string>;
}
interface RecordedLine {
  kind: string;
  note?: string;
  method?: string;
  req_headers?: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
  event?: { type: string; subscribed?: { framework_id: { value: string } } };
}

const contract = JSON.parse(readFileSync(`${FIXTURES}scheduler-contract.json`, 'utf8')) as Record<string, Expected>;
const session = readFileSync(`${FIXTURES}session-scheduler.jsonl`, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as RecordedLine);

const recordedFrameworkId = session.find((l) => l.event?.type === 'SUBSCRIBED')!.event!.subscribed!.framework_id.value;
const recordedMasterId = recordedFrameworkId.replace(/-0000$/, '');
const recordedStreamIds = session.filter((l) => l.kind === 'subscribe').map((l) => l.headers!['Mesos-Stream-Id']!);

/** The recording's calls with a contract entry, in recorded order, plus the two subscribes. */
const steps = session.filter((l) => l.kind === 'subscribe' || (l.kind === 'call' && l.note !== undefined && l.note in contract));

describe('LocalMaster scheduler contract (scheduler-contract.json)', () => {
  const cluster = new LocalCluster({ agents: 1, allocationIntervalMs: 50 });
  const results = new Map<string, { status: number; body: string; headers: Record<string, string | string[] | undefined> }>();
  const substitutions: [string, string][] = [];
  const schedulers: HttpScheduler[] = [];
  const local = (text: string): string => substitutions.reduce((t, [from, to]) => t.split(from).join(to), text);

  beforeAll(async () => {
    const url = await cluster.start();
    substitutions.push([recordedMasterId, cluster.master.masterId]);
    for (const step of steps) {
      if (step.kind === 'subscribe') {
        // The recording's second SUBSCRIBE follows a dropped stream: drop ours the same way.
        const previous = schedulers.at(-1);
        if (previous) {
          await previous.close();
          await waitFor(() => cluster.master.state.frameworks.get(previous.frameworkId)?.isConnected === false);
        }
        const body = step.body as { subscribe: { framework_info: FrameworkInfo } };
        const info = JSON.parse(local(JSON.stringify(body.subscribe.framework_info))) as FrameworkInfo;
        const s = await HttpScheduler.subscribe(url, info);
        await s.next('SUBSCRIBED');
        schedulers.push(s);
        substitutions.push([recordedStreamIds[schedulers.length - 1]!, s.streamId]);
        continue;
      }
      const headers = JSON.parse(local(JSON.stringify(step.req_headers ?? {}))) as Record<string, string>;
      const body = step.body === null ? undefined : typeof step.body === 'string' ? step.body : local(JSON.stringify(step.body));
      results.set(step.note!, await post(url, body, headers, step.method));
    }
  });

  afterAll(async () => {
    await Promise.all(schedulers.map((s) => s.close()));
    await cluster.stop();
  });

  it('replays every contract case', () => {
    expect([...results.keys()].sort()).toEqual(Object.keys(contract).sort());
  });

  it.each(Object.entries(contract))('%s', (note, expected) => {
    const got = results.get(note)!;
    expect(got.status).toBe(expected.status);
    expect(got.body).toBe(local(expected.body));
    for (const [name, value] of Object.entries(expected.headers)) expect(got.headers[name.toLowerCase()]).toBe(value);
  });

  it('still serves a fresh SUBSCRIBE after all the bad input', async () => {
    const s = await HttpScheduler.subscribe(cluster.masterUrl, { user: 'tester', name: 'after-contract' });
    schedulers.push(s);
    expect(s.status).toBe(200);
    await s.next('SUBSCRIBED');
    await s.next('HEARTBEAT');
  });
});
