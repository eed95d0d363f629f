import { describe, it, expect } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Node's own resolver, not Jest's: what a user's process does when @mesosgot/local is missing.
// Runs the compiled module (`npm test` builds first) in a plain node child.
const compiled = fileURLToPath(new URL('../../../dist/gotask/embedded-cluster.js', import.meta.url));

function importIn(specifier: string): { status: number | null; stdout: string; stderr: string } {
  const script = `
    const { importOptionalPackage } = await import(${JSON.stringify(compiled)});
    try {
      const mod = await importOptionalPackage(${JSON.stringify(specifier)}, '--master local');
      console.log('loaded', typeof mod.LocalCluster);
    } catch (error) {
      console.log(JSON.stringify({ name: error.name, code: error.code, message: error.message }));
    }`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('--master local loads @mesosgot/local on demand', () => {
  it('a missing package is a MissingPackageError whose one line says what to install', () => {
    const run = importIn('@mesosgot/no-such-package');
    expect(run.status).toBe(0);
    const error = JSON.parse(run.stdout) as { name: string; code: string; message: string };
    expect(error.name).toBe('MissingPackageError');
    expect(error.code).toBe('MESOSGOT_MISSING_PACKAGE');
    expect(error.message).toBe('--master local needs @mesosgot/no-such-package, which is not installed: npm install @mesosgot/no-such-package');
  });

  it('the installed workspace package loads', () => {
    const run = importIn('@mesosgot/local');
    expect(run.stdout.trim()).toBe('loaded function');
  });
});
