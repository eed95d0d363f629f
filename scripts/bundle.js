#!/usr/bin/env node
// Bundles every examples/src/<app>/app_executor.ts into one self-contained file,
// examples/dist/<app>/app_executor.bundle.mjs: the artifact server serves it and an agent
// fetches it into the sandbox, where there is no node_modules (real Mesos or local).
// Runs after `tsc -b` (npm run build) and uses the bundler of `mesosgot bundle` (@mesosgot/cli),
// with the same settings, so the examples ship what a user's app ships.
import { readdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleExecutor } from '@mesosgot/cli';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export async function bundleExamples() {
  const appsDir = join(root, 'examples', 'src');
  const outputs = [];
  for (const app of readdirSync(appsDir)) {
    const entry = join(appsDir, app, 'app_executor.ts');
    if (!existsSync(entry)) continue;
    const { outfile } = await bundleExecutor(entry, { outfile: join(root, 'examples', 'dist', app, 'app_executor.bundle.mjs') });
    outputs.push(outfile);
  }
  return outputs;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--help')) {
    console.log('usage: node scripts/bundle.js\nBundles examples/src/*/app_executor.ts into examples/dist/*/app_executor.bundle.mjs (as `mesosgot bundle` does).');
    process.exit(0);
  }
  for (const file of await bundleExamples()) console.log(`bundled ${file}`);
}
