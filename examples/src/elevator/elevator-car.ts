/**
 * One elevator car: a queue of stops, one floor per tick. Pure state; the task function
 * drives it with a timer and turns its events into messages.
 */
export interface Ride {
  id: string;
  from: number;
  to: number;
}

export type CarEvent =
  | { kind: 'pickup'; id: string; floor: number }
  | { kind: 'dropoff'; id: string; floor: number }
  | { kind: 'trip' };

export class ElevatorCar {
  floor = 0;
  /** Rides assigned but not yet picked up. */
  private readonly waiting: Ride[] = [];
  /** Rides on board. */
  private readonly riding: Ride[] = [];
  private moving = false;

  assign(ride: Ride): void {
    this.waiting.push(ride);
  }

  get isIdle(): boolean {
    return this.waiting.length === 0 && this.riding.length === 0;
  }

  get isMoving(): boolean {
    return this.moving;
  }

  /** Advance one tick: serve the current floor, then move one floor toward the next stop. */
  tick(): CarEvent[] {
    const events: CarEvent[] = [];
    this.serveFloor(events);
    const target = this.nextStop();
    if (target === undefined) {
      if (this.moving) events.push({ kind: 'trip' });
      this.moving = false;
      return events;
    }
    this.moving = true;
    this.floor += Math.sign(target - this.floor);
    this.serveFloor(events);
    return events;
  }

  private serveFloor(events: CarEvent[]): void {
    for (let i = this.riding.length - 1; i >= 0; i--) {
      const ride = this.riding[i]!;
      if (ride.to === this.floor) {
        this.riding.splice(i, 1);
        events.push({ kind: 'dropoff', id: ride.id, floor: this.floor });
      }
    }
    for (let i = this.waiting.length - 1; i >= 0; i--) {
      const ride = this.waiting[i]!;
      if (ride.from === this.floor) {
        this.waiting.splice(i, 1);
        events.push({ kind: 'pickup', id: ride.id, floor: this.floor });
        if (ride.to === this.floor) events.push({ kind: 'dropoff', id: ride.id, floor: this.floor });
        else this.riding.push(ride);
      }
    }
  }

  /** Riders first (oldest first), then the oldest waiting call. */
  private nextStop(): number | undefined {
    if (this.riding.length > 0) return this.riding[0]!.to;
    if (this.waiting.length > 0) return this.waiting[0]!.from;
    return undefined;
  }
}
