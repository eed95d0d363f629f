/** 'pending' unless the promise settles before the event loop turns once (no timers involved). */
export async function state(p: Promise<unknown>): Promise<'resolved' | 'rejected' | 'pending'> {
  const tick = new Promise<'pending'>((resolve) => setImmediate(() => resolve('pending')));
  return Promise.race([
    p.then(
      () => 'resolved' as const,
      () => 'rejected' as const,
    ),
    tick,
  ]);
}
