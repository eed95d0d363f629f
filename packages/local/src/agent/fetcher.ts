/**
 * The Mesos fetcher (docs/protocol.md, "CommandInfo and URIs", "Launch path"): puts every `CommandInfo.uris`
 * entry into the sandbox before the executor (or command) starts. http(s) through fetch
 * (undici), `file://` and absolute paths by copy; `executable` → chmod 0755, otherwise
 * `extract` (default true) unpacks archives with the system tar/unzip and gunzips plain `.gz`.
 */
import { execFile } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, copyFile, mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createGunzip } from 'node:zlib';
import type { CommandURI } from '@mesosgot/common/internal';

const execFileAsync = promisify(execFile);

/** A fetch either put every URI in place or names the first one that failed. */
export type FetchOutcome = { kind: 'fetched'; files: string[] } | { kind: 'failed'; uri: string; message: string };

const TAR_SUFFIXES = ['.tar', '.tgz', '.tar.gz', '.tbz2', '.tar.bz2', '.txz', '.tar.xz'] as const;

/**
 * Fetches the URIs in order into `sandbox`. Resolves (never rejects) with the outcome, so the
 * caller can turn a failure into TASK_FAILED / REASON_CONTAINER_LAUNCH_FAILED naming the URI.
 * Rejects only with `signal.reason` when aborted. Leaves nothing running.
 */
export async function fetchUris(
  uris: readonly CommandURI[],
  sandbox: string,
  { signal }: { signal?: AbortSignal } = {},
): Promise<FetchOutcome> {
  const files: string[] = [];
  for (const uri of uris) {
    signal?.throwIfAborted();
    try {
      files.push(await fetchOne(uri, sandbox, signal));
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      return { kind: 'failed', uri: uri.value, message: `Failed to fetch '${uri.value}': ${describe(error)}` };
    }
  }
  return { kind: 'fetched', files };
}

async function fetchOne(uri: CommandURI, sandbox: string, signal: AbortSignal | undefined): Promise<string> {
  const target = targetPath(uri, sandbox);
  await mkdir(dirname(target), { recursive: true });
  const value = uri.value;
  if (/^https?:\/\//i.test(value)) {
    const response = await fetch(value, signal ? { signal } : {});
    if (!response.ok || !response.body) {
      // Release the connection before giving up on the body.
      await response.body?.cancel();
      throw new Error(`HTTP ${response.status} ${response.statusText}`.trim());
    }
    await writeFile(target, Buffer.from(await response.arrayBuffer()));
  } else if (/^file:\/\//i.test(value)) {
    await copyFile(fileURLToPath(value), target);
  } else if (isAbsolute(value)) {
    await copyFile(value, target);
  } else {
    // ftp://, hdfs://, s3:// need Hadoop or other tools on a real agent; the local one has none.
    throw new Error('unsupported URI scheme (the local agent fetches http(s)://, file:// and absolute paths)');
  }
  // A Mesos fetcher either chmods or extracts, never both (executable wins).
  if (uri.executable === true) {
    await chmod(target, 0o755);
  } else if (uri.extract !== false) {
    await extract(target, sandbox);
  }
  return target;
}

function targetPath(uri: CommandURI, sandbox: string): string {
  if (uri.output_file !== undefined && uri.output_file !== '') {
    const target = join(sandbox, uri.output_file);
    const inside = relative(sandbox, target);
    if (isAbsolute(uri.output_file) || inside.startsWith('..')) {
      throw new Error(`output_file '${uri.output_file}' is not a relative path inside the sandbox`);
    }
    return target;
  }
  let name: string;
  try {
    name = basename(new URL(uri.value).pathname);
  } catch {
    // Not a URL: a plain absolute path, whose last component names the file.
    name = basename(uri.value);
  }
  if (!name) throw new Error('cannot derive a file name from the URI (set output_file)');
  return join(sandbox, decodeURIComponent(name));
}

async function extract(file: string, sandbox: string): Promise<void> {
  const lower = file.toLowerCase();
  if (TAR_SUFFIXES.some((suffix) => lower.endsWith(suffix))) {
    await execFileAsync('tar', ['-C', sandbox, '-xf', file]);
  } else if (lower.endsWith('.zip')) {
    await execFileAsync('unzip', ['-o', '-q', '-d', sandbox, file]);
  } else if (lower.endsWith('.gz')) {
    await pipeline(createReadStream(file), createGunzip(), createWriteStream(file.slice(0, -'.gz'.length)));
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const stderr = (error as { stderr?: unknown }).stderr;
    return typeof stderr === 'string' && stderr.trim() ? `${error.message.split('\n')[0]}: ${stderr.trim()}` : error.message;
  }
  return String(error);
}
