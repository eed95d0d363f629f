#!/usr/bin/env node
// Bundles the entry points of @mesosgot/common and @mesosgot/scheduler into
// packages/<pkg>/dist/bundle/ (the files their package.json `exports` name), after `tsc -b`
// has written the declarations next to them in dist/.
//
// Why: Node 20 pays for every ES module it loads (≈ 50 KiB of memory each, plus resolving and
// linking), and a scheduler that imported ~120 small modules peaked at ~62 MiB against ~59 MiB
// for the same code in a handful of chunks (bench row "scheduler peak RSS, hello example").
// One build per package with code splitting keeps one copy of each class across its entry
// points (index, internal, subpaths), so `instanceof` holds between them; other packages and
// third-party dependencies stay imports (packages: 'external'), so nothing is duplicated across
// packages either. Dynamic imports stay separate chunks, loaded only when used.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Package → its entry points (src/<name>.ts), one per `exports` subpath. */
export const BUNDLED_PACKAGES = {
  common: ['index', 'internal', 'zookeeper', 'protobuf'],
  scheduler: ['index', 'internal'],
};

export async function bundlePackages() {
  const written = [];
  for (const [pkg, entries] of Object.entries(BUNDLED_PACKAGES)) {
    const dir = join(root, 'packages', pkg);
    const outdir = join(dir, 'dist', 'bundle');
    rmSync(outdir, { recursive: true, force: true });
    await build({
      entryPoints: entries.map((name) => join(dir, 'src', `${name}.ts`)),
      outdir,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      sourcemap: true,
      chunkNames: 'chunks/[name]-[hash]',
      tsconfig: join(dir, 'tsconfig.json'),
      logLevel: 'warning',
    });
    written.push(outdir);
  }
  return written;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--help')) {
    console.log('usage: node scripts/bundle-packages.js\nBundles the entry points of @mesosgot/common and @mesosgot/scheduler into packages/<pkg>/dist/bundle/ (run after tsc -b).');
    process.exit(0);
  }
  for (const outdir of await bundlePackages()) console.log(`bundled ${outdir}`);
}
