import type { Socket } from 'node:net';
import { ProtocolError } from '../errors.js';
import type { SocketFrameParser } from './socket-frame-parser.js';

/** The handshake record and whatever frames arrived in the same reads behind it. */
export interface FirstFrame {
  first: Buffer;
  rest: Buffer[];
}

/**
 * Reads the first socket frame of a data-plane connection (the handshake record). Resolves with
 * it (and any frames already behind it, which belong to the link) and leaves `parser` positioned
 * for the rest. Rejects with ProtocolError on a framing error or if the socket closes first, and
 * with `signal.reason` on abort; in every case its listeners are removed.
 */
export function firstFrame(socket: Socket, parser: SocketFrameParser, signal: AbortSignal): Promise<FirstFrame> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.off('error', onError);
      signal.removeEventListener('abort', onAbort);
    };
    const onData = (chunk: Buffer): void => {
      let frames: Buffer[];
      try {
        frames = parser.push(chunk);
      } catch (error) {
        cleanup();
        reject(error);
        return;
      }
      if (frames.length === 0) return;
      cleanup();
      resolve({ first: frames[0]!, rest: frames.slice(1) });
    };
    let lastError: Error | undefined;
    const onError = (error: Error): void => {
      lastError = error;
    };
    const onClose = (): void => {
      cleanup();
      reject(new ProtocolError(`connection closed during the data-plane handshake${lastError ? `: ${lastError.message}` : ''}`, undefined, { cause: lastError }));
    };
    const onAbort = (): void => {
      cleanup();
      reject(signal.reason);
    };
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    socket.on('data', onData);
    socket.on('close', onClose);
    socket.on('error', onError);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
