/**
 * A task's `output` channel. Its one consumer is pumpOutput (message-pump.ts), which moves what
 * the task sends to the executor's link. While nothing is buffered and the pump waits for more
 * (`idle`), a send is first offered straight to the link (`sendNow`, installed by the pump): as
 * long as the task's stream has credit, a message then costs no buffer step and no wake-up of
 * the pump. Order is kept: the first send that has to be buffered clears `idle`, and only the
 * pump sets it again, once everything buffered reached the link. Everything else (close,
 * backpressure, abort, the receive side) is the Channel's own.
 */
import { Channel, type TaskMsg } from '@mesosgot/common/internal';

const RESOLVED: Promise<void> = Promise.resolve();

export class TaskOutput extends Channel<TaskMsg> {
  /** Nothing buffered or in the pump's hands; set by the pump only, cleared by any buffered send. */
  idle = false;
  /** Hands one message to the link now, or says false (nothing done); installed by the pump. */
  sendNow: (msg: TaskMsg) => boolean = () => false;

  override send(value: TaskMsg, options?: { signal?: AbortSignal }): Promise<void> {
    if (this.idle && !this.closed && options?.signal?.aborted !== true && this.sendNow(value)) return RESOLVED;
    this.idle = false;
    return super.send(value, options);
  }

  override trySend(value: TaskMsg): boolean {
    if (this.idle && !this.closed && this.sendNow(value)) return true;
    this.idle = false;
    return super.trySend(value);
  }

  override sendMany(values: readonly TaskMsg[], options?: { signal?: AbortSignal }): Promise<void> {
    const now = options?.signal?.aborted === true ? 0 : this.passed(values);
    if (now === values.length) return RESOLVED;
    this.idle = false;
    return super.sendMany(now === 0 ? values : values.slice(now), options);
  }

  override trySendMany(values: readonly TaskMsg[]): number {
    const now = this.passed(values);
    if (now === values.length) return now;
    this.idle = false;
    return now + super.trySendMany(now === 0 ? values : values.slice(now));
  }

  /** How many of `values` (a prefix) went straight to the link. */
  private passed(values: readonly TaskMsg[]): number {
    let now = 0;
    if (this.idle && !this.closed) while (now < values.length && this.sendNow(values[now]!)) now++;
    return now;
  }
}
