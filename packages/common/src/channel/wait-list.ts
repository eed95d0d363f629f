/** A node that can sit in one WaitList at a time (intrusive: the waiter is its own node). */
export interface WaitNode {
  prev: WaitNode | null;
  next: WaitNode | null;
  /** True while the node is in a list; lets `remove` be called twice safely. */
  linked: boolean;
}

/**
 * FIFO of waiters with O(1) removal from the middle, so an aborted `receive` or a losing `select`
 * case leaves nothing behind: memory stays bounded by the waiters that are really waiting.
 */
export class WaitList<W extends WaitNode> {
  private head: W | null = null;
  private tail: W | null = null;

  get isEmpty(): boolean {
    return this.head === null;
  }

  push(node: W): void {
    node.prev = this.tail;
    node.next = null;
    node.linked = true;
    if (this.tail === null) this.head = node;
    else this.tail.next = node;
    this.tail = node;
  }

  /** The oldest waiter (left in the list), or null. */
  get first(): W | null {
    return this.head;
  }

  /** Removes and returns the oldest waiter, or null. */
  shift(): W | null {
    const node = this.head;
    if (node !== null) this.remove(node);
    return node;
  }

  remove(node: W): void {
    if (!node.linked) return;
    if (node.prev === null) this.head = node.next as W | null;
    else node.prev.next = node.next;
    if (node.next === null) this.tail = node.prev as W | null;
    else node.next.prev = node.prev;
    node.prev = node.next = null;
    node.linked = false;
  }
}
