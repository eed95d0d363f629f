// One afterEach step shared by the cluster test suites (faults-harness, gotask-acceptance).

/**
 * Runs every cleanup in turn — the later ones even when an earlier one throws, so one failed
 * stop does not leave the rest of a test's clusters and processes running — then rejects with
 * the first error, if any, so the failure is still reported.
 */
export async function runCleanups(cleanups: readonly (() => Promise<void>)[]): Promise<void> {
  const failures: unknown[] = [];
  for (const cleanup of cleanups) {
    try {
      await cleanup();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw failures[0];
}
