// Regression: every framework removed (SUBSCRIBE, disconnect, failover 0) was kept forever with
// its whole FrameworkInfo, so repeated subscriptions with 20–30 MB names grew the master past
// 1 GB and /master/state answered 500 ("Invalid string length") for good. Completed frameworks
// are now bounded as Mesos' --max_completed_frameworks bounds them, and an oversized
// FrameworkInfo is refused (ERROR in the stream; 400 on UPDATE_FRAMEWORK).
import { request } from 'undici';
import { afterEach, describe, expect, it } from '@jest/globals';
import { waitFor } from '@mesosgot/local/testing';
import { DEFAULT_MAX_COMPLETED_FRAMEWORKS, MAX_FRAMEWORK_INFO_BYTES } from '../../src/master/frameworks.js';
import { startMaster, type MasterFixture } from '../support/master-fixture.js';

let fixture: MasterFixture | undefined;

afterEach(async () => {
  await fixture?.stop();
  fixture = undefined;
});

async function completedInState(url: string): Promise<number> {
  const res = await request(`${url}/master/state`);
  expect(res.statusCode).toBe(200);
  return ((await res.body.json()) as { completed_frameworks: unknown[] }).completed_frameworks.length;
}

describe('master completed frameworks and FrameworkInfo size', () => {
  it(`remembers only the latest ${DEFAULT_MAX_COMPLETED_FRAMEWORKS} removed frameworks`, async () => {
    fixture = await startMaster({}, 0);
    const total = DEFAULT_MAX_COMPLETED_FRAMEWORKS + 15;
    const ids: string[] = [];
    for (let i = 0; i < total; i++) {
      const s = await fixture.subscribe({ name: `gone-${i}`, failover_timeout: 0 });
      await s.next('SUBSCRIBED');
      ids.push(s.frameworkId);
      await s.close();
      await waitFor(() => fixture!.master.state.frameworks.get(s.frameworkId) === undefined, { timeoutMs: 5_000, what: `framework ${i} removed` });
    }
    const completed = fixture.master.state.frameworks.completed().map((c) => c.id);
    expect(completed).toEqual(ids.slice(-DEFAULT_MAX_COMPLETED_FRAMEWORKS));
    expect(await completedInState(fixture.url)).toBe(DEFAULT_MAX_COMPLETED_FRAMEWORKS);
  });

  it('refuses a SUBSCRIBE whose FrameworkInfo is too large, inside the stream, and keeps nothing of it', async () => {
    fixture = await startMaster({}, 0);
    const s = await fixture.subscribe({ name: 'n'.repeat(MAX_FRAMEWORK_INFO_BYTES + 1) });
    const error = await s.next('ERROR');
    expect(error.error.message).toContain("more than the local master's limit");
    expect(error.error.message).toContain("'name'");
    await waitFor(() => s.ended, { timeoutMs: 5_000, what: 'stream ended' });
    expect(fixture.master.state.frameworks.all()).toEqual([]);
    expect(await completedInState(fixture.url)).toBe(0);
  });

  it('answers UPDATE_FRAMEWORK with an oversized FrameworkInfo with 400 and keeps the old one', async () => {
    fixture = await startMaster({}, 0);
    const s = await fixture.subscribe({ name: 'small' });
    await s.next('SUBSCRIBED');
    const framework = fixture.master.state.frameworks.get(s.frameworkId)!;
    const answer = await s.call({
      type: 'UPDATE_FRAMEWORK',
      update_framework: { framework_info: { ...framework.info, name: 'n'.repeat(MAX_FRAMEWORK_INFO_BYTES) } },
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toContain("more than the local master's limit");
    expect(framework.info.name).toBe('small');
  });
});
