/**
 * Regression: a scheduler pointed at a remote master loaded code it never runs (undici's whole
 * main entry, the ZooKeeper client; later the protobuf schemas and the status page with
 * `--no-status` and JSON), tens of MiB more resident memory than it needs. A real node process
 * (the built packages, as an application runs them) imports the scheduler's main entry under a
 * module-load hook (the bundles' chunks are traced back to their sources through their source
 * maps) and builds a GoTaskScheduler for `--master http://… --no-status`; what it
 * loaded must include none of the embedded cluster, the bundler, the ZooKeeper client, undici
 * (the HTTP client is node:http's), TLS (no https master, no TLS data plane), the protobuf
 * schemas or the status page.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));

/** Appends every module URL Node loads (ESM, and CommonJS entered from ESM) to `data.out`. */
const HOOKS = `
import { appendFileSync } from 'node:fs';
let out;
export async function initialize(data) { out = data.out; }
export async function load(url, context, next) { appendFileSync(out, url + '\\n'); return next(url, context); }
`;

const CHILD = `
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(process.env.HOOKS), { data: { out: process.env.OUT } });
const { GoTaskScheduler, parseSchedulerConfig } = await import('@mesosgot/scheduler');
const config = parseSchedulerConfig(['--master', 'http://127.0.0.1:5050', '--no-status', '--name', 'lean'], {});
const sched = new GoTaskScheduler(config);
sched.spawnTask('t', 1, { cpus: 0.1, mem: 32 });
`;

let dir: string | undefined;
afterEach(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

/** Runs CHILD in a fresh node; resolves with the URLs it loaded. */
async function loadedBy(): Promise<string[]> {
  dir = await mkdtemp(join(tmpdir(), 'mesosgot-lean-'));
  const out = join(dir, 'loaded.txt');
  await new Promise<void>((resolve, reject) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', CHILD],
      { cwd: REPO, env: { ...process.env, NODE_OPTIONS: '', HOOKS, OUT: out }, timeout: 60_000 },
      (error, _stdout, stderr) => (error ? reject(new Error(`child failed: ${stderr}`, { cause: error })) : resolve()),
    );
  });
  const urls = (await readFile(out, 'utf8')).split('\n').filter((line) => line !== '');
  return [...urls, ...(await Promise.all(urls.map(bundledSources))).flat()];
}

/**
 * The packages ship bundles (dist/bundle, a few chunks each): the source files a loaded chunk
 * was built from, as file URLs, read from its source map; none for an unbundled file.
 */
async function bundledSources(url: string): Promise<string[]> {
  if (!url.startsWith('file:') || !url.includes('/dist/bundle/')) return [];
  const map = JSON.parse(await readFile(fileURLToPath(`${url}.map`), 'utf8')) as { sources: string[] };
  return map.sources.map((source) => new URL(source, url).href);
}

describe('regression: lean-scheduler-imports', () => {
  it('a JSON scheduler for a remote master without status page loads no embedded cluster, bundler, ZooKeeper client, undici, TLS, protobuf schemas or status page', async () => {
    const loaded = await loadedBy();
    // The hook saw the scheduler itself: an empty list would prove nothing.
    expect(loaded.some((url) => url.includes('/packages/scheduler/src/gotask/gotask-scheduler.ts'))).toBe(true);
    const heavy = loaded.filter((url) =>
      [
        /\/packages\/local\//,
        /@mesosgot\/local/,
        /\/packages\/cli\//,
        /\/esbuild\//,
        /node-zookeeper-client/,
        /\/undici\//,
        /@bufbuild\//,
        /\/wire\/gen\//,
        /\/gotask\/status-(server|page)\.[jt]s$/,
        /^node:(tls|https)$/,
      ].some((p) => p.test(url)),
    );
    expect(heavy).toEqual([]);
  }, 90_000);
});
