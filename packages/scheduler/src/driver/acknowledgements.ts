/**
 * Where a status update is acknowledged (docs/protocol.md, "Acknowledgements"). The agent forwards a task's
 * next update only after the previous one is acknowledged, so a lost ack stalls that task's
 * updates until the agent retries; updates without uuid (master-generated) must never be acked.
 */
import { InvalidArgumentError, NotSubscribedError, type SchedulerCall, type TaskStatus } from '@mesosgot/common/internal';
import { acknowledge } from '../calls/acknowledge.js';

export class Acknowledgements {
  constructor(
    /** true: ACK after the statusUpdate callback settles; false: the framework calls acknowledgeStatusUpdate. */
    readonly isImplicit: boolean,
    private readonly send: (call: SchedulerCall) => Promise<void>,
    /** Told when an implicit ACK could not be sent. */
    private readonly reportFailure: (status: TaskStatus, error: Error) => void,
  ) {}

  /**
   * After the statusUpdate callback settled. Implicit mode ACKs uuid-bearing updates without
   * waiting (the calls queue keeps them in order); a failure is reported, not thrown: the agent
   * re-sends an unacknowledged update (at least once, docs/protocol.md, "Acknowledgements"), so nothing is lost — and while
   * disconnected (NotSubscribedError) that re-send after re-subscribing is the normal path.
   */
  afterStatusUpdate(status: TaskStatus): void {
    if (!this.isImplicit || status.uuid === undefined) return;
    this.send(acknowledge(status)).catch((error: unknown) => {
      if (error instanceof NotSubscribedError) return; // see above: the agent re-sends it
      this.reportFailure(status, error instanceof Error ? error : new Error(String(error)));
    });
  }

  /** The framework's own ACK; throws InvalidArgumentError in implicit mode or for an update without uuid. */
  explicit(status: TaskStatus): Promise<void> {
    if (this.isImplicit) {
      throw new InvalidArgumentError('implicitAcknowledgements', true, 'acknowledgeStatusUpdate needs implicitAcknowledgements: false');
    }
    return this.send(acknowledge(status));
  }
}
