import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LocalCluster } from '@mesosgot/local';
import { WIRE_CASES, runWireCase } from '../contract-cases.js';

// The same table as test/unit/contract.test.ts, now against the embedded master: it must answer
// like the recorded real Mesos 1.12 master.
describe('scheduler endpoint contract (LocalCluster vs the real-Mesos recording)', () => {
  let cluster: LocalCluster;
  beforeAll(async () => {
    cluster = new LocalCluster({ agents: 0 });
    await cluster.start();
  });
  afterAll(async () => {
    await cluster.stop();
  });

  it.each(WIRE_CASES.map((c) => [c.n, c.note, c] as const))('wire case %i: %s', async (_n, _note, c) => {
    const result = await runWireCase(cluster.masterUrl, c);
    expect(result.status).toBe(result.expected.status);
    if (c.bodyMatch === 'exact') expect(result.body).toBe(result.expected.body);
    else expect(result.body.split(':')[0]).toBe(result.expected.body.split(':')[0]);
    if (result.expected.headers.Allow !== undefined) expect(result.headers.allow).toBe(result.expected.headers.Allow);
  });
});
