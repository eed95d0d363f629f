/**
 * A FIFO on a power-of-two circular array: O(1) push, shift and indexed read, bulk drop, no
 * allocation per operation (the array only grows, by doubling). Channel keeps its buffer in one
 * (callers check `size < bound` before `push`; the ring never refuses); a link keeps its
 * unacknowledged messages in one, read by index when (re)sent and dropped in bulk by a
 * cumulative ack.
 */
export class RingBuffer<T> {
  /** Backing slots; length is a power of two so `& mask` replaces `%`. */
  private slots: (T | undefined)[];
  private mask: number;
  /** Index of the oldest item. */
  private head = 0;
  /** Items held. */
  size = 0;

  constructor(initialSlots = 4) {
    let n = 1;
    while (n < initialSlots) n *= 2;
    this.slots = new Array<T | undefined>(n);
    this.mask = n - 1;
  }

  push(value: T): void {
    if (this.size === this.slots.length) this.grow();
    this.slots[(this.head + this.size) & this.mask] = value;
    this.size++;
  }

  /** The i-th oldest item; call only with 0 ≤ i < size. */
  at(i: number): T {
    return this.slots[(this.head + i) & this.mask] as T;
  }

  /** Removes and returns the oldest item; call only when size > 0. */
  shift(): T {
    const value = this.slots[this.head] as T;
    // Clear the slot so the ring never keeps a consumed message alive.
    this.slots[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.size--;
    return value;
  }

  /** Drops the `n` oldest items (n ≤ size). */
  dropFront(n: number): void {
    for (let i = 0; i < n; i++) {
      this.slots[this.head] = undefined;
      this.head = (this.head + 1) & this.mask;
    }
    this.size -= n;
  }

  clear(): void {
    this.dropFront(this.size);
    this.head = 0;
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
