/**
 * The Mesos fetcher (docs/protocol.md, "CommandInfo and URIs", "Launch path"): puts every `CommandInfo.uris`
 * entry into the sandbox before the executor (or command) starts. http(s) through fetch
 * (undici), `file://` and absolute paths by copy, both streamed to disk under a size cap and
 * a deadline; `executable` → chmod 0755, otherwise `extract` (default true) unpacks archives
 * under their own caps (archive-extraction.ts). Nothing is written outside the sandbox
 * (sandbox-confinement.ts).
 */
import { createReadStream } from 'node:fs';
import { chmod } from 'node:fs/promises';
import { basename, isAbsolute } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { CommandURI } from '@mesosgot/common/internal';
import { extractArchive } from './archive-extraction.js';
import { confinedTarget, writeConfined } from './sandbox-confinement.js';
import type { ArchiveLimits } from './tar-header-walker.js';

/** A fetch either put every URI in place or names the first one that failed. */
export type FetchOutcome = { kind: 'fetched'; files: string[] } | { kind: 'failed'; uri: string; message: string };

/** Largest file one URI may download or copy by default: 1 GiB. */
export const DEFAULT_MAX_ARTIFACT_BYTES = 1024 * 1024 * 1024;

/** Bytes one archive (or one gunzipped `.gz`) may expand to by default, its members summed: 4 GiB. */
export const DEFAULT_MAX_EXTRACTED_BYTES = 4 * 1024 * 1024 * 1024;

/** Members (files, directories, links) one archive may hold by default: 100,000. */
export const DEFAULT_MAX_ARCHIVE_ENTRIES = 100_000;

/** How long one URI may take by default (download, copy and extraction): 5 minutes. */
export const DEFAULT_FETCH_TIMEOUT_MS = 5 * 60_000;

/**
 * The agent's fetch limits. A real Mesos fetcher has none (it trusts its frameworks); the
 * local agent shares its process with the scheduler, so an endless or huge URI must fail the
 * task instead of filling the disk or hanging the launch.
 */
export interface FetchLimits {
  /** Bytes one URI may write (default DEFAULT_MAX_ARTIFACT_BYTES). */
  maxArtifactBytes?: number;
  /** Milliseconds one URI may take (default DEFAULT_FETCH_TIMEOUT_MS). */
  timeoutMs?: number;
  /** Bytes one archive may expand to, its members summed (default DEFAULT_MAX_EXTRACTED_BYTES). */
  maxExtractedBytes?: number;
  /** Members one archive may hold (default DEFAULT_MAX_ARCHIVE_ENTRIES). */
  maxArchiveEntries?: number;
}

/**
 * Fetches the URIs in order into `sandbox`, each streamed to disk. Resolves (never rejects)
 * with the outcome, so the caller can turn a failure into TASK_FAILED /
 * REASON_CONTAINER_LAUNCH_FAILED naming the URI: a name, `output_file` or archive member that
 * would land outside the sandbox, a file over `maxArtifactBytes`, an archive over
 * `maxExtractedBytes` or `maxArchiveEntries` (refused before anything beyond the limit is
 * written), a URI slower than `timeoutMs`. Rejects only with `signal.reason` when aborted. Leaves nothing running.
 */
export async function fetchUris(
  uris: readonly CommandURI[],
  sandbox: string,
  { signal, limits = {} }: { signal?: AbortSignal; limits?: FetchLimits } = {},
): Promise<FetchOutcome> {
  const maxBytes = limits.maxArtifactBytes ?? DEFAULT_MAX_ARTIFACT_BYTES;
  const timeoutMs = limits.timeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS;
  const archive: ArchiveLimits = {
    maxBytes: limits.maxExtractedBytes ?? DEFAULT_MAX_EXTRACTED_BYTES,
    maxEntries: limits.maxArchiveEntries ?? DEFAULT_MAX_ARCHIVE_ENTRIES,
  };
  const files: string[] = [];
  for (const uri of uris) {
    signal?.throwIfAborted();
    const deadline = AbortSignal.timeout(timeoutMs);
    try {
      files.push(await fetchOne(uri, sandbox, maxBytes, archive, signal ? AbortSignal.any([signal, deadline]) : deadline));
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      const reason = deadline.aborted ? `timed out after ${timeoutMs} ms (the agent's fetch limit)` : describe(error);
      return { kind: 'failed', uri: uri.value, message: `Failed to fetch '${uri.value}': ${reason}` };
    }
  }
  return { kind: 'fetched', files };
}

async function fetchOne(uri: CommandURI, sandbox: string, maxBytes: number, archive: ArchiveLimits, signal: AbortSignal): Promise<string> {
  const target = confinedTarget(sandbox, outputName(uri));
  const value = uri.value;
  if (/^https?:\/\//i.test(value)) {
    const response = await fetch(value, { signal });
    if (!response.ok || !response.body) {
      // Release the connection before giving up on the body.
      await response.body?.cancel();
      throw new Error(`HTTP ${response.status} ${response.statusText}`.trim());
    }
    const body = response.body;
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (declared > maxBytes) {
      await body.cancel();
      throw new Error(`artifact is larger than the agent's limit of ${maxBytes} bytes (Content-Length ${declared})`);
    }
    await writeConfined(sandbox, target, () => Readable.fromWeb(body), { maxBytes, signal });
  } else if (/^file:\/\//i.test(value) || isAbsolute(value)) {
    const path = isAbsolute(value) ? value : fileURLToPath(value);
    await writeConfined(sandbox, target, () => createReadStream(path), { maxBytes, signal });
  } else {
    // ftp://, hdfs://, s3:// need Hadoop or other tools on a real agent; the local one has none.
    throw new Error('unsupported URI scheme (the local agent fetches http(s)://, file:// and absolute paths)');
  }
  // A Mesos fetcher either chmods or extracts, never both (executable wins).
  if (uri.executable === true) {
    await chmod(target, 0o755);
  } else if (uri.extract !== false) {
    await extractArchive(target, sandbox, archive, signal);
  }
  return target;
}

/**
 * The file's name in the sandbox: `output_file`, else the last segment of the URI's path as
 * written. Like the Mesos fetcher we never percent-decode it: `..%2F..%2Fx` is one odd file
 * name, not a path.
 */
function outputName(uri: CommandURI): string {
  if (uri.output_file !== undefined && uri.output_file !== '') return uri.output_file;
  let name: string;
  try {
    name = basename(new URL(uri.value).pathname);
  } catch {
    // Not a URL: a plain absolute path, whose last component names the file.
    name = basename(uri.value);
  }
  if (!name || name === '.' || name === '..') throw new Error('cannot derive a file name from the URI (set output_file)');
  return name;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const stderr = (error as { stderr?: unknown }).stderr;
    return typeof stderr === 'string' && stderr.trim() ? `${error.message.split('\n')[0]}: ${stderr.trim()}` : error.message;
  }
  return String(error);
}
