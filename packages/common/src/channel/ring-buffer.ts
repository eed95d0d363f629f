/** Smallest backing array a RingBuffer starts with; it doubles up to its bound. */
const INITIAL_RING_SLOTS = 16;

/**
 * A bounded FIFO on a power-of-two circular array: O(1) push/shift, no allocation per operation
 * (the array only grows, by doubling, until it holds `bound` items). Used by Channel for its buffer.
 * Callers check `size < bound` before `push`; the ring itself never refuses.
 */
export class RingBuffer<T> {
  /** Backing slots; length is a power of two so `& mask` replaces `%`. Written only by push/shift/grow. */
  private slots: (T | undefined)[];
  private mask: number;
  /** Index of the oldest item. */
  private head = 0;
  /** Number of items held. */
  size = 0;

  constructor(bound: number) {
    let slots = 1;
    while (slots < Math.min(Math.max(bound, 1), INITIAL_RING_SLOTS)) slots *= 2;
    this.slots = new Array<T | undefined>(slots);
    this.mask = slots - 1;
  }

  push(value: T): void {
    if (this.size === this.slots.length) this.grow();
    this.slots[(this.head + this.size) & this.mask] = value;
    this.size++;
  }

  /** Removes and returns the oldest item; call only when `size > 0`. */
  shift(): T {
    const value = this.slots[this.head] as T;
    // Clear the slot so the ring never keeps a consumed value alive.
    this.slots[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.size--;
    return value;
  }

  private grow(): void {
    const old = this.slots;
    const next = new Array<T | undefined>(old.length * 2);
    for (let i = 0; i < this.size; i++) next[i] = old[(this.head + i) & this.mask];
    this.slots = next;
    this.mask = next.length - 1;
    this.head = 0;
  }
}
