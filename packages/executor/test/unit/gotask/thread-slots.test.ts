import { describe, expect, it } from '@jest/globals';
import { waitFor } from '@mesosgot/local/testing';
import { ThreadSlots } from '../../../src/gotask/thread-slots.js';
import { portEnv, taskResources } from '../../../src/gotask/task-context.js';

describe('ThreadSlots', () => {
  it('allows ceil(sum of live cpus) threads, at least one, counting cpus in thousandths', () => {
    const slots = new ThreadSlots();
    expect(slots.limit).toBe(1);
    const releases = Array.from({ length: 10 }, () => slots.reserveCpus(0.1));
    expect(slots.limit).toBe(1); // 10 × 0.1 is 1, not 1.0000000000000002
    const more = slots.reserveCpus(0.5);
    expect(slots.limit).toBe(2);
    more();
    more(); // idempotent
    for (const release of releases) release();
    expect(slots.limit).toBe(1);
  });

  it('grants in launch order when a slot frees or cpus arrive; an aborted wait leaves the queue', async () => {
    const slots = new ThreadSlots();
    slots.reserveCpus(1);
    const first = slots.tryAcquire()!;
    expect(first).toBeDefined();
    expect(slots.tryAcquire()).toBeUndefined();
    const order: string[] = [];
    const gone = new AbortController();
    const a = slots.acquire(new AbortController().signal).then((s) => (order.push('a'), s));
    const b = slots.acquire(gone.signal).then((s) => (order.push(s === undefined ? 'b gave up' : 'b'), s));
    const c = slots.acquire(new AbortController().signal).then((s) => (order.push('c'), s));
    expect(slots.waiting).toBe(3);
    gone.abort();
    await b;
    expect(slots.waiting).toBe(2);
    first.release();
    const slotA = await a;
    expect(slotA).toBeDefined();
    slots.reserveCpus(1); // a second thread's worth of cpus
    await c;
    expect(order).toEqual(['b gave up', 'a', 'c']);
    expect(slots.inUse).toBe(2);
  });

  it('lends the slot of a thread that is not computing to the next waiting task', async () => {
    const slots = new ThreadSlots();
    slots.reserveCpus(0.2);
    const busy = slots.tryAcquire()!;
    let samples = 0;
    busy.watch(() => (samples++, 1));
    const waiting = slots.acquire(AbortSignal.timeout(5_000));
    // Still computing at two samples: nothing is lent.
    await waitFor(() => samples >= 2, { what: 'two samples' });
    expect(slots.waiting).toBe(1);
    busy.watch(() => 0);
    const lent = await waiting;
    expect(lent).toBeDefined();
    expect(slots.inUse).toBe(2);
    lent!.release();
    busy.release();
    expect(slots.inUse).toBe(0);
  });
});

describe('task context', () => {
  it('expands port ranges in order and sums scalars per name', () => {
    const resources = taskResources([
      { name: 'cpus', type: 'SCALAR', scalar: { value: 0.25 } },
      { name: 'cpus', type: 'SCALAR', scalar: { value: 0.25 } },
      { name: 'mem', type: 'SCALAR', scalar: { value: 64 } },
      { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31005, end: 31006 }, { begin: 31000, end: 31000 }] } },
    ]);
    expect(resources).toEqual({ cpus: 0.5, mem: 64, disk: 0, gpus: 0, ports: [31005, 31006, 31000] });
  });

  it('names the ports PORT0 …, PORT and PORTS (Marathon), nothing without ports', () => {
    expect(portEnv([31005, 31006, 31000])).toEqual({ PORT: '31005', PORTS: '31005,31006,31000', PORT0: '31005', PORT1: '31006', PORT2: '31000' });
    expect(portEnv([])).toEqual({});
  });
});
