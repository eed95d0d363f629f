/**
 * Bundles a TypeScript entry point into one self-contained ESM file, as an agent would fetch it
 * into a sandbox that has no node_modules. Uses the same esbuild settings as scripts/bundle.js
 * (the examples' executor bundles), so what tests run is what users ship.
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { build } from 'esbuild';

export interface BundleScriptOptions {
  /** Replace identifiers at build time (esbuild `define`), e.g. `{ 'process.env.X': '"1"' }`. */
  define?: Record<string, string>;
}

/**
 * Bundles `entry` (a .ts or .js file; workspace packages resolve to their TypeScript sources
 * through the `source` export condition) into `outfile` (use a `.mjs` name so Node reads it as
 * ESM without a package.json). Resolves with `outfile` once written; rejects with esbuild's
 * error (which lists every build error) when the entry does not compile.
 */
export async function bundleScript(entry: string, outfile: string, options: BundleScriptOptions = {}): Promise<string> {
  await mkdir(dirname(outfile), { recursive: true });
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['source'],
    // undici and other CommonJS dependencies call require() for Node built-ins.
    banner: { js: "import { createRequire as __mgCreateRequire } from 'node:module'; const require = __mgCreateRequire(import.meta.url);" },
    logLevel: 'silent',
    ...(options.define ? { define: options.define } : {}),
  });
  return outfile;
}
