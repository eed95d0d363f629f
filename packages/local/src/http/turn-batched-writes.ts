/**
 * Writes to a long-lived response (an event stream) gathered per event-loop turn: the first
 * write of a turn corks the response and the check phase uncorks it, so every record written
 * meanwhile leaves in one `writev`. A burst of status updates from many connections (one UPDATE
 * per connection read, each its own I/O callback) then costs one socket write and one wake-up
 * of the reader, instead of one per record; the bytes and their order are unchanged.
 */
import type { ServerResponse } from 'node:http';

/** Responses corked in this turn; each is uncorked once, by the setImmediate that corked it. */
const corked = new WeakSet<ServerResponse>();

/** Writes `chunk` to `res` in this turn's batch; returns what `res.write` returns. */
export function writeInTurn(res: ServerResponse, chunk: Uint8Array): boolean {
  if (!corked.has(res)) {
    corked.add(res);
    res.cork();
    setImmediate(() => {
      corked.delete(res);
      // end() uncorks fully by itself; a second uncork of an ended response is a no-op.
      res.uncork();
    });
  }
  return res.write(chunk);
}
