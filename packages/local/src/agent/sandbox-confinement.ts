/**
 * Keeping the fetcher's writes inside a sandbox. A URI, an `output_file` and an archive are
 * all framework input, and the agent may run as root: a name that climbs out (`..`, an
 * absolute path) or a symlink that points out would let a framework write anywhere. Every
 * write goes through `writeConfined` (a fresh temporary file renamed into place, so an
 * existing symlink at the target is replaced, never followed), and every extraction is
 * followed by `removeEscapingLinks`.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, opendir, realpath, rename, rm } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** True when `path` is `root` or below it (both already absolute and normalised). */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  // `..%2Fx` is a file name, not a climb: compare the first component, not a prefix.
  return !isAbsolute(rel) && rel.split(sep)[0] !== '..';
}

/**
 * The sandbox path a relative `name` (an `output_file`, or a file name taken from a URI)
 * denotes. Throws when it is absolute or climbs out of the sandbox. Does no I/O.
 */
export function confinedTarget(sandbox: string, name: string): string {
  const target = resolve(sandbox, name);
  if (isAbsolute(name) || !isInside(sandbox, target) || target === sandbox) {
    throw new Error(`'${name}' is not a relative path inside the sandbox`);
  }
  return target;
}

/**
 * Streams what `open()` returns into `target` (creating its directories), failing once more than
 * `maxBytes` arrive. The bytes go to a new file beside the target, renamed over it at the end,
 * so a symlink already at `target` is replaced rather than written through; the target's
 * directory must resolve inside the sandbox (no symlinked parent). `open` is called only
 * once the target is known to be safe. Resolves once the file is
 * complete; rejects (leaving no partial file) on a read error, an abort or the cap.
 */
export async function writeConfined(
  sandbox: string,
  target: string,
  open: () => Readable,
  { maxBytes, signal }: { maxBytes: number; signal?: AbortSignal },
): Promise<void> {
  const dir = dirname(target);
  await mkdirConfined(sandbox, dir);
  const realDir = await realpath(dir);
  const temporary = join(realDir, `.${basename(target)}.fetch-${randomUUID()}`);
  try {
    // 'wx': create a new file, never open an existing one (nor follow a link planted there).
    await pipeline(open(), byteCap(maxBytes), createWriteStream(temporary, { flags: 'wx' }), signal ? { signal } : {});
    await rename(temporary, join(realDir, basename(target)));
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Creates `dir` (inside `sandbox`) one component at a time, refusing as soon as a component
 * resolves outside the sandbox, so no directory is ever made through a symlink pointing out.
 * Resolves once `dir` exists; rejects naming the component that leads out.
 */
export async function mkdirConfined(sandbox: string, dir: string): Promise<void> {
  const realSandbox = await realpath(sandbox);
  const rel = relative(sandbox, dir);
  if (!isInside(sandbox, resolve(sandbox, rel))) throw new Error(`'${rel}' is not a relative path inside the sandbox`);
  let current = sandbox;
  for (const part of rel.split(sep).filter((component) => component !== '')) {
    current = join(current, part);
    await mkdir(current).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    if (!isInside(realSandbox, await realpath(current))) {
      throw new Error(`'${relative(sandbox, current)}' would be written outside the sandbox (through a symlink)`);
    }
  }
}

/** Raised by byteCap; the message is what the task's failure shows. */
function byteCap(maxBytes: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > maxBytes) done(new Error(`artifact is larger than the agent's limit of ${maxBytes} bytes`));
      else done(null, chunk);
    },
  });
}

/**
 * Walks the sandbox after an archive was unpacked and deletes every symlink that does not
 * resolve to a path inside it (absolute targets, `..` chains, links through other links,
 * dangling links: anything a later write could follow out). Resolves with the sandbox-relative
 * names it removed; the fetcher fails the fetch when there are any.
 */
export async function removeEscapingLinks(sandbox: string): Promise<string[]> {
  const realSandbox = await realpath(sandbox);
  const removed: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for await (const entry of await opendir(dir)) {
      const path = join(dir, entry.name);
      if (entry.isSymbolicLink()) {
        const real = await realpath(path).catch(() => undefined);
        if (real === undefined || !isInside(realSandbox, real)) {
          await rm(path, { force: true });
          removed.push(relative(sandbox, path));
        }
      } else if (entry.isDirectory()) {
        await walk(path);
      }
    }
  };
  await walk(sandbox);
  return removed;
}
