/**
 * The one-file executor an agent fetches into its sandbox, where there is no node_modules: the
 * executor script and everything it imports, bundled by esbuild into one ESM file for Node.
 */
import { existsSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { build, type Message } from 'esbuild';
import { BundleError } from '@mesosgot/common/internal';

/** How bundleExecutor builds; every field is optional. */
export interface BundleExecutorOptions {
  /** Where to write the bundle (default: beside the entry, `<name>.bundle.mjs`). Use `.mjs`. */
  outfile?: string;
  /** Replace identifiers at build time (esbuild `define`), e.g. `{ 'process.env.X': '"1"' }`. */
  define?: Record<string, string>;
  /** Extra package export conditions to resolve with (esbuild `conditions`), e.g. `['source']`. */
  conditions?: string[];
  /** Minify (smaller download per agent, less readable stack traces). Default false. */
  minify?: boolean;
}

/** What bundleExecutor wrote. */
export interface BundleResult {
  /** Absolute path of the bundle. */
  outfile: string;
  /** Its size in bytes (what each agent downloads). */
  bytes: number;
}

/**
 * A bundled CommonJS dependency (an app's own, say) may call `require('node:assert')` and the like. An ESM
 * bundle has no `require`, so esbuild's stand-in would throw "Dynamic require of … is not
 * supported"; one made by createRequire loads Node's built-ins for real.
 */
const REQUIRE_BANNER =
  "import { createRequire as __mesosgotCreateRequire } from 'node:module'; const require = __mesosgotCreateRequire(import.meta.url);";

/** Where a bundle goes by default: `src/app_executor.ts` → `src/app_executor.bundle.mjs` (absolute). */
export function defaultBundlePath(entry: string): string {
  return resolve(entry).replace(/\.[cm]?[jt]s$/, '') + '.bundle.mjs';
}

/**
 * Bundles `entry` (a .ts or .js executor script) into one self-contained ESM file. Resolves with
 * the file written and its size. Rejects with BundleError when the entry does not exist or does
 * not build (one `file:line:column: text` line per error in `problems`).
 */
export async function bundleExecutor(entry: string, options: BundleExecutorOptions = {}): Promise<BundleResult> {
  if (!existsSync(entry) || !statSync(entry).isFile()) throw new BundleError(`executor entry ${entry} does not exist`);
  const outfile = resolve(options.outfile ?? defaultBundlePath(entry));
  await mkdir(dirname(outfile), { recursive: true });
  try {
    await build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      banner: { js: REQUIRE_BANNER },
      logLevel: 'silent',
      minify: options.minify === true,
      ...(options.conditions ? { conditions: options.conditions } : {}),
      ...(options.define ? { define: options.define } : {}),
    });
  } catch (error) {
    const errors = (error as { errors?: Message[] }).errors;
    if (!Array.isArray(errors)) throw error;
    throw new BundleError(`cannot bundle ${entry}`, errors.map(describeMessage), { cause: error });
  }
  return { outfile, bytes: statSync(outfile).size };
}

/**
 * This repository's tests and benchmarks: bundles against the workspace packages' TypeScript
 * sources (their `source` export condition), so a test runs the code it sees. Resolves with the
 * bundle's path.
 */
export async function bundleScript(entry: string, outfile: string, options: Pick<BundleExecutorOptions, 'define'> = {}): Promise<string> {
  return (await bundleExecutor(entry, { ...options, outfile, conditions: ['source'] })).outfile;
}

function describeMessage(message: Message): string {
  const where = message.location ? `${message.location.file}:${message.location.line}:${message.location.column + 1}: ` : '';
  return `${where}${message.text}`;
}
