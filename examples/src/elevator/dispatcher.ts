/**
 * The scheduler function's brain: assigns each floor call to the elevator that will reach it
 * soonest (distance plus load), and keeps the statistics for the summary.
 */
export interface CallRecord {
  from: number;
  to: number;
  calledAt: number;
  pickedUpAt?: number;
  servedAt?: number;
}

export interface ElevatorSummary {
  requestsServed: number;
  meanWaitMs: number;
  p95WaitMs: number;
  trips: number;
}

export class Dispatcher {
  private readonly position = new Map<string, number>();
  private readonly load = new Map<string, number>();
  private readonly calls = new Map<string, CallRecord>();
  private readonly waits: number[] = [];
  private served = 0;
  private trips = 0;

  constructor(elevators: readonly string[], private readonly now: () => number = () => performance.now()) {
    if (elevators.length === 0) throw new Error('dispatcher: at least one elevator is needed');
    for (const name of elevators) {
      this.position.set(name, 0);
      this.load.set(name, 0);
    }
  }

  /** Records the call and returns the elevator it goes to. */
  dispatch(id: string, from: number, to: number): string {
    if (this.calls.has(id)) throw new Error(`dispatcher: duplicate call id ${id}`);
    this.calls.set(id, { from, to, calledAt: this.now() });
    let best = '';
    let bestCost = Infinity;
    for (const [name, floor] of this.position) {
      const cost = Math.abs(floor - from) + 4 * (this.load.get(name) ?? 0);
      if (cost < bestCost) {
        bestCost = cost;
        best = name;
      }
    }
    this.load.set(best, (this.load.get(best) ?? 0) + 1);
    return best;
  }

  moved(elevator: string, floor: number): void {
    this.position.set(elevator, floor);
  }

  pickedUp(id: string): void {
    const call = this.mustFind(id);
    if (call.pickedUpAt !== undefined) throw new Error(`dispatcher: call ${id} picked up twice`);
    call.pickedUpAt = this.now();
    this.waits.push(call.pickedUpAt - call.calledAt);
  }

  droppedOff(elevator: string, id: string): void {
    const call = this.mustFind(id);
    if (call.servedAt !== undefined) throw new Error(`dispatcher: call ${id} served twice`);
    call.servedAt = this.now();
    this.served++;
    this.load.set(elevator, Math.max(0, (this.load.get(elevator) ?? 1) - 1));
  }

  tripDone(): void {
    this.trips++;
  }

  get requestsServed(): number {
    return this.served;
  }

  summary(): ElevatorSummary {
    const sorted = [...this.waits].sort((a, b) => a - b);
    const mean = sorted.length ? sorted.reduce((s, w) => s + w, 0) / sorted.length : 0;
    const p95 = sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)]! : 0;
    return { requestsServed: this.served, meanWaitMs: mean, p95WaitMs: p95, trips: this.trips };
  }

  private mustFind(id: string): CallRecord {
    const call = this.calls.get(id);
    if (!call) throw new Error(`dispatcher: unknown call id ${id}`);
    return call;
  }
}
