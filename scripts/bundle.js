#!/usr/bin/env node
// Bundles every examples/src/<app>/app_executor.ts into one self-contained file,
// examples/dist/<app>/app_executor.bundle.mjs: the artifact server serves it and an agent
// fetches it into the sandbox, where there is no node_modules (real Mesos or local).
// `.mjs` keeps it ESM without a package.json beside it.
import { build } from 'esbuild';
import { readdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Options shared by the examples build and tests that bundle executors (bundleScript). */
export const EXECUTOR_BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  conditions: ['source'],
  // undici and others are CommonJS and call require() for Node built-ins.
  banner: { js: "import { createRequire as __mgCreateRequire } from 'node:module'; const require = __mgCreateRequire(import.meta.url);" },
  logLevel: 'warning',
};

export async function bundleExamples() {
  const appsDir = join(root, 'examples', 'src');
  const outputs = [];
  for (const app of readdirSync(appsDir)) {
    const entry = join(appsDir, app, 'app_executor.ts');
    if (!existsSync(entry)) continue;
    const outfile = join(root, 'examples', 'dist', app, 'app_executor.bundle.mjs');
    await build({ ...EXECUTOR_BUNDLE_OPTIONS, entryPoints: [entry], outfile });
    outputs.push(outfile);
  }
  return outputs;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--help')) {
    console.log('usage: node scripts/bundle.js\nBundles examples/src/*/app_executor.ts into examples/dist/*/app_executor.bundle.mjs.');
    process.exit(0);
  }
  await bundleExamples();
}
