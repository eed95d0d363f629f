/**
 * Task output on the developer's terminal: with `--master local` the executors' stdout/stderr
 * lines reach the scheduler's stdout, prefixed with their tasks (read back through the agents'
 * /files/read); `--task-logs off` leaves them in the sandboxes.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const hello = (...flags: string[]) =>
  spawnSync(process.execPath, ['examples/dist/hello/app_scheduler.js', ...flags], { cwd: root, encoding: 'utf8', timeout: 90_000, env: { ...process.env, NO_COLOR: '1' } });

describe('--task-logs (hello on --master local)', () => {
  beforeAll(() => {
    expect(spawnSync(process.execPath, [join(root, 'scripts', 'bundle.js')], { cwd: root }).status).toBe(0);
  }, 60_000);

  it('prints every executor line prefixed with its tasks, and nothing with --task-logs off', () => {
    const on = hello();
    expect(on.status).toBe(0);
    // The executor logs that it subscribes, on its stderr, in its sandbox.
    expect(on.stdout).toMatch(/^\[exampleTask\d-\d\+6 stderr\] .*subscribing to the agent/m);
    const off = hello('--task-logs', 'off');
    expect(off.status).toBe(0);
    expect(off.stdout).not.toMatch(/^\[exampleTask/m);
    expect(off.stdout).toContain('all 7 tasks said goodbye');
  }, 200_000);
});
