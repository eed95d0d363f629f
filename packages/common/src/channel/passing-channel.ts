/**
 * A channel with one consumer loop that may be passed by: while nothing is buffered and the loop
 * waits for more (`idle`, set by the loop only), a send is first offered to where the loop would
 * have put it (`sendNow`, installed by the loop). When that takes it, the value costs no buffer
 * step and no wake-up of the loop. Order is kept: the first send that has to be buffered clears
 * `idle`, and only the loop sets it again, once everything buffered has moved on. Everything
 * else (close, backpressure, abort, the receive side) is the Channel's own. Used for a task's
 * output (executor) and for each destination queue of schedOut (scheduler).
 */
import { Channel } from './channel.js';

const RESOLVED: Promise<void> = Promise.resolve();

export class PassingChannel<T> extends Channel<T> {
  /** Nothing buffered or in the loop's hands; set by the loop only, cleared by any buffered send. */
  idle = false;
  /** Hands one value on now, or says false (nothing done); installed by the loop. */
  sendNow: (value: T) => boolean = () => false;

  override send(value: T, options?: { signal?: AbortSignal }): Promise<void> {
    if (this.idle && !this.closed && options?.signal?.aborted !== true && this.sendNow(value)) return RESOLVED;
    this.idle = false;
    return super.send(value, options);
  }

  override trySend(value: T): boolean {
    if (this.idle && !this.closed && this.sendNow(value)) return true;
    this.idle = false;
    return super.trySend(value);
  }

  override sendMany(values: readonly T[], options?: { signal?: AbortSignal }): Promise<void> {
    const now = options?.signal?.aborted === true ? 0 : this.passed(values);
    if (now === values.length) return RESOLVED;
    this.idle = false;
    return super.sendMany(now === 0 ? values : values.slice(now), options);
  }

  override trySendMany(values: readonly T[]): number {
    const now = this.passed(values);
    if (now === values.length) return now;
    this.idle = false;
    return now + super.trySendMany(now === 0 ? values : values.slice(now));
  }

  /** How many of `values` (a prefix) were handed on now. */
  private passed(values: readonly T[]): number {
    let now = 0;
    if (this.idle && !this.closed) while (now < values.length && this.sendNow(values[now]!)) now++;
    return now;
  }
}
