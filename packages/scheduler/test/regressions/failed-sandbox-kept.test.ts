// The embedded cluster deleted every sandbox with its temp work dir at stop, so the stderr of an
// executor that died (often the only record of why) went with it. Now a failed executor's
// sandbox is moved out before the work dir goes, and one log line names where.
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { TaskError } from '@mesosgot/common/internal';
import { acceptanceSuite, within } from '../support/gotask-acceptance.js';
import { LIFECYCLE_EXECUTOR, dieWhenReady, keptPaths, startApp } from '../support/lifecycle.js';

const suite = acceptanceSuite('failed-sandbox-kept', { lifecycle: LIFECYCLE_EXECUTOR });
const kept: string[] = [];

afterEach(async () => {
  for (const path of kept.splice(0)) await rm(path, { recursive: true, force: true });
});

describe('embedded cluster: the sandbox of a failed executor outlives stop()', () => {
  it('after run(), the dead executor\'s sandbox with its stderr is at the path the log names', async () => {
    const app = await startApp(suite, {
      isLocal: false,
      flags: ['--master', 'local', '--local-agents', '1', '--local-agent-resources', 'cpus:2;mem:1024'],
      spawn: (sched) => sched.spawnTask('diesloud', 1, { cpus: 0.2, mem: 64 }),
      schedFunc: dieWhenReady('diesloud-0'),
    });
    const error = await within(60_000, 'run() to settle', app.outcome);
    expect(error).toBeInstanceOf(TaskError);
    const paths = keptPaths(app.lines);
    kept.push(...paths);
    expect(app.lines.filter((l) => l.startsWith('warn kept the sandbox'))).toHaveLength(1);
    expect(paths).toHaveLength(1);
    expect(paths[0]).toMatch(/mesosgot-failed-.+-/);
    expect((await stat(paths[0]!)).isDirectory()).toBe(true);
    expect(await readFile(join(paths[0]!, 'stderr'), 'utf8')).toContain('last words of diesloud-0');
  }, 90_000);
});
