// Regression (reliable-link.test.ts "close()" hung ~40% of runs): a link closed before it had
// heard anything back from its peer sent no BYE, so a peer that had received its data (and whose
// ack was still in flight) never closed. A link that has sent to its peer now always says BYE.
import { describe, it, expect } from '@jest/globals';
import { ReliableLink } from '@mesosgot/common/internal';
import { waitFor } from '@mesosgot/local/testing';

describe('ReliableLink close() before hearing from the peer', () => {
  it('still sends BYE, and the peer closes after draining what it received', async () => {
    let b: ReliableLink | undefined;
    const a = new ReliableLink({
      transmit: async (frame) => {
        setImmediate(() => b?.onFrame(frame));
      },
    });
    // Everything b says is lost: a never learns b's session.
    b = new ReliableLink({ transmit: async () => undefined });
    await a.send({ taskName: 't', data: 'hello' });
    await waitFor(() => b!.stats().messagesDelivered === 1, { what: 'the message at b' });
    expect(a.stats().framesReceived).toBe(0);
    let isBClosed = false;
    void b.closed().then(() => (isBClosed = true));
    await a.close();
    await waitFor(() => isBClosed, { timeoutMs: 2_000, what: 'b closed by the BYE' });
    const got: string[] = [];
    for await (const m of b.receive()) got.push(String(m.data));
    expect(got).toEqual(['hello']);
    await b.close();
  });
});
