import { afterEach, describe, expect, it } from '@jest/globals';
import { MesosHttpError, ProtocolError, type FrameworkInfo } from '@mesosgot/common';
import { FakeMaster, waitFor } from '@mesosgot/local/testing';
import { MesosSchedulerDriver } from '@mesosgot/scheduler';
import { DRIVER_CASES, WIRE_CASES, runWireCase } from '../contract-cases.js';
import { recordingScheduler } from './recording-scheduler.js';

const FRAMEWORK: FrameworkInfo = { user: 'tester', name: 'contract-test', failover_timeout: 60 };

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function fake(): Promise<FakeMaster> {
  const master = await FakeMaster.start();
  cleanup.push(() => master.close());
  return master;
}

describe('scheduler endpoint contract (FakeMaster vs the real-Mesos recording)', () => {
  it.each(WIRE_CASES.map((c) => [c.n, c.note, c] as const))('wire case %i: %s', async (_n, _note, c) => {
    const master = await fake();
    const result = await runWireCase(master.url, c);
    expect(result.status).toBe(result.expected.status);
    if (c.bodyMatch === 'exact') expect(result.body).toBe(result.expected.body);
    else expect(result.body.split(':')[0]).toBe(result.expected.body.split(':')[0]);
    if (result.expected.headers.Allow !== undefined) expect(result.headers.allow).toBe(result.expected.headers.Allow);
  });
});

describe('MesosSchedulerDriver contract reactions (FakeMaster)', () => {
  it.each(DRIVER_CASES.map((c) => [c.n, c.name, c] as const))('driver case %i: %s', async (_n, _name, c) => {
    const master = await fake();
    const rec = recordingScheduler();
    const driver = new MesosSchedulerDriver(rec.scheduler, FRAMEWORK, master.url, { backoff: { initialMs: 5, maxMs: 20 } });
    cleanup.push(() => driver.abort());
    if (c.on === 'SUBSCRIBE') master.script('SUBSCRIBE', c.reply);
    await driver.start();
    switch (c.outcome) {
      case 'aborted': {
        expect(await driver.join()).toBe('DRIVER_ABORTED');
        const error = rec.seen.find((s) => s.name === 'error');
        expect(error?.args[1]).toBeInstanceOf(MesosHttpError);
        expect((error?.args[1] as MesosHttpError).status).toBe(c.reply.status);
        expect(await driver.closed()).toBe(error?.args[1]);
        expect(master.callsOf('SUBSCRIBE')).toHaveLength(1);
        expect(rec.names()).toEqual(['error']);
        return;
      }
      case 'retried': {
        await waitFor(() => rec.names().includes('registered'));
        expect(driver.driverStatus).toBe('DRIVER_RUNNING');
        expect(master.callsOf('SUBSCRIBE').length).toBeGreaterThanOrEqual(2);
        // Protocol breaches are reported (error callback with ProtocolError) before the retry.
        if (c.reply.status === 200 || c.reply.status === 307) expect(rec.seen[0]?.args[1]).toBeInstanceOf(ProtocolError);
        return;
      }
      case 'rejected':
      case 'resubscribed': {
        await waitFor(() => rec.names().includes('registered'));
        master.script('REVIVE', c.reply);
        const error = await driver.reviveOffers().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(MesosHttpError);
        expect((error as MesosHttpError).status).toBe(c.reply.status);
        if (c.outcome === 'resubscribed') {
          await waitFor(() => rec.names().includes('reregistered'));
        } else {
          expect(await driver.reviveOffers()).toBe('DRIVER_RUNNING');
          expect(master.callsOf('SUBSCRIBE')).toHaveLength(1);
        }
        expect(driver.driverStatus).toBe('DRIVER_RUNNING');
        return;
      }
    }
  });
});
