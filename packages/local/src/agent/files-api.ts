/**
 * The agent's sandbox files API, as a Mesos agent serves it: `GET /files/browse?path=`,
 * `/files/read?path=&offset=&length=` and `/files/download?path=`, answering only inside the
 * agent's sandboxes (`<work_dir>/slaves/<agent id>`). A path is resolved (`..`, symlinks) before
 * the check, so no spelling reaches a file outside; anything outside, missing or unreadable is
 * 404 with an empty body, as a real agent answers a path it has not attached
 * (test/fixtures/real-mesos/operator/agent-files-*.json).
 */
import { createReadStream } from 'node:fs';
import { lstat, open, readdir, realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { userInfo } from 'node:os';
import { basename, isAbsolute, join, resolve, sep } from 'node:path';
import { sendText } from '../master/scheduler-api.js';

/** Mesos caps one read at 16 pages (`os::pagesize() * 16`). */
export const MAX_READ_LENGTH = 16 * 4096;

const FILES_PATHS = new Set(['/files/browse', '/files/read', '/files/download', '/files/browse.json', '/files/read.json']);

/** True when `path` is one of the files endpoints. */
export function isFilesPath(path: string): boolean {
  return FILES_PATHS.has(path);
}

/**
 * Answers one files request confined to `root` (the agent's sandboxes). Resolves once answered;
 * rejects only on an I/O error other than a missing or unreadable file (the caller answers 500).
 */
export async function handleFilesRequest(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  req.resume();
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return sendText(res, 405, `405 Method Not Allowed. Expecting one of { 'GET', 'HEAD' }, but received '${req.method ?? ''}'.`, { Allow: 'GET, HEAD' });
  }
  const url = new URL(req.url ?? '/', 'http://agent');
  const requested = url.searchParams.get('path');
  if (requested === null) return sendText(res, 400, "Expecting 'path=value' in query.\n");
  const target = await confine(root, await virtualPath(root, requested));
  if (target === undefined) return sendText(res, 404, '');
  const info = await stat(target);
  switch (url.pathname.replace(/\.json$/, '')) {
    case '/files/browse': {
      const entries = info.isDirectory()
        ? await Promise.all((await readdir(target)).sort().map((name) => entryOf(join(requested, name), join(target, name))))
        : [await entryOf(requested, target)];
      return sendJson(res, entries.filter((e) => e !== undefined));
    }
    case '/files/read': {
      if (info.isDirectory()) return sendText(res, 400, 'Cannot read a directory.\n');
      const offset = integerParam(url.searchParams, 'offset', -1);
      const length = integerParam(url.searchParams, 'length', MAX_READ_LENGTH);
      if (typeof offset === 'string') return sendText(res, 400, offset);
      if (typeof length === 'string') return sendText(res, 400, length);
      // offset -1 asks for the size only (how tailing clients start).
      if (offset < 0 || offset >= info.size) return sendJson(res, { data: '', offset: info.size });
      const want = Math.min(length, MAX_READ_LENGTH, info.size - offset);
      const buffer = Buffer.alloc(want);
      const handle = await open(target, 'r');
      try {
        const { bytesRead } = await handle.read(buffer, 0, want, offset);
        return sendJson(res, { data: buffer.subarray(0, bytesRead).toString('utf8'), offset });
      } finally {
        await handle.close();
      }
    }
    case '/files/download': {
      if (info.isDirectory()) return sendText(res, 400, 'Cannot download a directory.\n');
      res.writeHead(200, {
        'Content-Type': 'application/octet-stream',
        'Content-Length': String(info.size),
        'Content-Disposition': `attachment; filename=${basename(target)}`,
      });
      if (req.method === 'HEAD') return void res.end();
      await new Promise<void>((done) => {
        const stream = createReadStream(target);
        stream.once('error', () => {
          res.destroy();
          done();
        });
        stream.once('end', done);
        stream.pipe(res);
      });
      return;
    }
    default:
      return sendText(res, 404, '');
  }
}

/**
 * Mesos attaches each executor's latest run under a virtual path too,
 * `/frameworks/<fid>/executors/<eid>/runs/latest[/file]`, which clients use without knowing
 * the agent's work_dir or the container id; `latest` is the most recently started run.
 */
export async function virtualPath(root: string, requested: string): Promise<string> {
  const m = /^\/frameworks\/([^/]+)\/executors\/([^/]+)\/runs\/latest(\/.*)?$/.exec(requested);
  if (!m) return requested;
  const runs = join(root, 'frameworks', m[1]!, 'executors', m[2]!, 'runs');
  try {
    const dirs = await Promise.all((await readdir(runs)).map(async (name) => ({ name, at: (await stat(join(runs, name))).birthtimeMs })));
    const latest = dirs.sort((a, b) => b.at - a.at)[0];
    return latest ? join(runs, latest.name) + (m[3] ?? '') : requested;
  } catch {
    return requested; // no such executor: the path stays unresolvable (404)
  }
}

/**
 * The real path of `requested` if it exists and lies inside `root` (after resolving `..` and
 * every symlink); undefined otherwise. Relative paths are refused: Mesos paths are absolute.
 */
export async function confine(root: string, requested: string): Promise<string | undefined> {
  if (!isAbsolute(requested) || requested.includes('\0')) return undefined;
  let realRoot: string;
  let real: string;
  try {
    realRoot = await realpath(root);
    real = await realpath(resolve(requested));
  } catch {
    return undefined; // missing: 404, as for a path outside
  }
  return real === realRoot || real.startsWith(realRoot + sep) ? real : undefined;
}

/** One `/files/browse` entry (Mesos' `FileInfo` JSON); undefined if it vanished meanwhile. */
async function entryOf(shownPath: string, realPath: string): Promise<Record<string, unknown> | undefined> {
  try {
    const s = await lstat(realPath);
    return { path: shownPath, nlink: s.nlink, size: s.size, mtime: Math.floor(s.mtimeMs / 1000), mode: modeString(s.mode, s.isDirectory(), s.isSymbolicLink()), uid: userName(s.uid), gid: s.gid === s.uid ? userName(s.gid) : String(s.gid) };
  } catch {
    return undefined; // removed between readdir and lstat: not listed
  }
}

/** Mesos shows owner names; we know the name of the user we run as, and show other ids as numbers. */
export function userName(uid: number): string {
  const me = userInfo();
  return uid === me.uid ? me.username : String(uid);
}

/** `ls -l` style mode, as Mesos writes it (`-rw-r--r--`, `drwxr-xr-x`). */
function modeString(mode: number, isDir: boolean, isLink: boolean): string {
  const bits = 'rwxrwxrwx';
  let out = isDir ? 'd' : isLink ? 'l' : '-';
  for (let i = 0; i < 9; i++) out += mode & (1 << (8 - i)) ? bits[i] : '-';
  return out;
}

function integerParam(params: URLSearchParams, name: string, fallback: number): number | string {
  const raw = params.get(name);
  if (raw === null) return fallback;
  return /^-?\d+$/.test(raw) && Number.isSafeInteger(Number(raw)) ? Number(raw) : `Failed to parse ${name}: Failed to convert '${raw}' to number.\n`;
}

function sendJson(res: ServerResponse, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(body.length) });
  res.end(body);
}
