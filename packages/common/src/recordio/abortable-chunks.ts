/**
 * Iterates `source`, but stops waiting the moment `signal` aborts: the pending
 * `next()` of a network body can last forever (a subscription stream between
 * heartbeats), so a plain `for await` could not be cancelled (docs/design.md, "Streams and cancellation").
 *
 * Rejects with `signal.reason` unchanged. On abort the source's `return()` is
 * called without waiting for it (a stuck source must not hang the caller); on
 * `break` or an orderly end it is awaited, so the source's resources are gone
 * when the loop exits.
 */
export async function* abortableChunks<T>(source: AsyncIterable<T>, signal?: AbortSignal): AsyncGenerator<T, void, undefined> {
  if (signal === undefined) {
    // yield* forwards return() to the source, so `break` still releases it.
    yield* source;
    return;
  }
  signal.throwIfAborted();
  const iterator = source[Symbol.asyncIterator]();
  let onAbort: () => void = () => undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  // The race below observes the rejection; this only stops an unhandled-rejection
  // report when the abort happens while the consumer holds a record.
  aborted.catch(() => undefined);
  let isExhausted = false;
  try {
    for (;;) {
      const step = await Promise.race([iterator.next(), aborted]);
      if (step.done === true) {
        isExhausted = true;
        return;
      }
      yield step.value;
      signal.throwIfAborted();
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    if (!isExhausted && iterator.return !== undefined) {
      // The source is being discarded; an error while closing it cannot change what
      // the consumer sees (it already broke out, failed or was aborted).
      const closing = Promise.resolve(iterator.return()).catch(() => undefined);
      // After an abort the source may be stuck in next(); do not wait on it.
      if (!signal.aborted) await closing;
    }
  }
}
