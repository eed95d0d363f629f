import { describe, it, expect } from '@jest/globals';
import { ElevatorCar } from '../src/elevator/elevator-car.js';
import { Dispatcher } from '../src/elevator/dispatcher.js';
import { floorCalls } from '../src/elevator/floor-traffic.js';

describe('ElevatorCar', () => {
  it('moves one floor per tick, picks up at `from` and drops off at `to`', () => {
    const car = new ElevatorCar();
    car.assign({ id: 'a', from: 2, to: 0 });
    const log: string[] = [];
    for (let t = 0; t < 10 && log.length < 3; t++) {
      for (const e of car.tick()) log.push(e.kind === 'trip' ? 'trip' : `${e.kind}:${e.id}@${e.floor}`);
    }
    expect(log).toEqual(['pickup:a@2', 'dropoff:a@0', 'trip']);
    expect(car.isIdle).toBe(true);
  });

  it('serves a ride whose from equals to without moving', () => {
    const car = new ElevatorCar();
    car.assign({ id: 'b', from: 0, to: 0 });
    expect(car.tick()).toEqual([
      { kind: 'pickup', id: 'b', floor: 0 },
      { kind: 'dropoff', id: 'b', floor: 0 },
    ]);
  });
});

describe('Dispatcher', () => {
  it('sends a call to the nearest unloaded elevator and computes wait statistics', () => {
    let now = 0;
    const d = new Dispatcher(['elevator-0', 'elevator-1'], () => now);
    d.moved('elevator-1', 5);
    expect(d.dispatch('c1', 6, 0)).toBe('elevator-1');
    expect(d.dispatch('c2', 0, 3)).toBe('elevator-0');
    now = 10;
    d.pickedUp('c1');
    now = 30;
    d.pickedUp('c2');
    d.droppedOff('elevator-1', 'c1');
    d.droppedOff('elevator-0', 'c2');
    expect(d.summary()).toEqual({ requestsServed: 2, meanWaitMs: 20, p95WaitMs: 30, trips: 0 });
  });

  it('refuses a call served twice', () => {
    const d = new Dispatcher(['e-0']);
    d.dispatch('x', 1, 2);
    d.droppedOff('e-0', 'x');
    expect(() => d.droppedOff('e-0', 'x')).toThrow(/served twice/);
  });
});

describe('floorCalls', () => {
  it('is deterministic per seed and never targets its own floor', () => {
    const a = [...floorCalls(3, 6, 50, 42)];
    expect([...floorCalls(3, 6, 50, 42)]).toEqual(a);
    expect(a).toHaveLength(50);
    for (const c of a) {
      expect(c.from).toBe(3);
      expect(c.to).not.toBe(3);
      expect(c.to).toBeGreaterThanOrEqual(0);
      expect(c.to).toBeLessThan(6);
    }
  });
});
