/** `mesosgot init <dir>`: writes the starter application (starter-files.ts) into a new directory. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { InvalidArgumentError } from '@mesosgot/common/internal';
import { starterFiles } from './starter-files.js';

/** This package's version: the starter depends on the @mesosgot packages of the same release. */
export function cliVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

/** An npm package name made from a directory name: lower case, [a-z0-9._-] only. */
export function packageNameFor(dir: string): string {
  const name = basename(resolve(dir))
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+/, '');
  return name || 'mesosgot-app';
}

/**
 * Writes the starter into `dir` (created when missing). Resolves with the relative paths written.
 * Throws InvalidArgumentError, before writing anything, when `dir` exists and is not empty.
 */
export async function initApp(dir: string, mesosgotVersion: string = cliVersion()): Promise<string[]> {
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new InvalidArgumentError('directory', dir, 'is not empty; mesosgot init writes a new app into an empty or new directory');
  }
  const files = starterFiles({ name: packageNameFor(dir), mesosgotVersion });
  for (const [path, contents] of Object.entries(files)) {
    const target = join(dir, path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, contents);
  }
  return Object.keys(files);
}
